package runner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"time"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/dataset"
	"github.com/ganexp/ganexp/detect"
	"github.com/ganexp/ganexp/metrics"
)

// Trainer trains one GAN; gan.Trainer is the real one.
type Trainer interface {
	Train(ctx context.Context, t ganexp.Trial, data ganexp.Sampler, obs ganexp.Observer) (int, error)
}

// streamReal draws a trial's reference sample of real data.
const streamReal = 0x7265616c // "real"

// Evaluation constants, fixed so that values compare across trials.
const (
	bandwidthPoints = 1000 // points for the median heuristic
	kPR             = 3    // k of precision and recall (Kynkäänniemi et al.)
	kDC             = 5    // k of density and coverage (Naeem et al.)
	ndbBins         = 20   // k-means bins of NDB
	ndbAlpha        = 0.05 // significance of NDB's per-bin test
	swdDirections   = 16   // directions of the sliced Wasserstein distance in 2-D (64 above)
)

// RunTrial trains t with tr, evaluates every snapshot, judges it with the
// detectors, and reports to sink. A panic in Go code (trainer, metrics,
// detectors) fails only this trial. It never returns an error: every way a
// trial can end is an Outcome.
func RunTrial(ctx context.Context, t ganexp.Trial, tr Trainer, sink ganexp.Sink) (out Outcome) {
	var ev *evaluator
	defer func() {
		if r := recover(); r != nil {
			out = Outcome{Status: ganexp.StatusFailed, Error: fmt.Sprintf("panic: %v\n\n%s", r, debug.Stack())}
			if ev != nil {
				out.StepsDone = ev.lastStep
			}
		}
	}()
	src, err := dataset.New(t.Config.Dataset)
	if err != nil {
		return Outcome{Status: ganexp.StatusFailed, Error: fmt.Sprintf("load dataset: %v", err)}
	}
	ev = newEvaluator(t, src, sink)
	defer func() {
		out.Tracking = ev.tracking
		out.Tracking.WallS = time.Since(ev.start).Seconds()
	}()
	steps, err := tr.Train(ctx, t, src, ev)
	switch {
	case err == nil && ev.verdict != nil:
		out = Outcome{Status: ev.verdict.Status, StepsDone: steps, Verdict: ev.verdict}
		if t.Config.Detect.OnFailure == "stop" {
			out.StepsSaved = t.Config.Steps - steps
		}
		return out
	case err == nil:
		return Outcome{Status: ganexp.StatusCompleted, StepsDone: steps}
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return Outcome{Status: ganexp.StatusInterrupted, StepsDone: steps, Verdict: ev.verdict}
	default:
		return Outcome{Status: ganexp.StatusFailed, StepsDone: steps, Error: err.Error(), Verdict: ev.verdict}
	}
}

// evaluator turns the trainer's snapshots into metrics and verdicts. It is
// the trainer's Observer.
type evaluator struct {
	t        ganexp.Trial
	sink     ganexp.Sink
	start    time.Time
	dim      int
	centres  []float64 // known modes, flat; nil for csv
	stds     []float64
	ref      []float64 // the reference real sample, drawn once per trial
	mmd      *metrics.MMDRef
	refPR    []float64 // k-NN radii of ref
	refDC    []float64
	bins     metrics.Bins
	swd      *metrics.SWDRef
	spread   float64 // RMS spread of ref
	fake     []float64
	history  []detect.Point
	verdict  *detect.Verdict
	grid     []float32 // 1-D points where snapshots carry D(x); nil above 1-D
	reported bool      // a non_finite event was recorded
	lastStep int
	tracking ganexp.Tracking // time spent in metrics, detectors and the sink
}

