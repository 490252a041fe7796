package main_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// pruneSweep is a small ASHA sweep: 12 ring trials of 1,200 steps, rungs
// at 100, 300 and 900 (η = 3), one at a time so that the order of the
// decisions is fixed.
const pruneSweep = `name: asha
dataset: {kind: ring}
train: {steps: 1200, batch_size: 64, eval_every: 100, eval_samples: 500}
arch: {hidden: [32, 32]}
grid:
  loss: [nonsaturating, wgan, lsgan, hinge]
  lr: [1e-4, 1e-3, 3e-3]
`

// TestASHAPrunesAndPromotesFromCheckpoints runs the sweep with ASHA and
// again without pruning, with the real binary. Under ASHA most trials end
// pruned, each with a pruned event and its steps saved; at least one
// paused trial is promoted and goes on from the checkpoint at its rung
// (a resumed event at the rung's step); and every trial that ASHA let run
// to the end has exactly the final metrics of the same trial trained
// straight through: promotion loses and changes nothing.
func TestASHAPrunesAndPromotesFromCheckpoints(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "asha.yaml", pruneSweep+"prune: {strategy: asha, metric: balanced_hq, min_steps: 100, reduction_factor: 3}\n")
	writeFile(t, dir, "full.yaml", strings.Replace(pruneSweep, "name: asha", "name: full", 1))
	for _, f := range []string{"asha", "full"} {
		if r := run(t, dir, nil, "sweep", f+".yaml", "--parallel", "1", "--db", f+".db"); r.code != 0 {
			t.Fatalf("%s: exit %d\n%s", f, r.code, r.stderr)
		}
	}
	asha := openDB(t, filepath.Join(dir, "asha.db"))
	var pruned, savedRows, events int
	asha.QueryRow(`SELECT count(*), count(steps_saved) FROM trials WHERE status = 'pruned'`).Scan(&pruned, &savedRows)
	asha.QueryRow(`SELECT count(DISTINCT trial_key) FROM events e JOIN trials t ON t.key = e.trial_key
		WHERE e.kind = 'pruned' AND t.status = 'pruned'`).Scan(&events)
	if pruned < 6 || savedRows != pruned || events != pruned {
		t.Errorf("%d pruned trials, %d with steps_saved, %d with a pruned event; want at least 6, all with both", pruned, savedRows, events)
	}
	var resumed int
	if err := asha.QueryRow(`SELECT count(*) FROM events r JOIN events p ON p.trial_key = r.trial_key AND p.kind = 'promoted'
		AND json_extract(p.detail, '$.resumed_from') = r.step WHERE r.kind = 'resumed' AND r.step > 0`).Scan(&resumed); err != nil || resumed == 0 {
		t.Errorf("no promoted trial went on from its checkpoint (%d, %v)", resumed, err)
	}
	full := openDB(t, filepath.Join(dir, "full.db"))
	rows, err := asha.Query(`SELECT key, steps_done, balanced_hq, mmd2, loss_d FROM trials WHERE status = 'completed'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	completed := 0
	for rows.Next() {
		var key string
		var steps int
		var hq, mmd, lossD sql.NullFloat64
		rows.Scan(&key, &steps, &hq, &mmd, &lossD)
		var fSteps int
		var fhq, fmmd, flossD sql.NullFloat64
		if err := full.QueryRow(`SELECT steps_done, balanced_hq, mmd2, loss_d FROM trials WHERE key = ?`, key).Scan(&fSteps, &fhq, &fmmd, &flossD); err != nil {
			t.Fatal(err)
		}
		if steps != fSteps || hq != fhq || mmd != fmmd || lossD != flossD {
			t.Errorf("trial %s under ASHA: %d steps, balanced_hq %v, mmd2 %v, loss_d %v; straight through: %d, %v, %v, %v",
				key, steps, hq, mmd, lossD, fSteps, fhq, fmmd, flossD)
		}
		completed++
	}
	if completed == 0 {
		t.Error("ASHA let no trial run to the end")
	}
}
