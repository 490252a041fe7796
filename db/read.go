package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ganexp/ganexp"
)

// TrialRow is one trial as reports see it.
type TrialRow struct {
	Key        string
	Sweep      string
	Status     ganexp.Status
	Seed       int64
	StepsDone  int
	StepsTotal int
	Attempts   int
	StartedAt  string
	FinishedAt string
	DurationS  *float64
	Error      string
	ConfigJSON string
	// Verdict is the detector that decided a collapsed or diverged status,
	// VerdictStep the step it fired at and StepsSaved what stopping saved.
	Verdict        string
	VerdictStep    int
	VerdictMessage string
	StepsSaved     int
	Kernel         string              // the matrix-multiply kernel that trained it
	Params         []ganexp.Param      // in config order
	Final          map[string]*float64 // last evaluation; nil pointer for NULL
	// Metrics are the store's metrics, in display order: the keys of
	// Final, and what they mean.
	Metrics ganexp.MetricSet
}

// Param returns the value of the named parameter, or nil.
func (t TrialRow) Param(name string) any {
	for _, p := range t.Params {
		if p.Name == name {
			return p.Value
		}
	}
	return nil
}

// Filter selects trials. Zero fields select everything.
type Filter struct {
	Sweep     string
	KeyPrefix string
	Status    ganexp.Status
}

