-- ganexp schema v5: every metric's stable identity. A metric's id is its
-- bit in evals.present, assigned once and never reused or changed, so that
-- the metrics can be reordered or added to without misreading rows written
-- before. From this version on, ganexp itself adds the columns of a new
-- metric and rebuilds the metrics view from this table when it opens a
-- file (db/metrics.go); the rows below are the metrics of schemas 1 to 4.

CREATE TABLE metric_ids (
    name TEXT PRIMARY KEY,
    id   INTEGER NOT NULL UNIQUE
);

INSERT INTO metric_ids (name, id) VALUES
    ('loss_d', 0), ('loss_g', 1), ('grad_norm_d', 2), ('grad_norm_g', 3),
    ('modes_captured', 4), ('hq_fraction', 5), ('mode_kl', 6), ('mmd2', 7),
    ('swd', 8), ('precision', 9), ('recall', 10), ('density', 11),
    ('coverage', 12), ('ndb_k', 13), ('spread_ratio', 14), ('d_real', 15),
    ('d_fake', 16), ('balanced_hq', 17);
