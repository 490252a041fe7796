// Package prune decides which trials of a sweep to stop early because
// they do worse than their peers at the same point of training, and
// which stopped ones to let go on: ASHA (Li et al. 2020, "A System for
// Massively Parallel Hyperparameter Tuning", Algorithm 2) and the median
// rule (Optuna's MedianPruner). It is pure: the runner feeds a Board with
// what the trials measured and acts on its decisions.
package prune

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Strategies lists the pruners a sweep file may name.
var Strategies = []string{"asha", "median"}

// Rule is a sweep file's prune: section.
type Rule struct {
	Strategy string // asha or median
	Metric   string // the metric judged, as recorded at evaluations
	Maximize bool
	// MinSteps is ASHA's first rung (its minimum resource r): rung k is
	// at MinSteps·Reduction^k steps. The median rule prunes nothing
	// before it (Optuna's n_warmup_steps).
	MinSteps int
	// Reduction is ASHA's η: a trial goes past a rung when it is among
	// the best 1/η of the trials that reached that rung.
	Reduction int
	// Startup is how many trials must have finished before the median
	// rule prunes (Optuna's n_startup_trials).
	Startup int
}

// Defaults for the fields a file leaves out, Optuna's: its
// SuccessiveHalvingPruner's reduction factor, and MedianPruner's
// n_startup_trials.
const (
	DefaultReduction = 4
	DefaultStartup   = 5
)

// Threshold is the step at which rung k lies: MinSteps·Reduction^k.
func (r Rule) Threshold(k int) int {
	t := r.MinSteps
	for range k {
		t *= r.Reduction
	}
	return t
}

// Rungs is the number of ASHA rungs a trial of steps steps crosses
// before its end: the rungs below steps (reaching the last step is the
// end, not a rung).
func (r Rule) Rungs(steps int) int {
	if r.Strategy != "asha" {
		return 0
	}
	n := 0
	for r.Threshold(n) < steps {
		n++
	}
	return n
}

// better reports whether a is strictly better than b in r's direction.
func (r Rule) better(a, b float64) bool {
	if r.Maximize {
		return a > b
	}
	return a < b
}

// Judgement is one rung decision (or, for the median rule, one check).
type Judgement struct {
	Rung  int     `json:"rung"` // −1 for the median rule
	Step  int     `json:"step"`
	Value float64 `json:"value"` // the trial's value judged (median: its best so far)
	// Cutoff is the value a trial had to match (ASHA: the worst of the
	// best ⌊n/η⌋; median: the finished trials' median); nil when no
	// trial could go on yet (fewer than η at the rung).
	Cutoff *float64 `json:"cutoff"`
	Peers  int      `json:"peers"` // the values compared, the trial's included
}

// String says the judgement in words, for progress lines and messages.
func (j Judgement) String() string {
	where := fmt.Sprintf("rung %d (step %d)", j.Rung, j.Step)
	if j.Rung < 0 {
		where = fmt.Sprintf("step %d", j.Step)
	}
	if j.Cutoff == nil {
		return fmt.Sprintf("%s: %.4g; %d trial(s) there, too few to promote any", where, j.Value, j.Peers)
	}
	return fmt.Sprintf("%s: %.4g against a cut-off of %.4g among %d", where, j.Value, *j.Cutoff, j.Peers)
}

// Decision is what a Board says about one evaluation of a trial.
type Decision struct {
	// Passed are the rungs the trial went past at this evaluation.
	Passed []Judgement
	// Pruned, when set, stops the trial there.
	Pruned *Judgement
}

// Status is what a Board needs to know of a trial's state.
type Status int

// The states a Board tells apart.
const (
	Running  Status = iota // or pending, failed, interrupted: not a result
	Finished               // ran to its end or was stopped by a detector
	Paused                 // pruned
)

// Board holds what a sweep's trials measured and where the pruner left
// them, and makes the pruner's decisions. It is not safe for concurrent
// use.
type Board struct {
	rule Rule
	// tail is set once no new trial is left to start: from then on the
	// best trial at a rung with fewer than η may go on (see promotable).
	tail   bool
	values map[string]map[int]float64 // trial → step → value (NaN: missing)
	status map[string]Status
	// paused is the rung a paused trial stopped at (−1: the median rule's
	// final stop); promoted the highest rung a trial was let past.
	paused   map[string]int
	promoted map[string]int
}

// NewBoard returns an empty board for rule.
func NewBoard(rule Rule) *Board {
	return &Board{rule: rule, values: map[string]map[int]float64{}, status: map[string]Status{},
		paused: map[string]int{}, promoted: map[string]int{}}
}

// SetTail says that no new trial is left to start (or that one is again).
func (b *Board) SetTail(tail bool) { b.tail = tail }

// Record adds a trial's value at step.
func (b *Board) Record(key string, step int, v float64) {
	m := b.values[key]
	if m == nil {
		m = map[int]float64{}
		b.values[key] = m
	}
	m[step] = v
}

// SetStatus sets a trial's state; rung is where a paused trial stopped.
func (b *Board) SetStatus(key string, s Status, rung int) {
	b.status[key] = s
	if s == Paused {
		b.paused[key] = rung
	} else {
		delete(b.paused, key)
	}
}

// SetPromoted records that a trial was let past rung.
func (b *Board) SetPromoted(key string, rung int) {
	if p, ok := b.promoted[key]; !ok || rung > p {
		b.promoted[key] = rung
	}
}

