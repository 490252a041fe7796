-- ganexp schema v2: the metrics of detection and the verdict on the trial row.

ALTER TABLE trials ADD COLUMN swd REAL;
ALTER TABLE trials ADD COLUMN precision REAL;
ALTER TABLE trials ADD COLUMN recall REAL;
ALTER TABLE trials ADD COLUMN density REAL;
ALTER TABLE trials ADD COLUMN coverage REAL;
ALTER TABLE trials ADD COLUMN ndb_k REAL;
ALTER TABLE trials ADD COLUMN spread_ratio REAL;
ALTER TABLE trials ADD COLUMN d_real REAL;
ALTER TABLE trials ADD COLUMN d_fake REAL;

-- The first detector verdict: its detector, the step it fired at, what it
-- saw (the evidence in words; the events row has it as JSON), and the
-- steps that stopping there saved (0 with on_failure: continue).
ALTER TABLE trials ADD COLUMN verdict TEXT;
ALTER TABLE trials ADD COLUMN verdict_step INTEGER;
ALTER TABLE trials ADD COLUMN verdict_message TEXT;
ALTER TABLE trials ADD COLUMN steps_saved INTEGER;
