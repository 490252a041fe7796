package db

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ganexp/ganexp"
)

// TestMigrateToPrunedStatus: a schema v6 file refuses the status pruned
// (its CHECK constraint); opened by this build it accepts it, keeps its
// trials, passes integrity_check, and a second connection (another
// process) sees the widened constraint too.
func TestMigrateToPrunedStatus(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v6.db")
	raw, err := open(path, "rwc")
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := migrations()
	if ms[6].version != 7 {
		t.Fatalf("migration 7 is %s", ms[6].name)
	}
	for _, m := range ms[:6] {
		if err := raw.apply(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	tr := ganexp.NewTrial(testConfig("hinge"), 1)
	if _, err := raw.sql.ExecContext(ctx, `INSERT INTO sweeps (name, config_path, config_yaml, created_at, updated_at) VALUES ('s', 's.yaml', '', '', '')`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.sql.ExecContext(ctx, `INSERT INTO trials (key, sweep_id, status, seed, config_json, steps_total) VALUES (?, 1, 'completed', 1, '{}', 100)`, tr.Key); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.sql.ExecContext(ctx, "UPDATE trials SET status = 'pruned'"); err == nil {
		t.Fatal("schema v6 took the status pruned")
	}
	// A second process with the file open across the migration.
	other, err := open(path, "rw")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.sql.ExecContext(ctx, "SELECT count(*) FROM trials"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	d, err := Open(ctx, path, testMetrics)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Finish(ctx, tr.Key, Final{Status: ganexp.StatusPruned, StepsDone: 30, StepsSaved: 70}); err != nil {
		t.Fatal(err)
	}
	row, err := d.FindTrial(ctx, tr.Key)
	if err != nil || row.Status != ganexp.StatusPruned || row.StepsSaved != 70 {
		t.Fatalf("after migrating: %+v %v; want pruned with 70 steps saved", row, err)
	}
	if _, err := other.sql.ExecContext(ctx, "UPDATE trials SET status = 'pruned' WHERE key = ?", tr.Key); err != nil {
		t.Errorf("another connection still refuses pruned: %v", err)
	}
	if _, err := d.sql.ExecContext(ctx, "UPDATE trials SET status = 'paused'"); err == nil {
		t.Error("the widened check takes any status")
	}
	var ok string
	if err := d.sql.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity_check: %q %v", ok, err)
	}
}

// TestPruneHistory reads back what the runner wrote: values by trial and
// step, statuses, the rung of the latest pruned event of a trial still
// pruned, and the highest rung each trial was promoted past.
func TestPruneHistory(t *testing.T) {
	ctx := context.Background()
	d, _ := openTemp(t)
	a, b := ganexp.NewTrial(testConfig("hinge"), 1), ganexp.NewTrial(testConfig("hinge"), 2)
	if _, err := d.RegisterSweep(ctx, "s", "s.yaml", nil, []ganexp.Trial{a, b}); err != nil {
		t.Fatal(err)
	}
	other := ganexp.NewTrial(testConfig("wgan"), 1)
	if _, err := d.RegisterSweep(ctx, "t", "t.yaml", nil, []ganexp.Trial{other}); err != nil {
		t.Fatal(err)
	}
	save := func(key string, b Batch) {
		if err := d.SaveBatch(ctx, key, b); err != nil {
			t.Fatal(err)
		}
	}
	save(a.Key, Batch{Evals: []Eval{{Step: 10, Values: map[string]float64{"loss_g": 1}}, {Step: 20, Values: map[string]float64{"loss_g": 2}}},
		Events: []NewEvent{{Step: 10, Kind: "pruned", Detail: map[string]any{"rung": 0}}, {Step: 10, Kind: "promoted", Detail: map[string]any{"rung": 0}},
			{Step: 20, Kind: "pruned", Detail: map[string]any{"rung": 1}}}})
	save(b.Key, Batch{Evals: []Eval{{Step: 10, Values: map[string]float64{"loss_d": 3}}},
		Events: []NewEvent{{Step: 10, Kind: "pruned", Detail: map[string]any{"rung": 0}}}})
	save(other.Key, Batch{Evals: []Eval{{Step: 10, Values: map[string]float64{"loss_g": 9}}}})
	if err := d.Finish(ctx, a.Key, Final{Status: ganexp.StatusPruned, StepsDone: 20}); err != nil {
		t.Fatal(err)
	}
	h, err := d.PruneHistory(ctx, "s", "loss_g")
	if err != nil {
		t.Fatal(err)
	}
	want := []PrunePoint{{a.Key, 10, 1}, {a.Key, 20, 2}}
	if len(h.Values) != 2 || h.Values[0] != want[0] || h.Values[1] != want[1] {
		t.Errorf("values %+v, want %+v (b has no loss_g; the other sweep's trial is not this sweep's)", h.Values, want)
	}
	if h.Status[a.Key] != ganexp.StatusPruned || h.Status[b.Key] != ganexp.StatusPending || len(h.Status) != 2 {
		t.Errorf("statuses %v", h.Status)
	}
	if len(h.Paused) != 1 || h.Paused[a.Key] != 1 {
		t.Errorf("paused %v, want only %s at rung 1 (b is not pruned)", h.Paused, a.Key)
	}
	if len(h.Promoted) != 1 || h.Promoted[a.Key] != 0 {
		t.Errorf("promoted %v", h.Promoted)
	}
	if _, err := d.PruneHistory(ctx, "s", "nope"); err == nil {
		t.Error("an unknown metric was read")
	}
}
