package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ganexp/ganexp"
)

// SweepTrial is what RegisterSweep needs to know of one planned trial.
type SweepTrial struct {
	Trial ganexp.Trial
}

// RegisterSweep records a sweep and its planned trials in one
// transaction. Trials already present (from an earlier run of this or
// another sweep) keep their status and results. It returns the sweep id.
func (d *DB) RegisterSweep(ctx context.Context, name, path string, source []byte, trials []ganexp.Trial) (int64, error) {
	return d.RegisterSweepAt(ctx, name, path, source, trials, nil)
}

// RegisterSweepAt is RegisterSweep for part of a plan (a shard): the
// trials' places in the whole plan are positions, so that databases of
// shards merge into the order of the whole; nil positions are 0…n−1.
func (d *DB) RegisterSweepAt(ctx context.Context, name, path string, source []byte, trials []ganexp.Trial, positions []int) (int64, error) {
	if positions != nil && len(positions) != len(trials) {
		return 0, fmt.Errorf("register sweep %s: %d positions for %d trials", name, len(positions), len(trials))
	}
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("register sweep %s: %w", name, err)
	}
	defer tx.Rollback()
	id, err := upsertSweep(ctx, tx, name, path, source)
	if err != nil {
		return 0, fmt.Errorf("register sweep %s: %w", name, err)
	}
	for i, t := range trials {
		pos := i
		if positions != nil {
			pos = positions[i]
		}
		if err := insertTrial(ctx, tx, id, pos, t); err != nil {
			return 0, fmt.Errorf("register trial %s: %w", t.Key, err)
		}
	}
	if err := d.rebuildWideView(ctx, tx); err != nil {
		return 0, fmt.Errorf("rebuild trials_wide: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("register sweep %s: %w", name, err)
	}
	return id, nil
}

func upsertSweep(ctx context.Context, tx *sql.Tx, name, path string, source []byte) (int64, error) {
	ts := now()
	_, err := tx.ExecContext(ctx, `INSERT INTO sweeps (name, config_path, config_yaml, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET config_path = excluded.config_path,
			config_yaml = excluded.config_yaml, updated_at = excluded.updated_at`,
		name, path, string(source), ts, ts)
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRowContext(ctx, "SELECT id FROM sweeps WHERE name = ?", name).Scan(&id)
	return id, err
}

func insertTrial(ctx context.Context, tx *sql.Tx, sweepID int64, pos int, t ganexp.Trial) error {
	cfg, err := json.Marshal(t.Config)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO trials (key, sweep_id, seed, config_json, steps_total)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
		t.Key, sweepID, t.Seed, string(cfg), t.Config.Steps)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO sweep_trials (sweep_id, trial_key, position) VALUES (?, ?, ?)
		ON CONFLICT (sweep_id, trial_key) DO UPDATE SET position = excluded.position`, sweepID, t.Key, pos)
	if err != nil {
		return err
	}
	// Labels (arch and dataset names) may differ between sweeps that plan
	// the same trial; the latest wins.
	for i, p := range t.Config.Params() {
		_, err = tx.ExecContext(ctx, `INSERT INTO params (trial_key, name, value, pos) VALUES (?, ?, ?, ?)
			ON CONFLICT (trial_key, name) DO UPDATE SET value = excluded.value`, t.Key, p.Name, p.Value, i)
		if err != nil {
			return err
		}
	}
	return nil
}

// rebuildWideView recreates trials_wide with one column per parameter
// name in the database, in the order the config lists them.
func (d *DB) rebuildWideView(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, "SELECT name FROM params GROUP BY name ORDER BY min(pos), name")
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var cols strings.Builder
	for _, n := range names {
		fmt.Fprintf(&cols, "\n       (SELECT value FROM params p WHERE p.trial_key = t.key AND p.name = %s) AS %s,",
			quoteLiteral(n), quoteIdent(n))
	}
	var finals strings.Builder
	for _, m := range d.metrics {
		fmt.Fprintf(&finals, " t.%s,", quoteIdent(m.Name))
	}
	view := `CREATE VIEW trials_wide AS
SELECT t.key, s.name AS sweep, t.status, t.seed,` + cols.String() + `
       t.steps_done, t.steps_total, t.duration_s, t.kernel,` + finals.String() + `
       t.verdict, t.verdict_step, t.verdict_message, t.steps_saved, t.error
