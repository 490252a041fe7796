package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/ganexp/ganexp/evaluate"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ganexp/ganexp"
)

func testConfig(loss string) ganexp.Config {
	return ganexp.Config{
		Dataset: ganexp.Dataset{Name: "ring", Kind: "ring", Modes: 8, Radius: 2, Std: 0.02},
		Arch:    ganexp.Arch{Name: "mlp8", G: []int{8}, D: []int{8}, Activation: "relu"},
		Loss:    loss, Optimizer: "adam", LrG: 1e-3, LrD: 1e-3, Beta1: 0.5, Beta2: 0.999, Clip: 0.01,
		BatchSize: 16, ZDim: 2, NCritic: 1, Steps: 100, EvalEvery: 50, EvalSamples: 100,
	}
}

func openTemp(t *testing.T) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "g.db")
	d, err := Open(context.Background(), path, testMetrics)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, path
}

func TestOpenCreatesSchema(t *testing.T) {
	d, _ := openTemp(t)
	ctx := context.Background()
	var mode string
	if err := d.sql.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode: got %q (%v), want wal", mode, err)
	}
	var timeout int
	if err := d.sql.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&timeout); err != nil || timeout < 1000 {
		t.Errorf("busy_timeout: got %d (%v), want ≥ 1000 ms", timeout, err)
	}
	if v, err := d.schemaVersion(ctx); err != nil || v != SchemaVersion() || v < 1 {
		t.Errorf("schema version: got %d (%v), want %d", v, err, SchemaVersion())
	}
	for _, name := range []string{"sweeps", "trials", "params", "metrics", "events", "artifacts", "sweep_trials", "trials_wide", "schema_version"} {
		var n int
		d.sql.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name = ?", name).Scan(&n)
		if n != 1 {
			t.Errorf("no table or view %s", name)
		}
	}
	// Every metric of the registry has a final-value column.
	for _, m := range testMetrics {
		if _, err := d.sql.ExecContext(ctx, "SELECT "+m.Name+" FROM trials"); err != nil {
			t.Errorf("trials has no column for metric %s: %v", m.Name, err)
		}
	}
}

func TestOpenReopenIsIdempotent(t *testing.T) {
	d, path := openTemp(t)
	d.Close()
	d2, err := Open(context.Background(), path, testMetrics)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	var n int
	d2.sql.QueryRow("SELECT count(*) FROM schema_version").Scan(&n)
	if n != SchemaVersion() {
		t.Errorf("schema_version has %d rows, want %d", n, SchemaVersion())
	}
}

func TestOpenRejectsBadPaths(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("hello, this is not a database at all"), 0o644)
	foreign := filepath.Join(dir, "foreign.db")
	if s, err := sql.Open("sqlite3", foreign); err == nil {
		s.Exec("CREATE TABLE x (a)")
		s.Close()
	}
	newer := filepath.Join(dir, "newer.db")
	if d, err := Open(context.Background(), newer, testMetrics); err == nil {
		d.sql.Exec("INSERT INTO schema_version VALUES (99, 'later')")
		d.Close()
	}
	tests := []struct {
		name, path, want string
	}{
		{"MissingDir", filepath.Join(dir, "no", "g.db"), "directory " + filepath.Join(dir, "no") + " does not exist (create the directory first, or pass another --db)"},
		{"Directory", dir, "database path is a directory"},
		{"NotSQLite", text, "not a SQLite database (pass --db with a ganexp database, or a new file name)"},
		{"ForeignSQLite", foreign, "SQLite database without a ganexp schema (pass --db with a ganexp database, or a new file name)"},
		{"NewerSchema", newer, fmt.Sprintf("database has schema version 99; this ganexp knows up to %d (upgrade ganexp to read it)", SchemaVersion())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := os.ReadFile(tt.path)
			_, err := Open(context.Background(), tt.path, testMetrics)
			var ie *ganexp.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want an *InputError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got  %v\nwant …%s", err, tt.want)
			}
			if after, _ := os.ReadFile(tt.path); !slices.Equal(before, after) {
				t.Errorf("%s changed", tt.path)
			}
		})
	}
	t.Run("ReadOnlyMissing", func(t *testing.T) {
		p := filepath.Join(dir, "absent.db")
		_, err := OpenReadOnly(context.Background(), p, testMetrics)
		if err == nil || !strings.Contains(err.Error(), "no database here") {
			t.Errorf("got %v", err)
		}
		if _, serr := os.Stat(p); !os.IsNotExist(serr) {
			t.Error("read-only open created the file")
		}
	})
}

