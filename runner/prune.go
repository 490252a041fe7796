package runner

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/prune"
)

// PruneStore is the part of the database a pruner reads and claims
// promoted trials in; *db.DB is it.
type PruneStore interface {
	PruneHistory(ctx context.Context, sweep, metric string) (db.PruneHistory, error)
	ClaimPromoted(ctx context.Context, key string, o db.Owner, checkpoints []int) (bool, int, error)
}

// Pruning stops a sweep's trials that do worse than their peers at a rung
// (prune.Rule) and promotes paused ones that have become good enough. Its
// decisions take every trial of the sweep into account: those this
// process runs, as they report, and those in the database, written by
// earlier runs and by other processes sharing the search, reread at most
// every reload.
type Pruning struct {
	Rule  prune.Rule
	Sweep string // the sweep's name in the database
	Store PruneStore

	mu       sync.Mutex
	board    *prune.Board
	loaded   time.Time
	promotes map[string]bool // trials being promoted by this process
}

// reload is how stale the database's part of the board may be: other
// processes' results reach it in batches every 2 s anyway.
const reload = 2 * time.Second

// errPruned is the cause of a pruned trial's context.
var errPruned = errors.New("pruned")

// refresh rereads the sweep's history if it is older than reload. It
// reads without holding mu (never hold a lock across the database).
func (p *Pruning) refresh(ctx context.Context, force bool) error {
	p.mu.Lock()
	due := p.board == nil || force || time.Since(p.loaded) >= reload
	p.mu.Unlock()
	if !due {
		return nil
	}
	h, err := p.Store.PruneHistory(ctx, p.Sweep, p.Rule.Metric)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.board == nil {
		p.board = prune.NewBoard(p.Rule)
		p.promotes = map[string]bool{}
	}
	for _, v := range h.Values {
		p.board.Record(v.Key, v.Step, v.Value)
	}
	for key, st := range h.Status {
		switch {
		case p.promotes[key]:
			// Claimed here a moment ago; the database may not say so yet.
		case st == ganexp.StatusPruned:
			rung, ok := h.Paused[key]
			if !ok {
				rung = -1
			}
			p.board.SetStatus(key, prune.Paused, rung)
		case st.Finished():
			p.board.SetStatus(key, prune.Finished, 0)
		default:
			p.board.SetStatus(key, prune.Running, 0)
		}
	}
	for key, rung := range h.Promoted {
		p.board.SetPromoted(key, rung)
	}
	p.loaded = time.Now()
	return nil
}