// promotedPast reports whether key was let past rung k already.
func (b *Board) promotedPast(key string, k int) bool {
	p, ok := b.promoted[key]
	return ok && p >= k
}

// rungValue is a trial's value at rung k: its value at its first
// evaluation at or after the rung's threshold. ok is false when it has
// not reached the rung.
func (b *Board) rungValue(key string, k int) (step int, v float64, ok bool) {
	t := b.rule.Threshold(k)
	step = -1
	for s, x := range b.values[key] {
		if s >= t && (step < 0 || s < step) {
			step, v = s, x
		}
	}
	return step, v, step >= 0
}

// Judge records a trial's evaluation and decides whether it goes on.
// steps is the trial's length: a rung at or beyond it is its end.
func (b *Board) Judge(key string, step int, v float64, steps int) Decision {
	b.Record(key, step, v)
	if b.rule.Strategy == "median" {
		return b.judgeMedian(key, step)
	}
	var d Decision
	for k := range b.rule.Rungs(steps) {
		if at, _, ok := b.rungValue(key, k); !ok || at != step || b.promotedPast(key, k) {
			continue
		}
		j, ok := b.promotable(key, k)
		if !ok {
			d.Pruned = &j
			return d
		}
		b.SetPromoted(key, k)
		d.Passed = append(d.Passed, j)
	}
	return d
}

// promotable judges key at rung k by Li et al.'s rule: it may go on when
// its value is among the best ⌊n/η⌋ of the n trials that reached the
// rung. With fewer than η there, none may while new trials are still to
// start: ganexp can pause a trial and resume it later, so it keeps to
// the paper. In the tail, when no new trial is left to fill the rung, the
// best one there may go on, as Optuna's SuccessiveHalvingPruner always
// lets it (max(⌊n/η⌋, 1)): a finite sweep then ends with its best trial
// trained to the end rather than paused at an under-filled rung. A
// missing value never goes on.
func (b *Board) promotable(key string, k int) (Judgement, bool) {
	step, v, _ := b.rungValue(key, k)
	var vals []float64
	for other := range b.values {
		// A trial is at rung k once it was let past rung k−1: a paused
		// trial's evaluations after its pause (it stops a moment later)
		// or past several rungs at once do not make it a peer higher up.
		if other != key && k > 0 && !b.promotedPast(other, k-1) {
			continue
		}
		if _, x, ok := b.rungValue(other, k); ok && !math.IsNaN(x) {
			vals = append(vals, x)
		}
	}
	j := Judgement{Rung: k, Step: step, Value: v, Peers: len(vals)}
	if math.IsNaN(v) {
		j.Peers++
	}
	top := len(vals) / b.rule.Reduction
	if top == 0 && b.tail && len(vals) > 0 {
		top = 1
	}
	if top == 0 {
		return j, false
	}
	slices.SortFunc(vals, func(x, y float64) int {
		if b.rule.Maximize {
			return cmp.Compare(y, x)
		}
		return cmp.Compare(x, y)
	})
	cut := vals[top-1]
	j.Cutoff = &cut
	return j, !math.IsNaN(v) && !b.rule.better(cut, v)
}

// Promotion is a paused trial that may now go on from its rung.
type Promotion struct {
	Key string
	Judgement
}

// Promotable returns the paused trial to promote next, if any: as in Li
// et al.'s get_job, the highest rung first, and within a rung the best
// trial. Trials in skip (being promoted already) are passed over.
func (b *Board) Promotable(skip map[string]bool) (Promotion, bool) {
	if b.rule.Strategy != "asha" {
		return Promotion{}, false
	}
	top := -1
	for _, k := range b.paused {
		top = max(top, k)
	}
	for k := top; k >= 0; k-- {
		var best Promotion
		found := false
		for key, at := range b.paused {
			if at != k || skip[key] || b.promotedPast(key, k) {
				continue
			}
			j, ok := b.promotable(key, k)
			if !ok {
				continue
			}
			if !found || b.rule.better(j.Value, best.Value) || j.Value == best.Value && key < best.Key {
				best, found = Promotion{Key: key, Judgement: j}, true
			}
		}
		if found {
			return best, true
		}
	}
	return Promotion{}, false
}

// judgeMedian is Optuna's MedianPruner: past MinSteps, and once Startup
// trials have finished, a trial whose best value so far is worse than the
// median of the finished trials' values at the same step is pruned. A
// trial with no finite value yet is pruned, as Optuna prunes a NaN.
func (b *Board) judgeMedian(key string, step int) Decision {
	if step < b.rule.MinSteps {
		return Decision{}
	}
	var peers []float64
	finished := 0
	for other, st := range b.status {
		if other == key || st != Finished {
			continue
		}
		finished++
		if x, ok := b.values[other][step]; ok && !math.IsNaN(x) {
			peers = append(peers, x)
		}
	}
	if finished < b.rule.Startup || len(peers) == 0 {
		return Decision{}
	}
	best := math.NaN()
	for s, x := range b.values[key] {
		if s <= step && !math.IsNaN(x) && (math.IsNaN(best) || b.rule.better(x, best)) {
			best = x
		}
	}
	med := median(peers)
	j := Judgement{Rung: -1, Step: step, Value: best, Cutoff: &med, Peers: len(peers) + 1}
	if math.IsNaN(best) || b.rule.better(med, best) {
		return Decision{Pruned: &j}
	}
	return Decision{}
}

// median is the 50th percentile with linear interpolation, as numpy's
// (n)percentile computes it for Optuna.
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