func newEvaluator(t ganexp.Trial, src dataset.Source, sink ganexp.Sink) *evaluator {
	dim, n := src.Dim(), t.Config.EvalSamples
	rng := rand.New(rand.NewPCG(uint64(t.Seed), streamReal))
	buf := make([]float32, n*dim)
	src.Sample(rng, buf)
	ref := make([]float64, n*dim)
	for i, x := range buf {
		ref[i] = float64(x)
	}
	e := &evaluator{
		t: t, sink: sink, start: time.Now(), dim: dim, ref: ref,
		mmd:    metrics.NewMMDRef(ref, dim, metrics.MedianDistance(ref, dim, bandwidthPoints)),
		refPR:  metrics.KNNRadii(ref, dim, kPR),
		refDC:  metrics.KNNRadii(ref, dim, kDC),
		bins:   metrics.NewBins(ref, dim, min(ndbBins, n), rng),
		swd:    metrics.NewSWDRef(ref, dim, metrics.Directions(dim, directions(dim), rng.NormFloat64)),
		spread: rmsSpread(ref, dim),
		fake:   make([]float64, n*dim),
	}
	for _, m := range src.Modes() {
		e.centres = append(e.centres, m.Centre...)
		e.stds = append(e.stds, m.Std)
	}
	if dim == 1 {
		e.grid = gridOver(ref)
	}
	return e
}

