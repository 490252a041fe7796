package detect

import (
	"fmt"
	"math"
	"slices"

	"github.com/ganexp/ganexp"
)

// Ground-truth bounds for Label. They are fixed: tuning the detectors
// never moves a label.
const (
	LabelMaxLoss     = 100  // |loss| at the end
	LabelMaxGradNorm = 1e4  // gradient norm at the end
	LabelMaxSpread   = 10   // sample spread over the data's, at the end
	LabelDWin        = 0.01 // D wins: D(real) ≥ 0.99 and D(fake) ≤ 0.01 at the end
)

// Label judges a run that trained to the end with detection off, from its
// whole history: the ground truth that detect-eval scores verdicts
// against.
//
//   - diverged: a non-finite loss, gradient, sample or parameter at any
//     evaluation; or at the end an explosion (|loss| > 100, gradient norm
//     > 1e4, samples spread over 10× the data's) or, under a cross-entropy
//     loss, a discriminator that has won outright (D(real) ≥ 0.99 and
//     D(fake) ≤ 0.01: its logits run off to ±∞ and G's gradient vanishes);
//   - collapsed: not diverged, and at most half of the modes captured at
//     the end, taken as the median over the last fifth of the evaluations
//     (at least three), since one evaluation's count jumps by several
//     modes as G hops; on images the classes count by mass too
//     (effectiveModes: at most half by count, or mode_kl ≥ ln 2 on a
//     uniform class distribution);
//   - healthy (StatusCompleted): otherwise.
func Label(t Trial, h []Point) (ganexp.Status, string) {
	if len(h) == 0 {
		return "", "no evaluations"
	}
	for _, p := range h {
		if len(p.NonFinite) > 0 {
			return ganexp.StatusDiverged, fmt.Sprintf("non-finite %v at step %d", p.NonFinite, p.Step)
		}
	}
	last := h[len(h)-1]
	for _, b := range []struct {
		metric string
		limit  float64
	}{
		{"loss_d", LabelMaxLoss}, {"loss_g", LabelMaxLoss},
		{"grad_norm_d", LabelMaxGradNorm}, {"grad_norm_g", LabelMaxGradNorm},
		{"spread_ratio", LabelMaxSpread},
	} {
		if v, ok := get(last, b.metric); ok && math.Abs(v) > b.limit {
			return ganexp.StatusDiverged, fmt.Sprintf("%s = %.4g at the end", b.metric, v)
		}
	}
	if dWon(t.Loss, last, LabelDWin) {
		return ganexp.StatusDiverged, fmt.Sprintf("D won outright at the end: D(real) = %.3f, D(fake) = %.3f", last.Values["d_real"], last.Values["d_fake"])
	}
	m := finalModes(t, h)
	if m <= float64(t.Modes)/2 {
		return ganexp.StatusCollapsed, fmt.Sprintf("%.3g of %d modes at the end", m, t.Modes)
	}
	return ganexp.StatusCompleted, fmt.Sprintf("%.3g of %d modes at the end", m, t.Modes)
}

// finalModes is the median modes captured (effectiveModes) over the last
// fifth of the evaluations (at least three, fewer if the run had fewer).
func finalModes(t Trial, h []Point) float64 {
	var ms []float64
	for _, p := range h[max(0, len(h)-max(3, len(h)/5)):] {
		if v, ok := effectiveModes(t, p); ok {
			ms = append(ms, v)
		}
	}
	if len(ms) == 0 {
		return 0
	}
	slices.Sort(ms)
	if len(ms)%2 == 1 {
		return ms[len(ms)/2]
	}
	return (ms[len(ms)/2-1] + ms[len(ms)/2]) / 2
}

// Settled reports whether a run's label held at the end of training:
// judged as if training had stopped at each of its last 30% of
// evaluations (at least three), the label agrees with final at 80% of
// them or more. A run that still hops across the collapse threshold has
// a coin-flip label that no detector can be blamed for; detect-eval scores
// settled runs apart from the rest.
func Settled(t Trial, h []Point, final ganexp.Status) bool {
	n := max(3, len(h)*3/10)
	from := max(1, len(h)-n)
	agree, total := 0, 0
	for end := from; end <= len(h); end++ {
		if st, _ := Label(t, h[:end]); st == final {
			agree++
		}
		total++
	}
	return total > 0 && float64(agree) >= 0.8*float64(total)
}

