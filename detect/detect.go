// Package detect judges a trial from its metric history while it trains:
// it notices divergence and mode collapse, so that the runner can stop the
// trial early and record why. Every detector is a pure function of the
// history, so the same code judges a run online and replays stored runs
// for detect-eval.
package detect

import (
	"fmt"
	"math"

	"github.com/ganexp/ganexp"
)

// Point is one evaluation as the detectors see it.
type Point struct {
	Step   int
	Values map[string]float64 // metric values by name; may hold NaN
	// NonFinite names what was NaN or infinite at this evaluation: metric
	// names, "samples" or "params".
	NonFinite []string
}

// Trial is what detectors need to know about the run itself.
type Trial struct {
	Steps     int    // planned steps
	EvalEvery int    // steps between evaluations
	Modes     int    // known modes of the data; 0 when unknown
	Loss      string // the GAN loss, which says what D's outputs mean
	// Images: the modes are a classifier's classes (MNIST's digits,
	// Stacked MNIST's triples), and recall is measured in its features.
	Images bool
}

// effectiveModes is how many classes an image sample covers by mass as
// well as by count: K·exp(−mode_kl) is the number of equally likely
// classes whose uniform histogram has the same KL divergence from the
// data's (uniform) one. A generator that puts 95% of its images on three
// digits and a few stray confident ones elsewhere covers ten classes by
// count but about three by mass. Mass counts only while at most
// MassGate·K classes receive any sample (classes_hit): a generator that
// reaches most classes is uneven, not collapsed, and on Stacked MNIST a
// healthy DCGAN reaches 810–870 of the 1,000 classes with the perplexity
// of about 500 (mode_kl 0.64–0.82, as the PyTorch anchor's 0.65 at 5,000
// steps). Elsewhere (points) it is the count, modes_captured.
func effectiveModes(t Trial, p Point) (float64, bool) {
	m, ok := get(p, "modes_captured")
	if !ok || !t.Images {
		return m, ok
	}
	kl, okKL := get(p, "mode_kl")
	hit, okHit := get(p, "classes_hit")
	if okKL && okHit && hit <= MassGate*float64(t.Modes) {
		m = math.Min(m, float64(t.Modes)*math.Exp(-kl))
	}
	return m, true
}

// MassGate is the share of an image data set's classes that, once
// reached by some sample, stops effectiveModes from counting by mass.
const MassGate = 0.75

// Patience is the number of evaluations in a row a condition must hold:
// c.Patience, but at most a fifth of the run's evaluations (and no fewer
// than three), so that a short run can still be judged.
func Patience(c ganexp.Detect, t Trial) int {
	if t.EvalEvery <= 0 {
		return c.Patience
	}
	evals := (t.Steps + t.EvalEvery - 1) / t.EvalEvery
	return min(c.Patience, max(3, evals/5))
}

// Verdict is a detector's finding, with the evidence behind it.
type Verdict struct {
	Status     ganexp.Status  `json:"status"`
	Detector   string         `json:"detector"`
	Step       int            `json:"step"`
	Message    string         `json:"message"`
	Evidence   map[string]any `json:"evidence"`
	Thresholds map[string]any `json:"thresholds"`
}

// detector is one check. Registering one in detectors is all it takes to
// add it; order sets priority when several fire at once.
type detector struct {
	name   string
	status ganexp.Status
	check  func(c ganexp.Detect, t Trial, h []Point) *Verdict
}

var detectors = []detector{
	{"non_finite", ganexp.StatusDiverged, nonFinite},
	{"explosion", ganexp.StatusDiverged, explosion},
	{"d_wins", ganexp.StatusDiverged, dWins},
	{"mode_collapse", ganexp.StatusCollapsed, modeCollapse},
	{"low_recall", ganexp.StatusCollapsed, lowRecall},
}

// Names lists the detectors in priority order.
func Names() []string {
	out := make([]string, len(detectors))
	for i, d := range detectors {
		out[i] = d.name
	}
	return out
}

// Judge runs every detector on the history h (oldest first) and returns
// the first verdict, or nil. It only looks at h, so judging each prefix of
// a stored history replays what happened online.
func Judge(c ganexp.Detect, t Trial, h []Point) *Verdict {
	if len(h) == 0 {
		return nil
	}
	c.Patience = Patience(c, t)
	for _, d := range detectors {
		if v := d.check(c, t, h); v != nil {
			v.Detector, v.Status, v.Step = d.name, d.status, h[len(h)-1].Step
			jsonSafe(v.Evidence)
			return v
		}
	}
	return nil
}