// gridOver spreads gridPoints points over the range of the 1-D sample x,
// widened by a quarter of it on each side.
func gridOver(x []float64) []float32 {
	lo, hi := x[0], x[0]
	for _, v := range x {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	pad := (hi - lo) / 4
	lo, hi = lo-pad, hi+pad
	g := make([]float32, gridPoints)
	for i := range g {
		g[i] = float32(lo + (hi-lo)*float64(i)/float64(gridPoints-1))
	}
	return g
}

// Grid implements ganexp.Observer.
func (e *evaluator) Grid() []float32 { return e.grid }

func directions(dim int) int {
	if dim <= 2 {
		return swdDirections
	}
	return 64
}

// rmsSpread is √(mean ‖x − x̄‖²).
func rmsSpread(x []float64, dim int) float64 {
	n := len(x) / dim
	mean := make([]float64, dim)
	for i := 0; i < n; i++ {
		for j := 0; j < dim; j++ {
			mean[j] += x[i*dim+j] / float64(n)
		}
	}
	s := 0.0
	for i := 0; i < n; i++ {
		for j := 0; j < dim; j++ {
			d := x[i*dim+j] - mean[j]
			s += d * d
		}
	}
	return math.Sqrt(s / float64(n))
}

func (e *evaluator) Progress(step int) {
	e.lastStep = step
	e.sink.Progress(step)
}

// Eval computes every metric of one snapshot, records it, and judges the
// history. It asks the trainer to stop on a verdict with on_failure: stop.
func (e *evaluator) Eval(s ganexp.Snapshot) (bool, error) {
	e.lastStep = s.Step
	// What is not measuring or judging is handing results to the sink.
	begin := time.Now()
	var measured, judged time.Duration
	defer func() {
		e.tracking.MetricsS += measured.Seconds()
		e.tracking.DetectorsS += judged.Seconds()
		e.tracking.StoreS += (time.Since(begin) - measured - judged).Seconds()
	}()
	values, nonFinite := e.measure(s)
	measured = time.Since(begin)
	if err := e.sink.Eval(ganexp.Eval{Step: s.Step, WallS: time.Since(e.start).Seconds(), Values: values}); err != nil {
		return false, err
	}
	if len(nonFinite) > 0 && !e.reported {
		e.reported = true
		if err := e.sink.Event(s.Step, "non_finite", map[string]any{"non_finite": nonFinite}); err != nil {
			return false, err
		}
	}
	t := time.Now()
	stop, err := e.judge(s, values, nonFinite)
	judged = time.Since(t)
	if err != nil {
		return false, err
	}
	c := e.t.Config
	if keepSnapshot(s.Step, c.Steps, c.EvalEvery) || stop {
		if err := e.snapshot(s); err != nil {
			return false, err
		}
	}
	return stop, nil
}

// snapshot stores the samples (and D on the grid) of an evaluation.
func (e *evaluator) snapshot(s ganexp.Snapshot) error {
	n := min(len(s.Samples), ganexp.SnapshotPoints*s.Dim)
	if err := e.sink.Artifact(s.Step, ganexp.ArtifactSamples, ganexp.EncodeFloats(s.Samples[:n])); err != nil {
		return err
	}
	if s.DOnGrid != nil {
		return e.sink.Artifact(s.Step, ganexp.ArtifactDGrid, ganexp.EncodeFloats(append(append([]float32(nil), e.grid...), s.DOnGrid...)))
	}
	return nil
}

// judge adds the evaluation to the history and runs the detectors; it
// reports whether the trial should stop.
func (e *evaluator) judge(s ganexp.Snapshot, values map[string]ganexp.Number, nonFinite []string) (bool, error) {
	d := e.t.Config.Detect
	if !d.Enabled || e.verdict != nil {
		return false, nil
	}
	point := detect.Point{Step: s.Step, Values: make(map[string]float64, len(values)), NonFinite: nonFinite}
	for k, v := range values {
		point.Values[k] = float64(v)
	}
	e.history = append(e.history, point)
	info := detect.Trial{Steps: e.t.Config.Steps, EvalEvery: e.t.Config.EvalEvery, Modes: len(e.stds), Loss: e.t.Config.Loss}
	v := detect.Judge(d, info, e.history)
	if v == nil {
		return false, nil
	}
	e.verdict = v
	stop := d.OnFailure == "stop"
	detail := map[string]any{
		"detector": v.Detector, "message": v.Message, "evidence": v.Evidence, "thresholds": v.Thresholds,
		"on_failure": d.OnFailure, "steps_saved": 0,
	}
	if stop {
		detail["steps_saved"] = e.t.Config.Steps - s.Step
	}
	if err := e.sink.Event(s.Step, string(v.Status), detail); err != nil {
		return false, err
	}
	return stop, nil
}

// measure computes the metrics of a snapshot and names the quantities that
// were not finite.
func (e *evaluator) measure(s ganexp.Snapshot) (map[string]ganexp.Number, []string) {
	values := map[string]ganexp.Number{
		"loss_d":      ganexp.Number(s.LossD),
		"loss_g":      ganexp.Number(s.LossG),
		"grad_norm_d": ganexp.Number(s.GradNormD),
		"grad_norm_g": ganexp.Number(s.GradNormG),
		"d_real":      ganexp.Number(s.DReal),
		"d_fake":      ganexp.Number(s.DFake),
	}
	var nonFinite []string
	for _, name := range []string{"loss_d", "loss_g", "grad_norm_d", "grad_norm_g"} {
		if f := float64(values[name]); math.IsNaN(f) || math.IsInf(f, 0) {
			nonFinite = append(nonFinite, name)
		}
	}
	if s.NonFiniteParams {
		nonFinite = append(nonFinite, "params")
	}
	finite := true
	for i, x := range s.Samples {
		e.fake[i] = float64(x)
		finite = finite && !math.IsNaN(e.fake[i]) && !math.IsInf(e.fake[i], 0)
	}
	if !finite {
		// Distances to NaN points mean nothing; the sample is the finding.
		nonFinite = append(nonFinite, "samples")
		for _, m := range []string{"modes_captured", "hq_fraction", "mode_kl", "balanced_hq", "mmd2", "swd", "precision", "recall", "density", "coverage", "ndb_k", "spread_ratio"} {
			values[m] = ganexp.Number(math.NaN())
		}
		if e.centres == nil {
			delete(values, "modes_captured")
			delete(values, "hq_fraction")
			delete(values, "mode_kl")
			delete(values, "balanced_hq")
		}
		return values, nonFinite
	}
	if e.centres != nil {
		ms := metrics.Modes(e.fake, e.dim, e.centres, e.stds)
		values["modes_captured"] = ganexp.Number(ms.Captured)
		values["hq_fraction"] = ganexp.Number(ms.HQFraction)
		values["mode_kl"] = ganexp.Number(ms.KL)
		values["balanced_hq"] = ganexp.Number(ms.Balanced)
	}
	values["mmd2"] = ganexp.Number(e.mmd.MMD2(e.fake))
	values["swd"] = ganexp.Number(e.swd.Distance(e.fake))
	fid := metrics.NewFidelity(e.ref, e.fake, e.dim, e.refPR, metrics.KNNRadii(e.fake, e.dim, kPR), e.refDC, kDC)
	values["precision"] = ganexp.Number(fid.Precision)
	values["recall"] = ganexp.Number(fid.Recall)
	values["density"] = ganexp.Number(fid.Density)
	values["coverage"] = ganexp.Number(fid.Coverage)
	values["ndb_k"] = ganexp.Number(float64(e.bins.NDB(e.fake, ndbAlpha)) / float64(len(e.bins.Props)))
	values["spread_ratio"] = ganexp.Number(rmsSpread(e.fake, e.dim) / e.spread)
	return values, nonFinite
}
