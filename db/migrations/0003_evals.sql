-- ganexp schema v3: one row per evaluation instead of one per metric value.
--
-- A sweep records every metric at every evaluation, so a row per
-- evaluation stores the same points with a seventeenth of the b-tree
-- inserts: tracking went from about 0.35 M to several M points per second
-- (BENCHMARKS.md). `present` has bit i set when the evaluation reported
-- metric i (in this order), so that a value that was NaN or infinite
-- (stored as NULL) is told apart from one not measured at all.
--
-- `metrics` stays as a view with the columns it always had: trial_key,
-- step, name, value, wall_s.

CREATE TABLE evals (
    trial_key TEXT NOT NULL REFERENCES trials(key),
    step      INTEGER NOT NULL,
    wall_s    REAL NOT NULL,      -- seconds since the trial started
    present   INTEGER NOT NULL,   -- bit i: metric i below was reported
    loss_d REAL,
    loss_g REAL,
    grad_norm_d REAL,
    grad_norm_g REAL,
    modes_captured REAL,
    hq_fraction REAL,
    mode_kl REAL,
    mmd2 REAL,
    swd REAL,
    precision REAL,
    recall REAL,
    density REAL,
    coverage REAL,
    ndb_k REAL,
    spread_ratio REAL,
    d_real REAL,
    d_fake REAL,
    PRIMARY KEY (trial_key, step)
) WITHOUT ROWID;

INSERT INTO evals (trial_key, step, wall_s, present, loss_d, loss_g, grad_norm_d, grad_norm_g, modes_captured, hq_fraction, mode_kl, mmd2, swd, precision, recall, density, coverage, ndb_k, spread_ratio, d_real, d_fake)
SELECT trial_key, step, max(wall_s),
    max(CASE WHEN name = 'loss_d' THEN 1 ELSE 0 END) | max(CASE WHEN name = 'loss_g' THEN 2 ELSE 0 END) | max(CASE WHEN name = 'grad_norm_d' THEN 4 ELSE 0 END) | max(CASE WHEN name = 'grad_norm_g' THEN 8 ELSE 0 END) | max(CASE WHEN name = 'modes_captured' THEN 16 ELSE 0 END) | max(CASE WHEN name = 'hq_fraction' THEN 32 ELSE 0 END) | max(CASE WHEN name = 'mode_kl' THEN 64 ELSE 0 END) | max(CASE WHEN name = 'mmd2' THEN 128 ELSE 0 END) | max(CASE WHEN name = 'swd' THEN 256 ELSE 0 END) | max(CASE WHEN name = 'precision' THEN 512 ELSE 0 END) | max(CASE WHEN name = 'recall' THEN 1024 ELSE 0 END) | max(CASE WHEN name = 'density' THEN 2048 ELSE 0 END) | max(CASE WHEN name = 'coverage' THEN 4096 ELSE 0 END) | max(CASE WHEN name = 'ndb_k' THEN 8192 ELSE 0 END) | max(CASE WHEN name = 'spread_ratio' THEN 16384 ELSE 0 END) | max(CASE WHEN name = 'd_real' THEN 32768 ELSE 0 END) | max(CASE WHEN name = 'd_fake' THEN 65536 ELSE 0 END),
    max(CASE WHEN name = 'loss_d' THEN value END),
    max(CASE WHEN name = 'loss_g' THEN value END),
    max(CASE WHEN name = 'grad_norm_d' THEN value END),
    max(CASE WHEN name = 'grad_norm_g' THEN value END),
    max(CASE WHEN name = 'modes_captured' THEN value END),
    max(CASE WHEN name = 'hq_fraction' THEN value END),
    max(CASE WHEN name = 'mode_kl' THEN value END),
    max(CASE WHEN name = 'mmd2' THEN value END),
    max(CASE WHEN name = 'swd' THEN value END),
    max(CASE WHEN name = 'precision' THEN value END),
    max(CASE WHEN name = 'recall' THEN value END),
    max(CASE WHEN name = 'density' THEN value END),
    max(CASE WHEN name = 'coverage' THEN value END),
    max(CASE WHEN name = 'ndb_k' THEN value END),
    max(CASE WHEN name = 'spread_ratio' THEN value END),
    max(CASE WHEN name = 'd_real' THEN value END),
    max(CASE WHEN name = 'd_fake' THEN value END)
FROM metrics GROUP BY trial_key, step;

DROP TABLE metrics;

CREATE VIEW metrics (trial_key, step, name, value, wall_s) AS
SELECT trial_key, step, 'loss_d', loss_d, wall_s FROM evals WHERE present & 1
UNION ALL
SELECT trial_key, step, 'loss_g', loss_g, wall_s FROM evals WHERE present & 2
UNION ALL
SELECT trial_key, step, 'grad_norm_d', grad_norm_d, wall_s FROM evals WHERE present & 4
UNION ALL
SELECT trial_key, step, 'grad_norm_g', grad_norm_g, wall_s FROM evals WHERE present & 8
UNION ALL
SELECT trial_key, step, 'modes_captured', modes_captured, wall_s FROM evals WHERE present & 16
UNION ALL
SELECT trial_key, step, 'hq_fraction', hq_fraction, wall_s FROM evals WHERE present & 32
UNION ALL
SELECT trial_key, step, 'mode_kl', mode_kl, wall_s FROM evals WHERE present & 64
UNION ALL
SELECT trial_key, step, 'mmd2', mmd2, wall_s FROM evals WHERE present & 128
UNION ALL
SELECT trial_key, step, 'swd', swd, wall_s FROM evals WHERE present & 256
UNION ALL
SELECT trial_key, step, 'precision', precision, wall_s FROM evals WHERE present & 512
UNION ALL
SELECT trial_key, step, 'recall', recall, wall_s FROM evals WHERE present & 1024
UNION ALL
SELECT trial_key, step, 'density', density, wall_s FROM evals WHERE present & 2048
UNION ALL
SELECT trial_key, step, 'coverage', coverage, wall_s FROM evals WHERE present & 4096
UNION ALL
SELECT trial_key, step, 'ndb_k', ndb_k, wall_s FROM evals WHERE present & 8192
UNION ALL
SELECT trial_key, step, 'spread_ratio', spread_ratio, wall_s FROM evals WHERE present & 16384
UNION ALL
SELECT trial_key, step, 'd_real', d_real, wall_s FROM evals WHERE present & 32768
UNION ALL
SELECT trial_key, step, 'd_fake', d_fake, wall_s FROM evals WHERE present & 65536;
