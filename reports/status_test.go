package reports

import (
	"strings"
	"testing"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
)

// TestStatusUnion: a trial in two shards counts once, as far as either
// has it; steps count planned ones for trials with a result and trained
// ones for the rest.
func TestStatusUnion(t *testing.T) {
	row := func(key string, st ganexp.Status, done int) db.TrialRow {
		return db.TrialRow{Key: key, Status: st, StepsDone: done, StepsTotal: 100}
	}
	files := map[string][]db.TrialRow{
		"a.db": {row("k1", ganexp.StatusCompleted, 100), row("k2", ganexp.StatusPending, 0), row("k3", ganexp.StatusRunning, 40)},
		"b.db": {row("k2", ganexp.StatusCollapsed, 30), row("k3", ganexp.StatusRunning, 60), row("k4", ganexp.StatusInterrupted, 10)},
	}
	all := Union(files)
	// k1 completed (100 of 100), k2 collapsed (its 100 planned: a result),
	// k3 running at 60, k4 interrupted at 10: 270 of 400.
	want := map[ganexp.Status]int{ganexp.StatusCompleted: 1, ganexp.StatusCollapsed: 1, ganexp.StatusRunning: 1, ganexp.StatusInterrupted: 1}
	if all.Trials != 4 || all.Done != 270 || all.Total != 400 {
		t.Errorf("union: %d trials, %d of %d steps; want 4, 270 of 400", all.Trials, all.Done, all.Total)
	}
	for s, n := range want {
		if all.Counts[s] != n {
			t.Errorf("union: %s %d, want %d", s, all.Counts[s], n)
		}
	}
	var b strings.Builder
	WriteStatus(&b, []FileStatus{Status("a.db", files["a.db"]), Status("b.db", files["b.db"]), {File: "c.db", Note: "starting"}}, all)
	for _, line := range []string{"a.db      3       1        1        1          0", "all       4", "67.5%", "c.db", "starting"} {
		if !strings.Contains(b.String(), line) {
			t.Errorf("table lacks %q:\n%s", line, b.String())
		}
	}
}