func register(t *testing.T, d *DB, name string, trials ...ganexp.Trial) int64 {
	t.Helper()
	id, err := d.RegisterSweep(context.Background(), name, name+".yaml", []byte("name: "+name), trials)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestRegisterSweep(t *testing.T) {
	d, _ := openTemp(t)
	ctx := context.Background()
	a, b := ganexp.NewTrial(testConfig("wgan"), 1), ganexp.NewTrial(testConfig("minimax"), 1)
	id1 := register(t, d, "s", a, b)
	id2 := register(t, d, "s", a, b) // rerun: nothing new
	if id1 != id2 {
		t.Errorf("sweep id changed on rerun: %d then %d", id1, id2)
	}
	register(t, d, "other", a) // same trial in another sweep
	var trials, params, members int
	d.sql.QueryRow("SELECT count(*) FROM trials").Scan(&trials)
	d.sql.QueryRow("SELECT count(*) FROM params WHERE trial_key = ?", a.Key).Scan(&params)
	d.sql.QueryRow("SELECT count(*) FROM sweep_trials").Scan(&members)
	if trials != 2 || params != len(a.Config.Params()) || members != 3 {
		t.Errorf("got %d trials, %d params of a, %d memberships; want 2, %d, 3", trials, params, members, len(a.Config.Params()))
	}
	// trials_wide has one column per parameter, typed as given.
	var loss string
	var lr float64
	var batch int64
	var clip sql.NullFloat64
	err := d.sql.QueryRowContext(ctx, "SELECT loss, lr_g, batch_size, clip FROM trials_wide WHERE key = ?", b.Key).Scan(&loss, &lr, &batch, &clip)
	if err != nil || loss != "minimax" || lr != 1e-3 || batch != 16 || clip.Valid {
		t.Errorf("trials_wide row: %v %v %v %v (%v)", loss, lr, batch, clip, err)
	}
	var typ string
	d.sql.QueryRow("SELECT typeof(value) FROM params WHERE name = 'lr_g' LIMIT 1").Scan(&typ)
	if typ != "real" {
		t.Errorf("lr_g stored as %s, want real", typ)
	}
	rows, err := d.Trials(ctx, Filter{Sweep: "other"})
	if err != nil || len(rows) != 1 || rows[0].Key != a.Key {
		t.Errorf("Trials(other): %v %v", rows, err)
	}
}

func TestTrialLifecycle(t *testing.T) {
	d, _ := openTemp(t)
	ctx := context.Background()
	tr := ganexp.NewTrial(testConfig("wgan"), 1)
	register(t, d, "s", tr)
	me := Owner{PID: 42, Host: "here"}

	ok, err := d.Claim(ctx, tr.Key, me)
	if err != nil || !ok {
		t.Fatalf("first claim: %v %v", ok, err)
	}
	if ok, _ := d.Claim(ctx, tr.Key, me); ok {
		t.Error("a running trial was claimed twice")
	}
	evals := []Eval{
		{Step: 50, WallS: 1.5, Values: map[string]float64{"loss_d": 0.5, "modes_captured": 3, "mode_kl": math.NaN()}},
		{Step: 100, WallS: 3, Values: map[string]float64{"loss_d": math.Inf(1), "modes_captured": 8, "mode_kl": 0.25}},
	}
	if err := d.SaveEval(ctx, tr.Key, evals[0]); err != nil {
		t.Fatal(err)
	}
	// The second evaluation travels with the event, in one transaction.
	if err := d.SaveBatch(ctx, tr.Key, Batch{Evals: evals[1:], Events: []NewEvent{{Step: 100, Kind: "non_finite", Detail: map[string]any{"metrics": []string{"loss_d"}}}}}); err != nil {
		t.Fatal(err)
	}
	if err := d.Finish(ctx, tr.Key, Final{Status: ganexp.StatusCompleted, StepsDone: 100, Duration: 3 * time.Second}); err != nil {
		t.Fatal(err)
	}
	row, err := d.FindTrial(ctx, tr.Key[:5])
	if err != nil {
		t.Fatal(err)
	}
	if row.Status != ganexp.StatusCompleted || row.StepsDone != 100 || *row.DurationS != 3 || row.Attempts != 1 {
		t.Errorf("row: %+v", row)
	}
	// Final values are the last evaluation's; Inf is stored as NULL.
	if row.Final["loss_d"] != nil || *row.Final["modes_captured"] != 8 || *row.Final["mode_kl"] != 0.25 {
		t.Errorf("finals: loss_d %v modes %v kl %v", row.Final["loss_d"], row.Final["modes_captured"], row.Final["mode_kl"])
	}
	series, _ := d.Series(ctx, tr.Key)
	if got := series["loss_d"]; len(got) != 2 || *got[0].Value != 0.5 || got[1].Value != nil || got[1].WallS != 3 {
		t.Errorf("loss_d series: %+v", got)
	}
	if got := series["mode_kl"]; got[0].Value != nil {
		t.Errorf("NaN mode_kl stored as %v, want NULL", *got[0].Value)
	}
	events, _ := d.Events(ctx, tr.Key)
	if len(events) != 1 || events[0].Kind != "non_finite" || events[0].Detail != `{"metrics":["loss_d"]}` {
		t.Errorf("events: %+v", events)
	}
	if ok, _ := d.Claim(ctx, tr.Key, me); ok {
		t.Error("a completed trial was claimed")
	}

	// A failed trial is claimed again, and its old results are cleared.
	d.sql.Exec("UPDATE trials SET status = 'failed' WHERE key = ?", tr.Key)
	if ok, err := d.Claim(ctx, tr.Key, me); !ok || err != nil {
		t.Fatalf("reclaim failed trial: %v %v", ok, err)
	}
	var metrics, evs int
	d.sql.QueryRow("SELECT count(*) FROM metrics WHERE trial_key = ?", tr.Key).Scan(&metrics)
	d.sql.QueryRow("SELECT count(*) FROM events WHERE trial_key = ?", tr.Key).Scan(&evs)
	row, _ = d.FindTrial(ctx, tr.Key)
	if metrics != 0 || evs != 0 || row.Final["modes_captured"] != nil || row.Attempts != 2 || row.Status != ganexp.StatusRunning {
		t.Errorf("after reclaim: %d metrics, %d events, modes %v, attempts %d, status %s", metrics, evs, row.Final["modes_captured"], row.Attempts, row.Status)
	}
}

func TestFindTrial(t *testing.T) {
	d, _ := openTemp(t)
	var trials []ganexp.Trial
	for seed := int64(1); seed <= 40; seed++ {
		trials = append(trials, ganexp.NewTrial(testConfig("hinge"), seed))
	}
	register(t, d, "s", trials...)
	ctx := context.Background()
	if _, err := d.FindTrial(ctx, "zz"); err == nil || !strings.Contains(err.Error(), `no trial with key "zz"`) {
		t.Errorf("missing: %v", err)
	}
	// 40 keys of 16 hex digits: some single digit prefixes more than once.
	counts := map[byte]int{}
	for _, tr := range trials {
		counts[tr.Key[0]]++
	}
	for c, n := range counts {
		if n > 1 {
			_, err := d.FindTrial(ctx, string(c))
			if err == nil || !strings.Contains(err.Error(), "matches") {
				t.Errorf("ambiguous prefix %c: %v", c, err)
			}
			break
		}
	}
}

func TestMigrateFromV1(t *testing.T) {
	// A database written by schema v1 gains the detection columns, and its
	// trials_wide view shows them.
	path := filepath.Join(t.TempDir(), "v1.db")
	raw, err := open(path, "rwc")
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := migrations()
	if err := raw.apply(context.Background(), ms[0]); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	d, err := Open(context.Background(), path, testMetrics)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if v, _ := d.schemaVersion(context.Background()); v != SchemaVersion() {
		t.Errorf("schema version %d after migrating, want %d", v, SchemaVersion())
	}
	for _, col := range []string{"verdict", "verdict_step", "verdict_message", "steps_saved", "recall", "coverage"} {
		if _, err := d.sql.Exec("SELECT " + col + " FROM trials_wide"); err != nil {
			t.Errorf("trials_wide lacks %s: %v", col, err)
		}
	}
}

// TestMigrateMetricsToEvals writes metric rows the v2 way (a row per value,
// one NULL for a non-finite value, one evaluation with only two metrics),
// migrates, and checks that the metrics view gives back exactly those rows.
func TestMigrateMetricsToEvals(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v2.db")
	raw, err := open(path, "rwc")
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := migrations()
	for _, m := range ms[:2] {
		if err := raw.apply(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	tr := ganexp.NewTrial(testConfig("hinge"), 1)
	if _, err := raw.RegisterSweep(ctx, "s", "s.yaml", nil, []ganexp.Trial{tr}); err != nil {
		t.Fatal(err)
	}
	type row struct {
		step  int
		name  string
		value any
		wall  float64
	}
	var rows []row
	for _, m := range testMetrics {
		if m.ID < 17 { // the metrics of schema v2
			rows = append(rows, row{100, m.Name, float64(m.ID) + 0.25, 1.5})
		}
	}
	rows[7].value = nil // a NaN, stored as NULL
	rows = append(rows, row{200, "loss_d", 0.5, 3}, row{200, "d_fake", -1.0, 3})
	for _, r := range rows {
		if _, err := raw.sql.Exec("INSERT INTO metrics (trial_key, step, name, value, wall_s) VALUES (?, ?, ?, ?, ?)", tr.Key, r.step, r.name, r.value, r.wall); err != nil {
			t.Fatal(err)
		}
	}
	dump := func(q *sql.DB) []string {
		rs, err := q.Query("SELECT step, name, quote(value), wall_s FROM metrics ORDER BY step, name")
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		var out []string
		for rs.Next() {
			var step int
			var name, value string
			var wall float64
			rs.Scan(&step, &name, &value, &wall)
			out = append(out, fmt.Sprint(step, name, value, wall))
		}
		return out
	}
	want := dump(raw.sql)
	raw.Close()
	d, err := Open(ctx, path, testMetrics)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// Schema v4 adds balanced_hq, filled in from hq_fraction and mode_kl
	// where the evaluation had them: at step 100, 5.25·exp(−6.25).
	var balanced float64
	if err := d.sql.QueryRow("SELECT value FROM metrics WHERE name = 'balanced_hq' AND step = 100").Scan(&balanced); err != nil {
		t.Fatal(err)
	}
	if want := 5.25 * math.Exp(-6.25); math.Abs(balanced-want) > 1e-12 {
		t.Errorf("balanced_hq = %v, want %v", balanced, want)
	}
	var got []string
	for _, r := range dump(d.sql) {
		if !strings.Contains(r, "balanced_hq") {
			got = append(got, r)
		}
	}
	if len(got) != len(rows) || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("metrics after migrating:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestBalancedHQOnOlderFiles: a schema v3 file read as it is derives
// balanced_hq from hq_fraction and mode_kl; opened for writing, it is
// migrated and the values are stored.
func TestBalancedHQOnOlderFiles(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v3.db")
	raw, err := open(path, "rwc")
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := migrations()
	for _, m := range ms[:3] {
		if err := raw.apply(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	a, b := ganexp.NewTrial(testConfig("hinge"), 1), ganexp.NewTrial(testConfig("hinge"), 2)
	if _, err := raw.RegisterSweep(ctx, "s", "s.yaml", nil, []ganexp.Trial{a, b}); err != nil {
		t.Fatal(err)
	}
	// a: half its samples on modes, KL 0.1; b: none on a mode (KL NULL).
	for _, q := range []string{
		"UPDATE trials SET hq_fraction = 0.5, mode_kl = 0.1 WHERE key = '" + a.Key + "'",
		"UPDATE trials SET hq_fraction = 0, mode_kl = NULL WHERE key = '" + b.Key + "'",
		"INSERT INTO evals (trial_key, step, wall_s, present, hq_fraction, mode_kl) VALUES ('" + a.Key + "', 10, 1, 96, 0.5, 0.1)",
		"INSERT INTO evals (trial_key, step, wall_s, present, hq_fraction, mode_kl) VALUES ('" + b.Key + "', 10, 1, 96, 0, NULL)",
	} {
		if _, err := raw.sql.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	want := map[string]float64{a.Key: 0.5 * math.Exp(-0.1), b.Key: 0}
	check := func(d *DB, when string) {
		rows, err := d.Trials(ctx, Filter{})
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		for _, r := range rows {
			if got := r.Final["balanced_hq"]; got == nil || math.Abs(*got-want[r.Key]) > 1e-12 {
				t.Errorf("%s: balanced_hq of %s = %v, want %v", when, r.Key, got, want[r.Key])
			}
		}
	}
	ro, err := OpenReadOnly(ctx, path, testMetrics)
	if err != nil {
		t.Fatal(err)
	}
	check(ro, "read as it is")
	if v, _ := ro.schemaVersion(ctx); v != 3 {
		t.Errorf("reading changed the schema to v%d", v)
	}
	ro.Close()
	d, err := Open(ctx, path, testMetrics)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	check(d, "migrated")
	for key, w := range want {
		s, err := d.Series(ctx, key)
		if err != nil || len(s["balanced_hq"]) != 1 || s["balanced_hq"][0].Value == nil || math.Abs(*s["balanced_hq"][0].Value-w) > 1e-12 {
			t.Errorf("migrated series of %s: %v, %v; want one point %v", key, s["balanced_hq"], err, w)
		}
	}
}

// testMetrics is the evaluator's registry, as the CLI passes it.
var testMetrics = evaluate.Infos()

// TestPresentBitsAreMetricIDs: an evaluation marks each metric it reports
// with the bit of the metric's ID, whatever the metric's place in the list.
func TestPresentBitsAreMetricIDs(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "e.db"), testMetrics)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	tr := ganexp.NewTrial(testConfig("hinge"), 1)
	if _, err := d.RegisterSweep(ctx, "s", "s.yaml", nil, []ganexp.Trial{tr}); err != nil {
		t.Fatal(err)
	}
	for i, m := range testMetrics {
		if err := d.SaveEval(ctx, tr.Key, Eval{Step: 10 * (i + 1), Values: map[string]float64{m.Name: 1}}); err != nil {
			t.Fatal(err)
		}
		var present int64
		if err := d.sql.QueryRow("SELECT present FROM evals WHERE step = ?", 10*(i+1)).Scan(&present); err != nil {
			t.Fatal(err)
		}
		if present != 1<<m.ID {
			t.Errorf("%s (id %d): present = %b, want bit %d", m.Name, m.ID, present, m.ID)
		}
	}
}

// TestAddingAMetricKeepsOldRows adds a metric in the middle of a copy of
// the registry, as a new metric file and its registry line would, opens
// a database written with the old registry, and reads it back: the old
// rows keep every value under its own name, the new metric gets its
// columns and stable ID, and the two kinds of rows live side by side.
func TestAddingAMetricKeepsOldRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "grow.db")
	old := testMetrics
	d, err := Open(ctx, path, old)
	if err != nil {
		t.Fatal(err)
	}
	a, b := ganexp.NewTrial(testConfig("hinge"), 1), ganexp.NewTrial(testConfig("hinge"), 2)
	if _, err := d.RegisterSweep(ctx, "s", "s.yaml", nil, []ganexp.Trial{a, b}); err != nil {
		t.Fatal(err)
	}
	values := map[string]float64{}
	for _, m := range old {
		values[m.Name] = float64(m.ID) + 0.5
	}
	if err := d.SaveEval(ctx, a.Key, Eval{Step: 100, WallS: 1, Values: values}); err != nil {
		t.Fatal(err)
	}
	d.Close()

	// The new metric, third in display order, with an ID none had.
	grown := slices.Clone(old)
	added := ganexp.MetricInfo{ID: 40, Name: "added_metric", Better: ganexp.HigherIsBetter}
	grown = slices.Insert(grown, 2, added)
	d, err = Open(ctx, path, grown)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	newValues := map[string]float64{"added_metric": 7, "mmd2": 0.25}
	if err := d.SaveEval(ctx, b.Key, Eval{Step: 100, WallS: 1, Values: newValues}); err != nil {
		t.Fatal(err)
	}
	series, err := d.Series(ctx, a.Key)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range old {
		if p := series[m.Name]; len(p) != 1 || p[0].Value == nil || *p[0].Value != float64(m.ID)+0.5 {
			t.Errorf("old row, %s: %v, want %v", m.Name, p, float64(m.ID)+0.5)
		}
	}
	if p, ok := series["added_metric"]; ok {
		t.Errorf("old row reads the added metric: %v", p)
	}
	rows, err := d.Trials(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		got := r.Final["added_metric"]
		switch {
		case r.Key == a.Key && (got != nil || r.Final["mmd2"] == nil || *r.Final["mmd2"] != 7.5):
			t.Errorf("old trial: added_metric %v, mmd2 %v", got, r.Final["mmd2"])
		case r.Key == b.Key && (got == nil || *got != 7 || *r.Final["mmd2"] != 0.25):
			t.Errorf("new trial: added_metric %v, mmd2 %v", got, r.Final["mmd2"])
		}
	}
	newSeries, _ := d.Series(ctx, b.Key)
	if len(newSeries) != 2 || *newSeries["added_metric"][0].Value != 7 {
		t.Errorf("new row: %v", newSeries)
	}
	var id int
	if err := d.sql.QueryRow("SELECT id FROM metric_ids WHERE name = 'added_metric'").Scan(&id); err != nil || id != 40 {
		t.Errorf("added_metric id %d, %v", id, err)
	}
	d.Close()

	// An ID is never changed or reused.
	for _, bad := range []ganexp.MetricInfo{{ID: 41, Name: "mmd2"}, {ID: 7, Name: "other_metric"}} {
		if _, err := Open(ctx, path, append(slices.Clone(grown), bad)); err == nil || !strings.Contains(err.Error(), "id") {
			t.Errorf("%+v: got %v, want a refusal", bad, err)
		}
	}
}

// TestSaveBatch: a batch's evaluations, artifacts and events are all
// stored; a batch that fails stores none of them.
func TestSaveBatch(t *testing.T) {
	d, _ := openTemp(t)
	ctx := context.Background()
	tr := ganexp.NewTrial(testConfig("minimax"), 1)
	register(t, d, "s", tr)
	b := Batch{
		Evals:     []Eval{{Step: 10, WallS: 1, Values: map[string]float64{"loss_d": 0.5}}, {Step: 20, WallS: 2, Values: map[string]float64{"loss_d": 0.25}}},
		Artifacts: []Artifact{{Step: 20, Kind: ganexp.ArtifactSamples, Data: []byte{1, 2}}},
		Events:    []NewEvent{{Step: 20, Kind: "verdict", Detail: map[string]any{"status": "collapsed"}}},
	}
	if err := d.SaveBatch(ctx, tr.Key, b); err != nil {
		t.Fatal(err)
	}
	series, _ := d.Series(ctx, tr.Key)
	arts, _ := d.Artifacts(ctx, tr.Key)
	events, _ := d.Events(ctx, tr.Key)
	if got := series["loss_d"]; len(got) != 2 || got[0].Step != 10 || *got[1].Value != 0.25 {
		t.Errorf("loss_d series: %+v", got)
	}
	if len(arts) != 1 || arts[0].Step != 20 || len(events) != 1 || events[0].Kind != "verdict" {
		t.Errorf("artifacts %+v, events %+v", arts, events)
	}
	// A detail that cannot be encoded fails the batch: its evaluation and
	// artifact are not stored either.
	bad := Batch{
		Evals:     []Eval{{Step: 30, WallS: 3, Values: map[string]float64{"loss_d": 1}}},
		Artifacts: []Artifact{{Step: 30, Kind: ganexp.ArtifactSamples, Data: []byte{3}}},
		Events:    []NewEvent{{Step: 30, Kind: "bad", Detail: func() {}}},
	}
	if err := d.SaveBatch(ctx, tr.Key, bad); err == nil {
		t.Fatal("a batch with an unencodable event was stored")
	}
	series, _ = d.Series(ctx, tr.Key)
	arts, _ = d.Artifacts(ctx, tr.Key)
	if len(series["loss_d"]) != 2 || len(arts) != 1 {
		t.Errorf("a failed batch left %d evaluations and %d artifacts, want 2 and 1", len(series["loss_d"]), len(arts))
	}
}
