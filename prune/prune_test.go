package prune

import (
	"math"
	"testing"
)

func TestThresholdsAndRungs(t *testing.T) {
	r := Rule{Strategy: "asha", MinSteps: 100, Reduction: 3}
	for k, want := range []int{100, 300, 900, 2700} {
		if got := r.Threshold(k); got != want {
			t.Errorf("Threshold(%d) = %d, want %d", k, got, want)
		}
	}
	// A rung at the last step is the trial's end, not a rung.
	for _, c := range []struct{ steps, want int }{{100, 0}, {101, 1}, {900, 2}, {1000, 3}} {
		if got := r.Rungs(c.steps); got != c.want {
			t.Errorf("Rungs(%d) = %d, want %d", c.steps, got, c.want)
		}
	}
	if got := (Rule{Strategy: "median", MinSteps: 100}).Rungs(1000); got != 0 {
		t.Errorf("the median rule has %d rungs, want none", got)
	}
}

// TestASHASequence plays Li et al.'s Algorithm 2 by hand, η = 3, maximising,
// one rung at step 100 (trials of 300 steps, so rung 1 at 300 is the end):
//
//	a 0.5: 1 at the rung, ⌊1/3⌋ = 0 may go on → paused, no cut-off
//	b 0.7: 2 there → paused
//	c 0.6: 3 there, the best 1 may go on: cut-off 0.7 → paused; b promotable
//	d 0.9: 4 there, best 1: cut-off 0.9 → goes on
//	e 0.8: 5 there, best 1: cut-off 0.9 → paused
//	f 0.75: 6 there, best 2 {0.9, 0.8}: cut-off 0.8 → paused; e promotable
func TestASHASequence(t *testing.T) {
	b := NewBoard(Rule{Strategy: "asha", Maximize: true, MinSteps: 100, Reduction: 3})
	cut := func(v float64) *float64 { return &v }
	steps := []struct {
		key     string
		v       float64
		pruned  bool
		cutoff  *float64
		peers   int
		promote string // the promotion available afterwards
	}{
		{"a", 0.5, true, nil, 1, ""},
		{"b", 0.7, true, nil, 2, ""},
		{"c", 0.6, true, cut(0.7), 3, "b"},
		{"d", 0.9, false, cut(0.9), 4, ""},
		{"e", 0.8, true, cut(0.9), 5, ""},
		{"f", 0.75, true, cut(0.8), 6, "e"},
	}
	for _, s := range steps {
		b.Record(s.key, 50, 0) // an evaluation before the rung is not judged
		if d := b.Judge(s.key, 50, 0, 300); d.Pruned != nil || len(d.Passed) > 0 {
			t.Fatalf("%s judged before its rung: %+v", s.key, d)
		}
		d := b.Judge(s.key, 100, s.v, 300)
		var j Judgement
		switch {
		case s.pruned && d.Pruned != nil:
			j = *d.Pruned
			b.SetStatus(s.key, Paused, j.Rung)
		case !s.pruned && d.Pruned == nil && len(d.Passed) == 1:
			j = d.Passed[0]
		default:
			t.Fatalf("%s %.2f: got %+v, want pruned=%v", s.key, s.v, d, s.pruned)
		}
		if j.Rung != 0 || j.Step != 100 || j.Value != s.v || j.Peers != s.peers {
			t.Errorf("%s: judgement %+v, want rung 0 at step 100, value %v among %d", s.key, j, s.v, s.peers)
		}
		if (j.Cutoff == nil) != (s.cutoff == nil) || j.Cutoff != nil && *j.Cutoff != *s.cutoff {
			t.Errorf("%s: cut-off %v, want %v", s.key, j.Cutoff, s.cutoff)
		}
		p, ok := b.Promotable(nil)
		if got := map[bool]string{true: p.Key}[ok]; got != s.promote {
			t.Fatalf("after %s: promotable %q, want %q", s.key, got, s.promote)
		}
		if ok {
			b.SetPromoted(p.Key, p.Rung)
			b.SetStatus(p.Key, Running, 0)
			if _, again := b.Promotable(nil); again {
				t.Fatalf("after promoting %s another is promotable", p.Key)
			}
		}
	}
	// A promoted trial coming back past its rung (resumed from a
	// checkpoint before it) is not judged there again.
	if d := b.Judge("b", 100, 0.7, 300); d.Pruned != nil || len(d.Passed) > 0 {
		t.Errorf("b judged again at the rung it was promoted past: %+v", d)
	}
}

// TestASHACrossesRungsAtOnce: with evaluations sparser than the rungs, one
// evaluation is the trial's value at every rung it crosses, and it is
// judged at each in turn; a trial paused lower down is no peer higher up.
// Minimising, η = 2, rungs at 10, 20 and 40, every trial evaluated at 50:
//
//	p 3: alone at rung 0 → paused there
//	q 2: rung 0 {3, 2}, best 1: cut-off 2 → past; rung 1 {2} alone → paused
//	r 1: rung 0 {3, 2, 1}: cut-off 1 → past; rung 1 {2, 1}: cut-off 1 →
//	     past; rung 2 {1} alone → paused
//
// and then none may be promoted: each paused one is below its rung's cut-off
// or alone there.
func TestASHACrossesRungsAtOnce(t *testing.T) {
	b := NewBoard(Rule{Strategy: "asha", MinSteps: 10, Reduction: 2})
	for _, c := range []struct {
		key    string
		v      float64
		passed int
		paused int
	}{{"p", 3, 0, 0}, {"q", 2, 1, 1}, {"r", 1, 2, 2}} {
		d := b.Judge(c.key, 50, c.v, 100)
		if len(d.Passed) != c.passed || d.Pruned == nil || d.Pruned.Rung != c.paused || d.Pruned.Cutoff != nil {
			t.Fatalf("%s: %+v, want past %d rungs and paused alone at rung %d", c.key, d, c.passed, c.paused)
		}
		b.SetStatus(c.key, Paused, d.Pruned.Rung)
	}
	if p, ok := b.Promotable(nil); ok {
		t.Errorf("promotable %+v, want none", p)
	}
}

