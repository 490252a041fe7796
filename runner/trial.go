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
	"github.com/ganexp/ganexp/metrics"
)

// Trainer trains one GAN; gan.Trainer is the real one.
type Trainer interface {
	Train(ctx context.Context, t ganexp.Trial, data ganexp.Sampler, obs ganexp.Observer) (int, error)
}

// streamReal draws the real comparison samples of a trial's evaluations.
const streamReal = 0x7265616c // "real"

// bandwidthPoints caps the points used for the median heuristic.
const bandwidthPoints = 1000

// RunTrial trains t with tr, evaluates every snapshot, and reports to
// sink. A panic in Go code (trainer, metrics) fails only this trial. It
// never returns an error: every way a trial can end is an Outcome.
func RunTrial(ctx context.Context, t ganexp.Trial, tr Trainer, sink Sink) (out Outcome) {
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
	steps, err := tr.Train(ctx, t, src, ev)
	switch {
	case err == nil:
		return Outcome{Status: ganexp.StatusCompleted, StepsDone: steps}
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return Outcome{Status: ganexp.StatusInterrupted, StepsDone: steps}
	default:
		return Outcome{Status: ganexp.StatusFailed, StepsDone: steps, Error: err.Error()}
	}
}

// evaluator turns the trainer's snapshots into metrics. It is the
// trainer's Observer.
type evaluator struct {
	t        ganexp.Trial
	sink     Sink
	start    time.Time
	dim      int
	centres  []float64 // known modes, flat; nil for csv
	stds     []float64
	src      dataset.Source
	rng      *rand.Rand
	sigma    float64   // RBF bandwidth, fixed per trial so values compare over time
	real     []float32 // buffer for a fresh real sample
	fake64   []float64
	real64   []float64
	lastStep int
}

func newEvaluator(t ganexp.Trial, src dataset.Source, sink Sink) *evaluator {
	n := t.Config.EvalSamples
	e := &evaluator{
		t: t, sink: sink, start: time.Now(), dim: src.Dim(), src: src,
		rng:    rand.New(rand.NewPCG(uint64(t.Seed), streamReal)),
		real:   make([]float32, n*src.Dim()),
		fake64: make([]float64, n*src.Dim()),
		real64: make([]float64, n*src.Dim()),
	}
	for _, m := range src.Modes() {
		e.centres = append(e.centres, m.Centre...)
		e.stds = append(e.stds, m.Std)
	}
	ref := e.freshReal()
	e.sigma = metrics.MedianDistance(ref, e.dim, bandwidthPoints)
	return e
}

func (e *evaluator) freshReal() []float64 {
	e.src.Sample(e.rng, e.real)
	for i, x := range e.real {
		e.real64[i] = float64(x)
	}
	return e.real64
}

func (e *evaluator) Progress(step int) {
	e.lastStep = step
	e.sink.Progress(step)
}

// Eval computes every metric of one snapshot and records it.
func (e *evaluator) Eval(s ganexp.Snapshot) (bool, error) {
	e.lastStep = s.Step
	values := map[string]Number{
		"loss_d":      Number(s.LossD),
		"loss_g":      Number(s.LossG),
		"grad_norm_d": Number(s.GradNormD),
		"grad_norm_g": Number(s.GradNormG),
	}
	badSamples := 0
	for i, x := range s.Samples {
		e.fake64[i] = float64(x)
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			badSamples++
		}
	}
	if e.centres != nil {
		ms := metrics.Modes(e.fake64, e.dim, e.centres, e.stds)
		values["modes_captured"] = Number(ms.Captured)
		values["hq_fraction"] = Number(ms.HQFraction)
		values["mode_kl"] = Number(ms.KL)
	}
	values["mmd2"] = Number(metrics.MMD2(e.fake64, e.freshReal(), e.dim, e.sigma))
	if err := e.sink.Eval(Eval{Step: s.Step, WallS: time.Since(e.start).Seconds(), Values: values}); err != nil {
		return false, err
	}
	if bad := nonFinite(values, badSamples); bad != nil {
		if err := e.sink.Event(s.Step, "non_finite", bad); err != nil {
			return false, err
		}
	}
	return false, nil
}

// nonFinite names the values that are NaN or infinite because training
// produced non-finite numbers. mode_kl alone being NaN is not such a
// case: it is undefined while no sample is high quality.
func nonFinite(values map[string]Number, badSamples int) map[string]any {
	var names []string
	for _, m := range ganexp.Metrics {
		v, ok := values[m.Name]
		if !ok {
			continue
		}
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			if m.Name == "mode_kl" && badSamples == 0 {
				continue
			}
			names = append(names, m.Name)
		}
	}
	if len(names) == 0 && badSamples == 0 {
		return nil
	}
	return map[string]any{"metrics": names, "non_finite_samples": badSamples}
}