// Case is one labelled run of a detect-eval corpus.
type Case struct {
	Key     string
	Detect  ganexp.Detect // the detector settings under test
	Trial   Trial
	History []Point
	Truth   ganexp.Status // set by Evaluate
	Why     string        // what the label rests on
	Settled bool          // the label held over the end of training (Settled)
	Verdict *Verdict      // what the detectors would have said online; nil for none
}

// Class scores one verdict kind.
type Class struct {
	Status            ganexp.Status
	TP, FP, FN        int
	Precision, Recall float64 // NaN when undefined
	F1                float64
	MedianLead        float64 // steps before the end at which true positives fired
}

// Score is the outcome of a detect-eval.
type Score struct {
	Cases     []Case
	Classes   []Class                                 // diverged, collapsed
	Confusion map[ganexp.Status]map[ganexp.Status]int // truth → prediction ("completed" for none)
	// Steps is the planned steps of all runs; Saved those that stopping at
	// every verdict (on_failure: stop) would have spared.
	Steps, Saved int
}

// Evaluate labels every case, replays its detectors on its history, and
// scores the verdicts against the labels. Labels always use the known
// modes (labelModes); the detectors see cs.Trial, whose Modes may be 0 to
// test the detectors for data without known modes.
func Evaluate(cases []Case, labelModes func(Case) int) Score {
	judged := make([]Case, len(cases))
	for i, cs := range cases {
		lt := cs.Trial
		lt.Modes = labelModes(cs)
		cs.Truth, cs.Why = Label(lt, cs.History)
		cs.Settled = Settled(lt, cs.History, cs.Truth)
		cs.Verdict = Replay(cs.Detect, cs.Trial, cs.History)
		judged[i] = cs
	}
	return score(judged)
}

// Settled returns the score over the settled runs only.
func (s Score) Settled() Score {
	var kept []Case
	for _, c := range s.Cases {
		if c.Settled {
			kept = append(kept, c)
		}
	}
	return score(kept)
}

// score counts verdicts against labels.
func score(cases []Case) Score {
	s := Score{Confusion: map[ganexp.Status]map[ganexp.Status]int{}}
	for _, cs := range cases {
		pred := ganexp.StatusCompleted
		if cs.Verdict != nil {
			pred = cs.Verdict.Status
			s.Saved += cs.Trial.Steps - cs.Verdict.Step
		}
		s.Steps += cs.Trial.Steps
		if s.Confusion[cs.Truth] == nil {
			s.Confusion[cs.Truth] = map[ganexp.Status]int{}
		}
		s.Confusion[cs.Truth][pred]++
		s.Cases = append(s.Cases, cs)
	}
	for _, st := range []ganexp.Status{ganexp.StatusDiverged, ganexp.StatusCollapsed} {
		cl := Class{Status: st}
		var leads []int
		for _, cs := range s.Cases {
			pred := ganexp.StatusCompleted
			if cs.Verdict != nil {
				pred = cs.Verdict.Status
			}
			switch {
			case pred == st && cs.Truth == st:
				cl.TP++
				leads = append(leads, cs.Trial.Steps-cs.Verdict.Step)
			case pred == st:
				cl.FP++
			case cs.Truth == st:
				cl.FN++
			}
		}
		cl.Precision = ratio(cl.TP, cl.TP+cl.FP)
		cl.Recall = ratio(cl.TP, cl.TP+cl.FN)
		cl.F1 = 2 * cl.Precision * cl.Recall / (cl.Precision + cl.Recall)
		cl.MedianLead = median(leads)
		s.Classes = append(s.Classes, cl)
	}
	return s
}

func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

func median(xs []int) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return float64(s[len(s)/2])
	}
	return float64(s[len(s)/2-1]+s[len(s)/2]) / 2
}