FROM trials t JOIN sweeps s ON s.id = t.sweep_id`
	if _, err := tx.ExecContext(ctx, "DROP VIEW IF EXISTS trials_wide"); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, view)
	return err
}

func quoteIdent(s string) string   { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func quoteLiteral(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }

// Owner identifies the process that runs a trial.
type Owner struct {
	PID  int
	Host string
}

// Claim marks a trial running for owner, unless it already holds a result
// or another process runs it. Results of an earlier, unfinished attempt
// (metrics, events) are deleted so they cannot mix with the new ones. It
// reports whether the claim succeeded.
func (d *DB) Claim(ctx context.Context, key string, o Owner) (bool, error) {
	ok, _, err := d.ClaimResuming(ctx, key, o, nil)
	return ok, err
}

// ClaimResuming is Claim for a trial with checkpoints at the steps
// checkpoints: it picks the latest one whose evaluations the database
// holds up to its step (the sweep process writes them in batches, so a
// kill can lose the last few seconds' while the worker's checkpoint
// stands) and keeps the earlier attempt's results through that step; the
// rest goes, and so do the step-0 artifacts, which a resumed trial stores
// again. It returns the step the trial resumes from, or −1 for none.
func (d *DB) ClaimResuming(ctx context.Context, key string, o Owner, checkpoints []int) (bool, int, error) {
	return d.claim(ctx, key, o, checkpoints, "'pending', 'failed', 'interrupted'")
}

// ClaimPromoted claims a pruned trial that a pruner promoted, as
// ClaimResuming claims one that has no result: it succeeds only while the
// trial is still pruned, so that of several processes sharing a search
// one alone promotes it.
func (d *DB) ClaimPromoted(ctx context.Context, key string, o Owner, checkpoints []int) (bool, int, error) {
	return d.claim(ctx, key, o, checkpoints, "'pruned'")
}

// claim marks key running for o if its status is one of statuses (an SQL
// list of literals).
func (d *DB) claim(ctx context.Context, key string, o Owner, checkpoints []int, statuses string) (bool, int, error) {
	wrap := func(err error) error { return fmt.Errorf("claim trial %s: %w", key, err) }
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return false, -1, wrap(err)
	}
	defer tx.Rollback()
	ts := now()
	res, err := tx.ExecContext(ctx, `UPDATE trials SET status = 'running', attempts = attempts + 1,
			started_at = ?, heartbeat_at = ?, owner_pid = ?, owner_host = ?,
			steps_done = 0, finished_at = NULL, duration_s = NULL, error = NULL,
			verdict = NULL, verdict_step = NULL, verdict_message = NULL, steps_saved = NULL,`+d.nullFinals()+`
		WHERE key = ? AND status IN (`+statuses+`)`,
		ts, ts, o.PID, o.Host, key)
	if err != nil {
		return false, -1, wrap(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, -1, nil
	}
	from := -1
	if len(checkpoints) > 0 {
		var stored int
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(step), -1) FROM evals WHERE trial_key = ?", key).Scan(&stored); err != nil {
			return false, -1, wrap(err)
		}
		for _, c := range checkpoints {
			if c > from && c <= stored {
				from = c
			}
		}
	}
	// The trial's history (abandoned attempts, a pruner's decisions)
	// stays; what the earlier attempt measured after the resumed step goes.
	for _, q := range []string{
		"DELETE FROM evals WHERE trial_key = ? AND step > ?",
		"DELETE FROM artifacts WHERE trial_key = ? AND (step > ? OR step = 0)",
		"DELETE FROM events WHERE trial_key = ? AND kind NOT IN ('abandoned', 'pruned', 'promoted') AND (step IS NULL OR step > ?)",
	} {
		if _, err := tx.ExecContext(ctx, q, key, from); err != nil {
			return false, -1, wrap(fmt.Errorf("clear old results: %w", err))
		}
	}
	if from > 0 {
		if _, err := tx.ExecContext(ctx, "UPDATE trials SET steps_done = ? WHERE key = ?", from, key); err != nil {
			return false, -1, wrap(err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, -1, wrap(err)
	}
	return true, from, nil
}

func (d *DB) nullFinals() string {
	var b strings.Builder
	for i, m := range d.metrics {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " %s = NULL", quoteIdent(m.Name))
	}
	return b.String()
}

// Eval is one evaluation of a trial: metric values by name. Values that
// are NaN or infinite are stored as NULL; the runner records an event
// saying why.
type Eval struct {
	Step   int
	WallS  float64
	Values map[string]float64
}

// SaveEval stores one evaluation; see SaveEvals.
func (d *DB) SaveEval(ctx context.Context, key string, e Eval) error {
	return d.SaveEvals(ctx, key, []Eval{e})
}

// evalRows is how many evaluations one INSERT carries: 21 parameters
// each, well under SQLite's limit of 32,766.
const evalRows = 256

// SaveEvals stores a batch of a trial's evaluations in one transaction:
// one evals row each (the metrics view shows them a value per row), the
// trial's latest (final) values, its progress and heartbeat. The runner
// batches evaluations so that tracking costs one commit every few seconds
// per trial, not one per evaluation.
func (d *DB) SaveEvals(ctx context.Context, key string, evals []Eval) error {
	if len(evals) == 0 {
		return nil
	}
	last := evals[len(evals)-1].Step
	wrap := func(err error) error { return fmt.Errorf("save evals %s@%d: %w", key, last, err) }
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err)
	}
	defer tx.Rollback()
	if err := d.saveEvals(ctx, tx, key, evals); err != nil {
		return wrap(err)
	}
	if err := tx.Commit(); err != nil {
		return wrap(err)
	}
	return nil
}

func (d *DB) saveEvals(ctx context.Context, tx *sql.Tx, key string, evals []Eval) error {
	ms := d.metrics
	width := 4 + len(ms)
	args := make([]any, 0, width*min(len(evals), evalRows))
	// The trial's columns take each metric's latest value in the batch.
	latest := make([]any, len(ms))
	seen := make([]bool, len(ms))
	for n, e := range evals {
		var present int64
		args = append(args, key, e.Step, e.WallS, nil)
		bits := len(args) - 1
		for i, m := range ms {
			v, ok := e.Values[m.Name]
			if !ok {
				args = append(args, nil)
				continue
			}
			// The bit is the metric's stable ID, not its place in the list.
			present |= int64(1) << m.ID
			seen[i] = true
			latest[i] = finite(v)
			args = append(args, latest[i])
		}
		args[bits] = present
		if rows := len(args) / width; rows == evalRows || n == len(evals)-1 {
			if _, err := tx.ExecContext(ctx, d.insertEvals(rows), args...); err != nil {
				return err
			}
			args = args[:0]
		}
	}
	var set strings.Builder
	up := []any{}
	for i, m := range ms {
		if seen[i] {
			fmt.Fprintf(&set, "%s = ?, ", quoteIdent(m.Name))
			up = append(up, latest[i])
		}
	}
	up = append(up, evals[len(evals)-1].Step, now(), key)
	_, err := tx.ExecContext(ctx, "UPDATE trials SET "+set.String()+"steps_done = ?, heartbeat_at = ? WHERE key = ?", up...)
	return err
}

// insertEvals is an upsert of n evals rows: a trial that is run again
// after it was reclaimed writes the same steps.
func (d *DB) insertEvals(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO evals (trial_key, step, wall_s, present")
	row := "(?, ?, ?, ?"
	for _, m := range d.metrics {
		b.WriteString(", " + quoteIdent(m.Name))
		row += ", ?"
	}
	row += ")"
	b.WriteString(") VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(" ON CONFLICT (trial_key, step) DO UPDATE SET wall_s = excluded.wall_s, present = excluded.present")
	for _, m := range d.metrics {
		fmt.Fprintf(&b, ", %[1]s = excluded.%[1]s", quoteIdent(m.Name))
	}
	return b.String()
}

// finite maps NaN and ±Inf to NULL.
func finite(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// AddEvent records a notable moment of a trial; detail is stored as JSON.
func (d *DB) AddEvent(ctx context.Context, key string, step int, kind string, detail any) error {
	return d.SaveBatch(ctx, key, Batch{Events: []NewEvent{{Step: step, Kind: kind, Detail: detail}}})
}

// Batch is what a running trial produced since it was last written:
// evaluations, artifacts and events, stored in one transaction, so that
// what is stored is always a prefix of the trial.
type Batch struct {
	Evals     []Eval
	Artifacts []Artifact
	Events    []NewEvent
}

// NewEvent is an event to record; Detail is stored as JSON.
type NewEvent struct {
	Step   int
	Kind   string
	Detail any
}

// SaveBatch stores a batch in one transaction. A trial's writes are
// batched because each commit costs more than the rows in it (measured by
// BenchmarkSaveEvals), and a short trial makes several a second.
func (d *DB) SaveBatch(ctx context.Context, key string, b Batch) error {
	wrap := func(err error) error { return fmt.Errorf("save results of %s: %w", key, err) }
	if len(b.Evals) > 0 {
		last := b.Evals[len(b.Evals)-1].Step
		wrap = func(err error) error { return fmt.Errorf("save evals %s@%d: %w", key, last, err) }
	}
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err)
	}
	defer tx.Rollback()
	if len(b.Evals) > 0 {
		if err := d.saveEvals(ctx, tx, key, b.Evals); err != nil {
			return wrap(err)
		}
	}
	for _, a := range b.Artifacts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO artifacts (trial_key, step, kind, path_or_blob) VALUES (?, ?, ?, ?)
			ON CONFLICT (trial_key, step, kind) DO UPDATE SET path_or_blob = excluded.path_or_blob`, key, a.Step, a.Kind, a.Data); err != nil {
			return wrap(fmt.Errorf("%s artifact at step %d: %w", a.Kind, a.Step, err))
		}
	}
	for _, e := range b.Events {
		if err := addEvent(ctx, tx, key, e.Step, e.Kind, e.Detail); err != nil {
			return wrap(fmt.Errorf("event %s: %w", e.Kind, err))
		}
	}
	if err := tx.Commit(); err != nil {
		return wrap(err)
	}
	return nil
}

