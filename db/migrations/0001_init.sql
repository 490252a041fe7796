-- ganexp schema v1. Names here are a contract: users query them with sqlite3.

CREATE TABLE sweeps (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    config_path TEXT NOT NULL,
    config_yaml TEXT NOT NULL,   -- the sweep file as last run
    created_at  TEXT NOT NULL,   -- ISO 8601 UTC
    updated_at  TEXT NOT NULL
);

CREATE TABLE trials (
    key          TEXT PRIMARY KEY,  -- hash of the canonical params and the seed
    sweep_id     INTEGER NOT NULL REFERENCES sweeps(id),  -- the sweep that first planned it
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                 ('pending', 'running', 'completed', 'collapsed', 'diverged', 'failed', 'interrupted')),
    seed         INTEGER NOT NULL,
    config_json  TEXT NOT NULL,     -- everything the trainer needs, as JSON
    steps_total  INTEGER NOT NULL,
    steps_done   INTEGER NOT NULL DEFAULT 0,
    attempts     INTEGER NOT NULL DEFAULT 0,
    started_at   TEXT,
    finished_at  TEXT,
    duration_s   REAL,
    error        TEXT,              -- message and stack of a failed trial
    owner_pid    INTEGER,           -- process running it
    owner_host   TEXT,
    heartbeat_at TEXT,
    -- final values: the last evaluation's metrics
    loss_d         REAL,
    loss_g         REAL,
    grad_norm_d    REAL,
    grad_norm_g    REAL,
    modes_captured INTEGER,
    hq_fraction    REAL,
    mode_kl        REAL,
    mmd2           REAL
);
CREATE INDEX trials_status ON trials(status);

CREATE TABLE sweep_trials (
    sweep_id  INTEGER NOT NULL REFERENCES sweeps(id),
    trial_key TEXT NOT NULL REFERENCES trials(key),
    position  INTEGER NOT NULL,  -- order in the sweep's plan
    PRIMARY KEY (sweep_id, trial_key)
) WITHOUT ROWID;

CREATE TABLE params (
    trial_key TEXT NOT NULL REFERENCES trials(key),
    name      TEXT NOT NULL,
    value,                        -- no type affinity: TEXT, INTEGER or REAL as given
    pos       INTEGER NOT NULL,   -- column order in trials_wide
    PRIMARY KEY (trial_key, name)
) WITHOUT ROWID;
CREATE INDEX params_name_value ON params(name, value);

CREATE TABLE metrics (
    trial_key TEXT NOT NULL REFERENCES trials(key),
    step      INTEGER NOT NULL,
    name      TEXT NOT NULL,
    value     REAL,               -- NULL when non-finite (see events)
    wall_s    REAL NOT NULL,      -- seconds since the trial started
    PRIMARY KEY (trial_key, name, step)
) WITHOUT ROWID;

CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    trial_key  TEXT NOT NULL REFERENCES trials(key),
    step       INTEGER,
    kind       TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '{}',  -- JSON
    created_at TEXT NOT NULL
);
CREATE INDEX events_trial ON events(trial_key, step);

CREATE TABLE artifacts (
    trial_key    TEXT NOT NULL REFERENCES trials(key),
    step         INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    path_or_blob,
    PRIMARY KEY (trial_key, step, kind)
) WITHOUT ROWID;

-- Rebuilt with one column per parameter whenever a sweep is registered.
CREATE VIEW trials_wide AS
SELECT t.key, s.name AS sweep, t.status, t.seed, t.steps_done, t.steps_total, t.duration_s,
       t.loss_d, t.loss_g, t.grad_norm_d, t.grad_norm_g, t.modes_captured, t.hq_fraction, t.mode_kl, t.mmd2,
       t.error
FROM trials t JOIN sweeps s ON s.id = t.sweep_id;
