package runner

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/detect"
	"github.com/ganexp/ganexp/prune"
)

// lossTrainer reports a fixed loss_g per trial (by seed) at every
// evaluation: the value a pruner is made to judge by. Its samples are
// real data, so no detector fires.
type lossTrainer struct {
	fakeTrainer
	loss map[int64]float64
}

func (l *lossTrainer) Train(ctx context.Context, t ganexp.Trial, data ganexp.Sampler, obs ganexp.Observer) (int, error) {
	return l.fakeTrainer.Train(ctx, t, data, lossObserver{obs, l.loss[t.Seed]})
}

type lossObserver struct {
	ganexp.Observer
	loss float64
}

func (o lossObserver) Eval(s ganexp.Snapshot) (bool, error) {
	s.LossG = o.loss
	return o.Observer.Eval(s)
}

// pruneJobs are trials of 40 steps evaluated every 10, one per value.
func pruneJobs(values []float64) ([]Job, map[int64]float64) {
	loss := map[int64]float64{}
	js := jobs(len(values))
	for i := range js {
		c := js[i].Trial.Config
		c.Steps, c.EvalEvery = 40, 10
		js[i].Trial = ganexp.NewTrial(c, int64(i+1))
		loss[int64(i+1)] = values[i]
	}
	return js, loss
}

// runPruned runs one trial per value, one at a time, under rule (judging
// loss_g, minimised), and returns the store, the jobs and the summary.
func runPruned(t *testing.T, values []float64, rule prune.Rule) (*db.DB, []Job, Summary) {
	t.Helper()
	js, loss := pruneJobs(values)
	d := setup(t, js)
	rule.Metric = "loss_g"
	r := &Runner{Store: d, Exec: InProcess{Trainer: &lossTrainer{loss: loss}}, Parallel: 1,
		Prune: &Pruning{Rule: rule, Sweep: "s", Store: d}}
	sum, err := r.Run(context.Background(), js)
	if err != nil {
		t.Fatal(err)
	}
	return d, js, sum
}

// TestRunnerPrunesWithASHA runs nine trials one at a time under ASHA
// (η = 3, rungs at steps 10 and 30 of 40, minimising loss_g), with
// loss_g 5, 3, 8, 1, 9, 2, 7, 4, 6. Worked by hand with Li et al.'s rule
// (a trial goes past a rung when among the best ⌊n/3⌋ there; a free slot
// promotes a paused trial before it starts a new one):
//
//	1 (5) alone at rung 0: paused.        2 (3): 2 there, paused.
//	3 (8): best 1 of 3 is 3 → paused; trial 2 is promoted, starts over
//	       (no checkpoints here), and pauses alone at rung 1.
//	4 (1): best of 4 → past rung 0; 2 at rung 1 → paused.
//	5 (9): paused at rung 0.
//	6 (2): best 2 of 6 {1, 2} → past rung 0; best 1 of 3 at rung 1 is 1 →
//	       paused; trial 4 is promoted past rung 1 and completes.
//	7, 8, 9: paused at rung 0 (cut-offs 2, 2, 3).
//
// So trial 4 completes, the eight others end pruned, and trials 2 and 4
// were promoted.
func TestRunnerPrunesWithASHA(t *testing.T) {
	d, js, sum := runPruned(t, []float64{5, 3, 8, 1, 9, 2, 7, 4, 6}, prune.Rule{Strategy: "asha", MinSteps: 10, Reduction: 3})
	key := func(i int) string { return js[i-1].Trial.Key }
	if got, want := sum.Ran[ganexp.StatusCompleted], []string{key(4)}; !slices.Equal(got, want) {
		t.Errorf("completed %v, want %v", got, want)
	}
	if got := len(sum.Ran[ganexp.StatusPruned]); got != 8 {
		t.Errorf("%d pruned, want 8", got)
	}
	if got, want := sum.Promoted, []string{key(2), key(4)}; !slices.Equal(got, want) {
		t.Errorf("promoted %v, want %v", got, want)
	}
	ctx := context.Background()
	for _, c := range []struct {
		trial        int
		rung, step   int
		value        float64
		cutoff       any // nil: too few at the rung
		peers, saved int
	}{
		{1, 0, 10, 5, nil, 1, 30},
		{3, 0, 10, 8, 3.0, 3, 30},
		{2, 1, 30, 3, nil, 1, 10},
		{9, 0, 10, 6, 3.0, 9, 30},
	} {
		row, err := d.FindTrial(ctx, key(c.trial))
		if err != nil {
			t.Fatal(err)
		}
		if row.Status != ganexp.StatusPruned || row.StepsDone != c.step || row.StepsSaved != c.saved {
			t.Errorf("trial %d: %s at step %d, %d saved; want pruned at %d, %d saved", c.trial, row.Status, row.StepsDone, row.StepsSaved, c.step, c.saved)
		}
		events, _ := d.Events(ctx, row.Key)
		var last map[string]any
		for _, e := range events {
			if e.Kind == "pruned" {
				json.Unmarshal([]byte(e.Detail), &last)
			}
		}
		want := map[string]any{"strategy": "asha", "metric": "loss_g", "rung": float64(c.rung), "step": float64(c.step),
			"value": c.value, "cutoff": c.cutoff, "peers": float64(c.peers), "steps_saved": float64(c.saved)}
		for k, v := range want {
			if last[k] != v {
				t.Errorf("trial %d: pruned event %s = %v, want %v (%v)", c.trial, k, last[k], v, last)
			}
		}
	}
	// Trial 4 went past rung 0 at once and past rung 1 when promoted,
	// starting over: there was no checkpoint to go on from.
	events, _ := d.Events(ctx, key(4))
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind)
		if e.Kind == "promoted" && e.Step == 30 && !json.Valid([]byte(e.Detail)) {
			t.Errorf("bad detail %s", e.Detail)
		}
	}
	if want := []string{"promoted", "pruned", "promoted"}; !slices.Equal(kinds, want) {
		t.Errorf("trial 4's events %v, want %v", kinds, want)
	}
	// A rerun promotes nothing more and trains nothing.
	r := &Runner{Store: d, Exec: InProcess{Trainer: &lossTrainer{}}, Parallel: 1,
		Prune: &Pruning{Rule: prune.Rule{Strategy: "asha", Metric: "loss_g", MinSteps: 10, Reduction: 3}, Sweep: "s", Store: d}}
	sum, err := r.Run(ctx, js)
	if err != nil || len(sum.Promoted) != 0 || sum.Skipped != 9 {
		t.Errorf("rerun: %+v, %v; want every trial skipped", sum, err)
	}
}