func TestASHAMissingValueIsPruned(t *testing.T) {
	b := NewBoard(Rule{Strategy: "asha", MinSteps: 10, Reduction: 2})
	b.Record("x", 10, 1)
	b.Record("y", 10, 2)
	d := b.Judge("z", 10, math.NaN(), 100)
	if d.Pruned == nil || d.Pruned.Peers != 3 {
		t.Errorf("NaN at a rung: %+v, want pruned among 3", d)
	}
}

// TestMedianRule works Optuna's MedianPruner by hand, minimising, with
// Startup 2 and no pruning before step 100. The finished trials measured
// 1.0 and 3.0 at step 100: the median is 2.0.
func TestMedianRule(t *testing.T) {
	rule := Rule{Strategy: "median", MinSteps: 100, Startup: 2}
	newBoard := func(finished int) *Board {
		b := NewBoard(rule)
		for i, v := range []float64{1, 3, 7}[:finished] {
			k := string(rune('a' + i))
			b.Record(k, 100, v)
			b.SetStatus(k, Finished, 0)
		}
		return b
	}
	cases := []struct {
		name     string
		finished int
		earlier  float64 // the trial's value at step 50 (NaN: none)
		step     int
		v        float64
		pruned   bool
		cutoff   float64
	}{
		{"Worse", 2, math.NaN(), 100, 2.5, true, 2},
		{"Better", 2, math.NaN(), 100, 1.5, false, 0},
		{"EqualGoesOn", 2, math.NaN(), 100, 2, false, 0},
		{"BestSoFarCounts", 2, 1.9, 100, 2.5, false, 0},
		{"BeforeWarmup", 2, math.NaN(), 50, 9, false, 0},
		{"TooFewFinished", 1, math.NaN(), 100, 9, false, 0},
		{"OddMedian", 3, math.NaN(), 100, 3.5, true, 3},
		{"NoPeerAtStep", 2, math.NaN(), 150, 9, false, 0},
		{"NaNIsPruned", 2, math.NaN(), 100, math.NaN(), true, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newBoard(c.finished)
			if !math.IsNaN(c.earlier) {
				b.Record("z", 50, c.earlier)
			}
			d := b.Judge("z", c.step, c.v, 1000)
			if got := d.Pruned != nil; got != c.pruned {
				t.Fatalf("pruned = %v, want %v (%+v)", got, c.pruned, d)
			}
			if c.pruned && (*d.Pruned.Cutoff != c.cutoff || d.Pruned.Rung != -1) {
				t.Errorf("judgement %+v, want cut-off %v and no rung", d.Pruned, c.cutoff)
			}
			if _, ok := b.Promotable(nil); ok {
				t.Error("the median rule promoted a trial")
			}
		})
	}
}

func TestJudgementString(t *testing.T) {
	c := 0.25
	for _, tc := range []struct {
		j    Judgement
		want string
	}{
		{Judgement{Rung: 1, Step: 300, Value: 0.125, Cutoff: &c, Peers: 9}, "rung 1 (step 300): 0.125 against a cut-off of 0.25 among 9"},
		{Judgement{Rung: 0, Step: 100, Value: 0.5, Peers: 2}, "rung 0 (step 100): 0.5; 2 trial(s) there, too few to promote any"},
		{Judgement{Rung: -1, Step: 50, Value: 1, Cutoff: &c, Peers: 6}, "step 50: 1 against a cut-off of 0.25 among 6"},
	} {
		if got := tc.j.String(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

// TestASHATail: alone at a rung, a trial pauses while new trials are to
// come, and goes on in the tail; a worse one in the tail still pauses
// (Optuna's max(⌊n/η⌋, 1)).
func TestASHATail(t *testing.T) {
	b := NewBoard(Rule{Strategy: "asha", MinSteps: 10, Reduction: 3})
	if d := b.Judge("a", 10, 1, 100); d.Pruned == nil {
		t.Fatal("alone at a rung before the tail: went on")
	}
	b.SetStatus("a", Paused, 0)
	b.SetTail(true)
	p, ok := b.Promotable(nil)
	if !ok || p.Key != "a" || *p.Cutoff != 1 {
		t.Fatalf("in the tail: promotable %+v %v, want a with cut-off 1", p, ok)
	}
	b.SetPromoted("a", 0)
	b.SetStatus("a", Running, 0)
	if d := b.Judge("b", 10, 2, 100); d.Pruned == nil || *d.Pruned.Cutoff != 1 {
		t.Errorf("worse in the tail: %+v, want paused with cut-off 1", d)
	}
}