// jsonSafe replaces non-finite numbers, which JSON cannot hold, by their
// names ("NaN", "+Inf", "-Inf").
func jsonSafe(m map[string]any) {
	for k, v := range m {
		if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			m[k] = fmt.Sprint(f)
		}
	}
}

// Replay judges every prefix of h and returns the first verdict: what an
// online detector would have said, and when.
func Replay(c ganexp.Detect, t Trial, h []Point) *Verdict {
	for i := range h {
		if v := Judge(c, t, h[:i+1]); v != nil {
			return v
		}
	}
	return nil
}

// nonFinite fires on any NaN or infinite loss, gradient norm, sample or
// parameter.
func nonFinite(c ganexp.Detect, t Trial, h []Point) *Verdict {
	p := h[len(h)-1]
	if len(p.NonFinite) == 0 {
		return nil
	}
	return &Verdict{
		Message:    fmt.Sprintf("non-finite %v", p.NonFinite),
		Evidence:   map[string]any{"non_finite": p.NonFinite},
		Thresholds: map[string]any{},
	}
}

// explosion fires when, at Patience evaluations in a row, a loss, a
// gradient norm or the spread of the samples is past its bound. (One
// evaluation is not enough: a fast generator can overshoot the data's
// spread for a moment early on.)
func explosion(c ganexp.Detect, t Trial, h []Point) *Verdict {
	if len(h) < c.Patience {
		return nil
	}
	var v *Verdict
	for _, p := range h[len(h)-c.Patience:] {
		if v = exploded(c, p); v == nil {
			return nil
		}
	}
	v.Thresholds["patience"] = c.Patience
	return v
}

// exploded checks one evaluation against the bounds.
func exploded(c ganexp.Detect, p Point) *Verdict {
	for _, b := range []struct {
		metric, bound string
		limit         float64
	}{
		{"loss_d", "max_loss", c.MaxLoss},
		{"loss_g", "max_loss", c.MaxLoss},
		{"grad_norm_d", "max_grad_norm", c.MaxGradNorm},
		{"grad_norm_g", "max_grad_norm", c.MaxGradNorm},
		{"spread_ratio", "max_spread", c.MaxSpread},
	} {
		v, ok := get(p, b.metric)
		if !ok || math.Abs(v) <= b.limit {
			continue
		}
		return &Verdict{
			Message:    fmt.Sprintf("%s = %.4g is past %s = %.4g", b.metric, v, b.bound, b.limit),
			Evidence:   map[string]any{b.metric: v},
			Thresholds: map[string]any{b.bound: b.limit},
		}
	}
	return nil
}

// dWins fires when D has won outright, D(real) ≥ 1−d_win and
// D(fake) ≤ d_win, for Patience evaluations in a row while G's loss climbed
// above where it stood before. With the cross-entropy losses D's sigmoid
// then saturates: the minimax G gets no gradient and the non-saturating G
// an unstable one (Arjovsky & Bottou 2017). The other losses have no such
// ceiling: a hinge or least-squares D that meets its targets still passes
// G a gradient, and a WGAN critic gap that blows up is an explosion.
func dWins(c ganexp.Detect, t Trial, h []Point) *Verdict {
	if len(h) < c.Patience || !probabilistic(t.Loss) {
		return nil
	}
	win := h[len(h)-c.Patience:]
	for _, p := range win {
		if !dWon(t.Loss, p, c.DWin) {
			return nil
		}
	}
	// G's loss now, against its best before D took over (or the window's
	// start, when D won from the first evaluation).
	first, ok1 := get(win[0], "loss_g")
	for _, p := range h[:len(h)-c.Patience] {
		if v, ok := get(p, "loss_g"); ok && v < first {
			first = v
		}
	}
	last, ok2 := get(win[len(win)-1], "loss_g")
	if !ok1 || !ok2 || !(last > first) {
		return nil
	}
	p := win[len(win)-1]
	return &Verdict{
		Message: fmt.Sprintf("D won outright for %d evaluations (D(real) = %.3f, D(fake) = %.3f) while loss_g rose from %.4g to %.4g",
			c.Patience, p.Values["d_real"], p.Values["d_fake"], first, last),
		Evidence:   map[string]any{"d_real": p.Values["d_real"], "d_fake": p.Values["d_fake"], "loss_g_from": first, "loss_g_to": last},
		Thresholds: map[string]any{"d_real_min": 1 - c.DWin, "d_fake_max": c.DWin, "patience": c.Patience},
	}
}

