-- ganexp schema v4: balanced_hq, the share of high-quality samples
-- discounted for modes used unevenly (hq_fraction × exp(−mode_kl)), which
-- the default ranking uses after modes_captured. It is the 18th metric, so
-- bit 17 (131072) of evals.present. The values of evaluations stored
-- before are filled in by ganexp itself right after this file runs, from
-- hq_fraction and mode_kl (SQLite as built into ganexp has no exp()).

ALTER TABLE trials ADD COLUMN balanced_hq REAL;
ALTER TABLE evals ADD COLUMN balanced_hq REAL;

DROP VIEW metrics;

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
SELECT trial_key, step, 'd_fake', d_fake, wall_s FROM evals WHERE present & 65536
UNION ALL
SELECT trial_key, step, 'balanced_hq', balanced_hq, wall_s FROM evals WHERE present & 131072;