func addEvent(ctx context.Context, tx *sql.Tx, key string, step int, kind string, detail any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO events (trial_key, step, kind, detail, created_at) VALUES (?, ?, ?, ?, ?)",
		key, step, kind, string(b), now())
	return err
}

// Final is how a trial ended.
type Final struct {
	Status    ganexp.Status
	StepsDone int
	Error     string // message and stack of a failed trial
	Duration  time.Duration
	// Verdict names the detector whose verdict the status is, if any, with
	// the step it fired at, its message and the steps stopping there saved.
	Verdict        string
	VerdictStep    int
	VerdictMessage string
	StepsSaved     int
	// Kernel is the matrix-multiply kernel that trained the trial.
	Kernel string
}

// Finish records how a trial ended.
func (d *DB) Finish(ctx context.Context, key string, f Final) error {
	_, err := d.sql.ExecContext(ctx, `UPDATE trials SET status = ?, steps_done = ?, error = ?,
		finished_at = ?, duration_s = ?, heartbeat_at = NULL,
		verdict = ?, verdict_step = ?, verdict_message = ?, steps_saved = ?, kernel = ? WHERE key = ?`,
		string(f.Status), f.StepsDone, nullString(f.Error), now(), f.Duration.Seconds(),
		nullString(f.Verdict), nullIf(f.Verdict == "", f.VerdictStep), nullString(f.VerdictMessage),
		nullIf(f.Verdict == "" && f.Status != ganexp.StatusPruned, f.StepsSaved), nullString(f.Kernel), key)
	if err != nil {
		return fmt.Errorf("finish trial %s as %s: %w", key, f.Status, err)
	}
	return nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullIf(null bool, v any) any {
	if null {
		return nil
	}
	return v
}

// Running is a trial some process marked running.
type Running struct {
	Key       string
	Owner     Owner
	Heartbeat time.Time // zero when the process never beat
}

// RunningTrials lists the trials marked running, with their owners and
// last heartbeats, so the runner can tell which owners are gone.
func (d *DB) RunningTrials(ctx context.Context) ([]Running, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT key, coalesce(owner_pid, 0), coalesce(owner_host, ''),
		coalesce(heartbeat_at, '') FROM trials WHERE status = 'running'`)
	if err != nil {
		return nil, fmt.Errorf("list running trials: %w", err)
	}
	defer rows.Close()
	var out []Running
	for rows.Next() {
		var r Running
		var hb string
		if err := rows.Scan(&r.Key, &r.Owner.PID, &r.Owner.Host, &hb); err != nil {
			return nil, fmt.Errorf("list running trials: %w", err)
		}
		r.Heartbeat, _ = time.Parse(timeFormat, hb)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Heartbeat marks the owner's running trials among keys as alive now.
func (d *DB) Heartbeat(ctx context.Context, keys []string, o Owner) error {
	if len(keys) == 0 {
		return nil
	}
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("heartbeat: %w", err)
	}
	defer tx.Rollback()
	ts := now()
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `UPDATE trials SET heartbeat_at = ?
			WHERE key = ? AND status = 'running' AND owner_pid = ? AND owner_host = ?`, ts, k, o.PID, o.Host); err != nil {
			return fmt.Errorf("heartbeat %s: %w", k, err)
		}
	}
	return tx.Commit()
}

// Abandon marks a running trial whose owner process died as interrupted,
// so the next claim runs it again. It does nothing if the trial moved on
// or changed owner meanwhile.
func (d *DB) Abandon(ctx context.Context, key string, o Owner, reason string) error {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("abandon trial %s: %w", key, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE trials SET status = 'interrupted', heartbeat_at = NULL
		WHERE key = ? AND status = 'running' AND owner_pid = ? AND owner_host = ?`, key, o.PID, o.Host)
	if err != nil {
		return fmt.Errorf("abandon trial %s: %w", key, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		detail := map[string]any{"owner_pid": o.PID, "owner_host": o.Host, "reason": reason}
		if err := addEvent(ctx, tx, key, 0, "abandoned", detail); err != nil {
			return fmt.Errorf("abandon trial %s: %w", key, err)
		}
	}
	return tx.Commit()
}

// SaveArtifact stores an object the reports draw, replacing one of the
// same trial, step and kind.
func (d *DB) SaveArtifact(ctx context.Context, key string, step int, kind string, data []byte) error {
	return d.SaveBatch(ctx, key, Batch{Artifacts: []Artifact{{Step: step, Kind: kind, Data: data}}})
}