// judge records a trial's evaluation and says whether it goes on. A
// store that cannot be read leaves the trial running: pruning saves time,
// and is never a reason to lose a trial.
func (p *Pruning) judge(ctx context.Context, key string, step int, v float64, steps int) prune.Decision {
	if err := p.refresh(ctx, false); err != nil {
		return prune.Decision{}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.board.Judge(key, step, v, steps)
}

// ended records how a trial of this process ended.
func (p *Pruning) ended(key string, st ganexp.Status, pausedAt int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.board == nil {
		return
	}
	delete(p.promotes, key)
	switch {
	case st == ganexp.StatusPruned:
		p.board.SetStatus(key, prune.Paused, pausedAt)
	case st.Finished():
		p.board.SetStatus(key, prune.Finished, 0)
	default:
		p.board.SetStatus(key, prune.Running, 0)
	}
}

// promotion picks a paused trial to promote, from those in jobs, and
// marks it taken so that no other slot of this process picks it too.
func (p *Pruning) promotion(ctx context.Context, jobs map[string]Job) (Job, *prune.Promotion, bool) {
	return p.pick(ctx, jobs, true)
}

// canPromote reports whether promotion would find a trial now.
func (p *Pruning) canPromote(ctx context.Context, jobs map[string]Job) bool {
	_, _, ok := p.pick(ctx, jobs, false)
	return ok
}

// pick finds the paused trial to promote; take marks it taken.
func (p *Pruning) pick(ctx context.Context, jobs map[string]Job, take bool) (Job, *prune.Promotion, bool) {
	if p.Rule.Strategy != "asha" {
		return Job{}, nil, false
	}
	if err := p.refresh(ctx, true); err != nil {
		return Job{}, nil, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	skip := map[string]bool{}
	for k := range p.promotes {
		skip[k] = true
	}
	for {
		pr, ok := p.board.Promotable(skip)
		if !ok {
			return Job{}, nil, false
		}
		j, known := jobs[pr.Key]
		if !known {
			// Another file's trial, or one the plan no longer holds.
			skip[pr.Key] = true
			continue
		}
		if take {
			p.promotes[pr.Key] = true
			p.board.SetStatus(pr.Key, prune.Running, 0)
			p.board.SetPromoted(pr.Key, pr.Rung)
		}
		return j, &pr, true
	}
}

// setTail tells the board whether new trials are left to start.
func (p *Pruning) setTail(tail bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.board == nil {
		p.board = prune.NewBoard(p.Rule)
		p.promotes = map[string]bool{}
	}
	p.board.SetTail(tail)
}

// released undoes promotion's marks when the claim failed: another
// process promoted the trial first, and the database says how it is now.
func (p *Pruning) released(key string) {
	p.mu.Lock()
	delete(p.promotes, key)
	p.mu.Unlock()
}

// value is the rule's metric in an evaluation; NaN when it is missing.
func (p *Pruning) value(e ganexp.Eval) float64 {
	v, ok := e.Values[p.Rule.Metric]
	if !ok {
		return math.NaN()
	}
	return float64(v)
}

// prunedOutcome is how a trial that the pruner stopped ended. A detector's
// collapsed or diverged verdict stands whatever the pruner said: it is a
// finding about the run, not a ranking. A trial that ended on its own
// before the stop reached it keeps its status.
func prunedOutcome(out Outcome, j prune.Judgement, steps int) Outcome {
	if v := out.Verdict; v != nil && (v.Status == ganexp.StatusCollapsed || v.Status == ganexp.StatusDiverged) {
		if out.Status == ganexp.StatusInterrupted {
			out.Status, out.StepsSaved = v.Status, steps-out.StepsDone
		}
		return out
	}
	if out.Status != ganexp.StatusInterrupted {
		return out
	}
	return Outcome{Status: ganexp.StatusPruned, StepsDone: out.StepsDone, StepsSaved: steps - out.StepsDone,
		Tracking: out.Tracking, Pruned: &j}
}

// finiteOrNil is v for JSON, which has no NaN.
func finiteOrNil(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// prunedDetail is a pruned event's detail: the pruner, the rung and the
// comparison that stopped the trial, and the steps it spared.
func prunedDetail(j prune.Judgement, r prune.Rule, steps int) map[string]any {
	d := judgementDetail(j, r)
	d["steps_saved"] = steps - j.Step
	d["message"] = "pruned at " + j.String()
	return d
}

// promotedDetail is a promoted event's detail: the rung the trial went
// past, and, for a paused trial promoted later, the step it goes on from
// (−1: it had not paused; 0: no checkpoint, it starts over).
func promotedDetail(j prune.Judgement, r prune.Rule, from int) map[string]any {
	d := judgementDetail(j, r)
	if from >= 0 {
		d["resumed_from"] = from
	}
	return d
}

func judgementDetail(j prune.Judgement, r prune.Rule) map[string]any {
	d := map[string]any{"strategy": r.Strategy, "metric": r.Metric, "step": j.Step,
		"value": finiteOrNil(j.Value), "peers": j.Peers, "cutoff": nil}
	if j.Rung >= 0 {
		d["rung"] = j.Rung
	}
	if j.Cutoff != nil {
		d["cutoff"] = finiteOrNil(*j.Cutoff)
	}
	return d
}