// TestRunnerPrunesWithTheMedianRule: one at a time, minimising loss_g 5,
// 3, 8, 1, 9, 2 with startup 2. The first two run to the end; trial 3 (8)
// is worse than their median 4 at step 10; trial 5 (9) worse than the
// median 3 of {5, 3, 1}. Pruned trials are never promoted.
func TestRunnerPrunesWithTheMedianRule(t *testing.T) {
	d, js, sum := runPruned(t, []float64{5, 3, 8, 1, 9, 2}, prune.Rule{Strategy: "median", MinSteps: 10, Startup: 2})
	keys := func(is ...int) []string {
		var out []string
		for _, i := range is {
			out = append(out, js[i-1].Trial.Key)
		}
		return out
	}
	if got, want := sum.Ran[ganexp.StatusPruned], keys(3, 5); !slices.Equal(got, want) {
		t.Errorf("pruned %v, want %v", got, want)
	}
	if got, want := sum.Ran[ganexp.StatusCompleted], keys(1, 2, 4, 6); !slices.Equal(got, want) {
		t.Errorf("completed %v, want %v", got, want)
	}
	events, _ := d.Events(context.Background(), keys(5)[0])
	if len(events) != 1 || events[0].Kind != "pruned" {
		t.Fatalf("events %+v", events)
	}
	var detail map[string]any
	json.Unmarshal([]byte(events[0].Detail), &detail)
	if detail["cutoff"] != 3.0 || detail["value"] != 9.0 || detail["peers"] != 4.0 || detail["rung"] != nil {
		t.Errorf("detail %v, want value 9 against the median 3 of 3 finished", detail)
	}
}

// TestDetectorsOverrulePruning: a run a detector stopped as collapsed or
// diverged keeps that status whatever the pruner said; an interrupted one
// the pruner stopped is pruned; one that ended on its own keeps its end.
func TestDetectorsOverrulePruning(t *testing.T) {
	j := prune.Judgement{Rung: 0, Step: 10, Value: 1}
	collapsed := &detect.Verdict{Status: ganexp.StatusCollapsed, Detector: "mode_collapse", Step: 10}
	for _, c := range []struct {
		name string
		in   Outcome
		want ganexp.Status
	}{
		{"StoppedByTheDetector", Outcome{Status: ganexp.StatusCollapsed, StepsDone: 10, Verdict: collapsed}, ganexp.StatusCollapsed},
		{"EarlierVerdictOnContinue", Outcome{Status: ganexp.StatusInterrupted, StepsDone: 12, Verdict: collapsed}, ganexp.StatusCollapsed},
		{"Pruned", Outcome{Status: ganexp.StatusInterrupted, StepsDone: 12}, ganexp.StatusPruned},
		{"EndedFirst", Outcome{Status: ganexp.StatusCompleted, StepsDone: 40}, ganexp.StatusCompleted},
		{"FailedFirst", Outcome{Status: ganexp.StatusFailed, StepsDone: 11, Error: "boom"}, ganexp.StatusFailed},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := prunedOutcome(c.in, j, 40)
			if got.Status != c.want {
				t.Fatalf("status %s, want %s", got.Status, c.want)
			}
			if c.want == ganexp.StatusPruned && (got.StepsSaved != 28 || got.Pruned == nil) {
				t.Errorf("pruned outcome %+v, want 28 steps saved and the judgement", got)
			}
		})
	}
}

// TestASHAFinishesTheBestOfAFiniteSweep: two trials, η = 3. While trial 2
// is still to start, trial 1 (loss_g 2) is alone at rung 0 and pauses.
// Trial 2 (1) is the last: in the tail the best at an under-filled rung
// goes on, so it passes rungs 0 and 1 and completes, and trial 1, worse,
// stays paused. Without the tail rule neither would finish.
func TestASHAFinishesTheBestOfAFiniteSweep(t *testing.T) {
	_, js, sum := runPruned(t, []float64{2, 1}, prune.Rule{Strategy: "asha", MinSteps: 10, Reduction: 3})
	if got, want := sum.Ran[ganexp.StatusCompleted], []string{js[1].Trial.Key}; !slices.Equal(got, want) {
		t.Errorf("completed %v, want trial 2 %v", got, want)
	}
	if got, want := sum.Ran[ganexp.StatusPruned], []string{js[0].Trial.Key}; !slices.Equal(got, want) {
		t.Errorf("pruned %v, want trial 1 %v", got, want)
	}
}