// Trials returns the trials matching f, in sweep plan order.
func (d *DB) Trials(ctx context.Context, f Filter) ([]TrialRow, error) {
	var cols strings.Builder
	for _, m := range d.metrics {
		if d.missing[m.Name] {
			cols.WriteString(", NULL")
			continue
		}
		fmt.Fprintf(&cols, ", t.%s", quoteIdent(m.Name))
	}
	kernel := "coalesce(t.kernel, '')"
	if d.missing["kernel"] {
		kernel = "''"
	}
	q := `SELECT t.key, s.name, t.status, t.seed, t.steps_done, t.steps_total, t.attempts,
			coalesce(t.started_at, ''), coalesce(t.finished_at, ''), t.duration_s, coalesce(t.error, ''),
			t.config_json, coalesce(t.verdict, ''), coalesce(t.verdict_step, 0), coalesce(t.verdict_message, ''), coalesce(t.steps_saved, 0), ` + kernel + cols.String() + `
		FROM trials t JOIN sweeps s ON s.id = t.sweep_id
		LEFT JOIN sweep_trials st ON st.sweep_id = t.sweep_id AND st.trial_key = t.key
		WHERE 1 = 1`
	var args []any
	if f.Sweep != "" {
		q += " AND t.key IN (SELECT trial_key FROM sweep_trials JOIN sweeps ON sweeps.id = sweep_id WHERE sweeps.name = ?)"
		args = append(args, f.Sweep)
	}
	if f.Status != "" {
		q += " AND t.status = ?"
		args = append(args, string(f.Status))
	}
	if f.KeyPrefix != "" {
		q += " AND t.key LIKE ? ESCAPE '\\'"
		args = append(args, escapeLike(f.KeyPrefix)+"%")
	}
	q += " ORDER BY s.id, st.position, t.key"
	rows, err := d.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list trials: %w", err)
	}
	defer rows.Close()
	var out []TrialRow
	index := map[string]int{}
	for rows.Next() {
		var t TrialRow
		var status string
		var dur sql.NullFloat64
		finals := make([]sql.NullFloat64, len(d.metrics))
		dest := []any{&t.Key, &t.Sweep, &status, &t.Seed, &t.StepsDone, &t.StepsTotal, &t.Attempts,
			&t.StartedAt, &t.FinishedAt, &dur, &t.Error, &t.ConfigJSON, &t.Verdict, &t.VerdictStep, &t.VerdictMessage, &t.StepsSaved, &t.Kernel}
		for i := range finals {
			dest = append(dest, &finals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("list trials: %w", err)
		}
		t.Status = ganexp.Status(status)
		if dur.Valid {
			t.DurationS = &dur.Float64
		}
		t.Final = map[string]*float64{}
		t.Metrics = d.metrics
		for i, m := range d.metrics {
			if finals[i].Valid {
				v := finals[i].Float64
				t.Final[m.Name] = &v
			} else {
				t.Final[m.Name] = nil
			}
		}
		if d.missing["balanced_hq"] {
			// A file from before schema v4, read as it is.
			hq, kl := t.Final["hq_fraction"], t.Final["mode_kl"]
			var k sql.NullFloat64
			if kl != nil {
				k = sql.NullFloat64{Float64: *kl, Valid: true}
			}
			if hq != nil {
				b := balancedHQ(sql.NullFloat64{Float64: *hq, Valid: true}, k)
				t.Final["balanced_hq"] = &b.Float64
			}
		}
		index[t.Key] = len(out)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list trials: %w", err)
	}
	if err := d.loadParams(ctx, out, index); err != nil {
		return nil, err
	}
	return out, nil
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

func (d *DB) loadParams(ctx context.Context, trials []TrialRow, index map[string]int) error {
	if len(trials) == 0 {
		return nil
	}
	rows, err := d.sql.QueryContext(ctx, "SELECT trial_key, name, value FROM params ORDER BY trial_key, pos")
	if err != nil {
		return fmt.Errorf("load params: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key, name string
		var v any
		if err := rows.Scan(&key, &name, &v); err != nil {
			return fmt.Errorf("load params: %w", err)
		}
		i, ok := index[key]
		if !ok {
			continue
		}
		if b, ok := v.([]byte); ok {
			v = string(b)
		}
		trials[i].Params = append(trials[i].Params, ganexp.Param{Name: name, Value: v})
	}
	return rows.Err()
}

// ErrNoTrial is the Kind of the input error FindTrial returns when no
// trial has the key.
var ErrNoTrial = errors.New("no such trial")

// FindTrial returns the one trial whose key starts with prefix.
func (d *DB) FindTrial(ctx context.Context, prefix string) (TrialRow, error) {
	ts, err := d.Trials(ctx, Filter{KeyPrefix: prefix})
	if err != nil {
		return TrialRow{}, err
	}
	switch len(ts) {
	case 0:
		e := ganexp.Inputf("", "list keys with `ganexp runs`", "no trial with key %q in %s", prefix, d.path)
		e.Kind = ErrNoTrial
		return TrialRow{}, e
	case 1:
		return ts[0], nil
	}
	keys := make([]string, 0, 4)
	for i, t := range ts {
		if i == 4 {
			keys = append(keys, "…")
			break
		}
		keys = append(keys, t.Key)
	}
	return TrialRow{}, ganexp.Inputf("", "give more of the key", "key %q matches %d trials: %s", prefix, len(ts), strings.Join(keys, ", "))
}

// Point is one value of a metric series.
type Point struct {
	Step  int
	Value *float64 // nil for NULL (non-finite)
	WallS float64
}

// Series returns a trial's metric series by name, each ordered by step.
func (d *DB) Series(ctx context.Context, key string) (map[string][]Point, error) {
	rows, err := d.sql.QueryContext(ctx, "SELECT name, step, value, wall_s FROM metrics WHERE trial_key = ? ORDER BY name, step", key)
	if err != nil {
		return nil, fmt.Errorf("read metrics of %s: %w", key, err)
	}
	defer rows.Close()
	out := map[string][]Point{}
	for rows.Next() {
		var name string
		var p Point
		var v sql.NullFloat64
		if err := rows.Scan(&name, &p.Step, &v, &p.WallS); err != nil {
			return nil, fmt.Errorf("read metrics of %s: %w", key, err)
		}
		if v.Valid {
			p.Value = &v.Float64
		}
		out[name] = append(out[name], p)
	}
	return out, rows.Err()
}

// Event is one row of the events table.
type Event struct {
	Step      int
	Kind      string
	Detail    string // JSON
	CreatedAt string
}

// Events returns a trial's events in order.
func (d *DB) Events(ctx context.Context, key string) ([]Event, error) {
	rows, err := d.sql.QueryContext(ctx, "SELECT coalesce(step, 0), kind, detail, created_at FROM events WHERE trial_key = ? ORDER BY id", key)
	if err != nil {
		return nil, fmt.Errorf("read events of %s: %w", key, err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.Step, &e.Kind, &e.Detail, &e.CreatedAt); err != nil {
			return nil, fmt.Errorf("read events of %s: %w", key, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Statuses returns the current status of each key that exists.
func (d *DB) Statuses(ctx context.Context, keys []string) (map[string]ganexp.Status, error) {
	out := make(map[string]ganexp.Status, len(keys))
	rows, err := d.sql.QueryContext(ctx, "SELECT key, status FROM trials")
	if err != nil {
		return nil, fmt.Errorf("read statuses: %w", err)
	}
	defer rows.Close()
	want := make(map[string]bool, len(keys))
	for _, k := range keys {
		want[k] = true
	}
	for rows.Next() {
		var k, s string
		if err := rows.Scan(&k, &s); err != nil {
			return nil, fmt.Errorf("read statuses: %w", err)
		}
		if want[k] {
			out[k] = ganexp.Status(s)
		}
	}
	return out, rows.Err()
}

// Artifact is one stored object of a trial.
type Artifact struct {
	Step int
	Kind string
	Data []byte
}

// Artifacts returns a trial's artifacts ordered by step and kind.
func (d *DB) Artifacts(ctx context.Context, key string) ([]Artifact, error) {
	rows, err := d.sql.QueryContext(ctx, "SELECT step, kind, path_or_blob FROM artifacts WHERE trial_key = ? ORDER BY step, kind", key)
	if err != nil {
		return nil, fmt.Errorf("read artifacts of %s: %w", key, err)
	}
	defer rows.Close()
	var out []Artifact
	for rows.Next() {
		var a Artifact
		if err := rows.Scan(&a.Step, &a.Kind, &a.Data); err != nil {
			return nil, fmt.Errorf("read artifacts of %s: %w", key, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SweepRow is one sweep with how its trials stand.
type SweepRow struct {
	Name       string
	ConfigPath string
	CreatedAt  string
	UpdatedAt  string
	Trials     int                   // trials in the sweep (its plan)
	Statuses   map[ganexp.Status]int // trials per status
}

// Sweeps lists the sweeps in the database, oldest first, with their
// trials counted per status (a trial shared by two sweeps counts in both).
func (d *DB) Sweeps(ctx context.Context) ([]SweepRow, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT s.name, s.config_path, s.created_at, s.updated_at, t.status, count(t.key)
		FROM sweeps s LEFT JOIN sweep_trials st ON st.sweep_id = s.id LEFT JOIN trials t ON t.key = st.trial_key
		GROUP BY s.id, t.status ORDER BY s.id, t.status`)
	if err != nil {
		return nil, fmt.Errorf("list sweeps: %w", err)
	}
	defer rows.Close()
	var out []SweepRow
	for rows.Next() {
		var r SweepRow
		var status sql.NullString
		var n int
		if err := rows.Scan(&r.Name, &r.ConfigPath, &r.CreatedAt, &r.UpdatedAt, &status, &n); err != nil {
			return nil, fmt.Errorf("list sweeps: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Name != r.Name {
			r.Statuses = map[ganexp.Status]int{}
			out = append(out, r)
		}
		last := &out[len(out)-1]
		if status.Valid {
			last.Statuses[ganexp.Status(status.String)] += n
			last.Trials += n
		}
	}
	return out, rows.Err()
}

// CheckSweep returns an input error listing the sweeps in the database
// unless one is called name.
func (d *DB) CheckSweep(ctx context.Context, name, flag string) error {
	sweeps, err := d.Sweeps(ctx)
	if err != nil {
		return err
	}
	var names []string
	for _, s := range sweeps {
		if s.Name == name {
			return nil
		}
		names = append(names, s.Name)
	}
	hint := "no sweeps yet"
	if len(names) > 0 {
		hint = "sweeps here: " + strings.Join(names, ", ")
	}
	return ganexp.Inputf(flag, hint, "no sweep %q in %s", name, d.path)
}