// probabilistic reports whether D's output is a probability (through a
// sigmoid) under this loss.
func probabilistic(loss string) bool { return loss == "minimax" || loss == "nonsaturating" }

// dWon reports whether D had won outright at p: under a cross-entropy
// loss, D(real) ≥ 1−eps and D(fake) ≤ eps.
func dWon(loss string, p Point, eps float64) bool {
	r, okR := get(p, "d_real")
	f, okF := get(p, "d_fake")
	return probabilistic(loss) && okR && okF && r >= 1-eps && f <= eps
}

// get returns a metric of a point; missing and NaN values are not there.
func get(p Point, name string) (float64, bool) {
	v, ok := p.Values[name]
	return v, ok && !math.IsNaN(v)
}

// window returns the last Patience points when all of them are past the
// warm-up, else nil.
func window(c ganexp.Detect, t Trial, h []Point) []Point {
	if len(h) < c.Patience {
		return nil
	}
	w := h[len(h)-c.Patience:]
	if float64(w[0].Step) < c.Warmup*float64(t.Steps) {
		return nil
	}
	return w
}

// modeCollapse fires on data with known modes when at most
// MinModes × modes are captured at Patience evaluations in a row, all
// after the warm-up. On images the classes count by mass as well
// (effectiveModes): few classes captured, or most samples in few classes.
func modeCollapse(c ganexp.Detect, t Trial, h []Point) *Verdict {
	w := window(c, t, h)
	if t.Modes == 0 || w == nil {
		return nil
	}
	limit := math.Floor(c.MinModes * float64(t.Modes))
	for _, p := range w {
		if v, ok := effectiveModes(t, p); !ok || v > limit {
			return nil
		}
	}
	p := h[len(h)-1]
	evidence := map[string]any{"modes_captured": p.Values["modes_captured"], "modes": t.Modes, "hq_fraction": p.Values["hq_fraction"]}
	msg := fmt.Sprintf("%d of %d modes captured, at most %d for %d evaluations in a row",
		int(p.Values["modes_captured"]), t.Modes, int(limit), c.Patience)
	if t.Images {
		m, _ := effectiveModes(t, p)
		delete(evidence, "hq_fraction")
		evidence["mode_kl"], evidence["effective_classes"] = p.Values["mode_kl"], m
		msg = fmt.Sprintf("%d of %d classes captured, %.1f by mass (mode_kl %.3f), at most %d for %d evaluations in a row",
			int(p.Values["modes_captured"]), t.Modes, m, p.Values["mode_kl"], int(limit), c.Patience)
	}
	return &Verdict{
		Message:    msg,
		Evidence:   evidence,
		Thresholds: map[string]any{"max_modes": limit, "patience": c.Patience, "warmup_step": c.Warmup * float64(t.Steps)},
	}
}

// lowRecall fires on data without known modes when the improved recall
// of the real data (Kynkäänniemi et al. 2019, k = 3) stays below
// MinRecall for Patience evaluations in a row, all after the warm-up: most
// real points lie outside every generated point's k-NN ball, so G misses
// most of the data. (Coverage, with its tighter real balls, also drops on
// collapse but stays low for long in runs that are merely not sharp yet.)
// Image runs, whose classes are known, are not judged by recall: in the
// classifier's features it measures sharpness as much as coverage, and
// healthy but blurry runs sit at 0.0–0.35 (detect-eval's MNIST corpus and
// examples/mnist-dcgan.yaml), below any threshold that catches collapse.
func lowRecall(c ganexp.Detect, t Trial, h []Point) *Verdict {
	w := window(c, t, h)
	if t.Modes != 0 || w == nil {
		return nil
	}
	for _, p := range w {
		if v, ok := get(p, "recall"); !ok || v >= c.MinRecall {
			return nil
		}
	}
	p := h[len(h)-1]
	return &Verdict{
		Message: fmt.Sprintf("recall %.3f below %.3f for %d evaluations in a row (coverage %.3f)",
			p.Values["recall"], c.MinRecall, c.Patience, p.Values["coverage"]),
		Evidence:   map[string]any{"recall": p.Values["recall"], "coverage": p.Values["coverage"], "spread_ratio": p.Values["spread_ratio"]},
		Thresholds: map[string]any{"min_recall": c.MinRecall, "patience": c.Patience, "warmup_step": c.Warmup * float64(t.Steps)},
	}
}
