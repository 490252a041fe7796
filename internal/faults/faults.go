// Package faults makes trials fail on purpose, so that tests can prove
// that one failing trial never takes down a sweep. It wraps a trainer and
// its observer; nothing of it runs inside the trainer's graphs. Only test
// builds link it: the ganexp binary reads GANEXP_FAULT when built with
// -tags faults (the end-to-end tests and CI build it so), and a normal
// build has no fault hooks at all.
package faults

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ganexp/ganexp"
)

// Kinds of fault.
const (
	// VMPanic panics inside a gorgonia op, where recover() cannot reach:
	// it kills the process that runs the trial.
	VMPanic = "vm-panic"
	// Panic panics in the trial's own goroutine.
	Panic = "panic"
	// Error makes the trainer return an error.
	Error = "error"
	// Hang blocks the trainer for good, deaf to cancellation, like an op
	// that never returns.
	Hang = "hang"
	// Stall blocks the trainer until its trial is cancelled (an interrupt,
	// a kill, a timeout): a trial still running whenever the test acts on
	// it, however fast the machine is. A trial that resumes from a
	// checkpoint does not stall again, so that a rerun with the same
	// environment (a job Slurm requeues) can finish it.
	Stall = "stall"
	// MetricPanic panics as the first evaluation at or after the step is
	// about to be measured, where a bug in a metric would.
	MetricPanic = "metric-panic"
	// DetectorPanic panics right after that evaluation was measured and
	// judged, where a bug in a detector would.
	DetectorPanic = "detector-panic"
)

// Kinds lists the fault kinds.
var Kinds = []string{VMPanic, Panic, Error, Hang, Stall, MetricPanic, DetectorPanic}

// Fault makes one trial fail on purpose at a step.
type Fault struct {
	Kind string
	Step int
}

// Rule selects the trials a fault applies to. It is parsed from the
// GANEXP_FAULT environment variable, for example "vm-panic:step=3:seed=2"
// or "error:key=3fa9".
type Rule struct {
	Fault
	Seed      *int64
	KeyPrefix string
}

// Parse parses the GANEXP_FAULT syntax: a kind, then optional
// colon-separated step=N, seed=N and key=PREFIX.
func Parse(s string) (Rule, error) {
	parts := strings.Split(s, ":")
	r := Rule{Fault: Fault{Kind: parts[0], Step: 1}}
	if !contains(Kinds, r.Kind) {
		return r, ganexp.Inputf("GANEXP_FAULT", "use "+strings.Join(Kinds, ", "), "unknown fault kind %q", r.Kind)
	}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return r, ganexp.Inputf("GANEXP_FAULT", "write name=value", "bad part %q", p)
		}
		switch k {
		case "step", "seed":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return r, ganexp.Inputf("GANEXP_FAULT", "use an integer", "bad %s %q", k, v)
			}
			if k == "step" {
				r.Step = int(n)
			} else {
				r.Seed = &n
			}
		case "key":
			r.KeyPrefix = v
		default:
			return r, ganexp.Inputf("GANEXP_FAULT", "use step, seed or key", "unknown part %q", k)
		}
	}
	return r, nil
}

// Apply returns the fault for t, or nil when the rule does not select it.
func (r Rule) Apply(t ganexp.Trial) *Fault {
	if r.Seed != nil && *r.Seed != t.Seed {
		return nil
	}
	if !strings.HasPrefix(t.Key, r.KeyPrefix) {
		return nil
	}
	f := r.Fault
	return &f
}

// String renders the rule in its own syntax.
func (r Rule) String() string {
	s := fmt.Sprintf("%s:step=%d", r.Kind, r.Step)
	if r.Seed != nil {
		s += fmt.Sprintf(":seed=%d", *r.Seed)
	}
	if r.KeyPrefix != "" {
		s += ":key=" + r.KeyPrefix
	}
	return s
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// trainer is runner.Trainer, named here so that runner's own tests can
// use this package.
type trainer interface {
	Train(ctx context.Context, t ganexp.Trial, data ganexp.Sampler, obs ganexp.Observer) (int, error)
}

// Trainer wraps a trainer so that the trials Pick selects fail as their
// fault says. VMPanicAt, when set, panics inside the trainer's engine
// (gan.PanicInVM); otherwise a VMPanic fault panics on a goroutine of its
// own, which no recover() reaches either.
type Trainer struct {
	Inner     trainer
	Pick      func(ganexp.Trial) *Fault
	VMPanicAt func(msg string)
}

// Train trains t with the inner trainer, failing as t's fault says.
func (w Trainer) Train(ctx context.Context, t ganexp.Trial, data ganexp.Sampler, obs ganexp.Observer) (int, error) {
	f := w.Pick(t)
	if f == nil || f.Kind == Stall && t.Resume != "" {
		return w.Inner.Train(ctx, t, data, obs)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	o := &observer{Observer: obs, f: f, ctx: ctx, cancel: cancel, vmPanic: w.VMPanicAt}
	steps, err := w.Inner.Train(ctx, t, data, o)
	if cause := context.Cause(ctx); errors.Is(cause, errInjected) {
		// The trainer stopped because the fault cancelled it: report the
		// fault's error, not a cancellation.
		return steps, cause
	}
	return steps, err
}

// LoadClassifier is the inner trainer's, so that image trials are judged
// in fault builds too.
func (w Trainer) LoadClassifier(path string) (ganexp.ImageClassifier, error) {
	l, ok := w.Inner.(interface {
		LoadClassifier(string) (ganexp.ImageClassifier, error)
	})
	if !ok {
		return nil, errors.New("the inner trainer cannot load a classifier")
	}
	return l.LoadClassifier(path)
}

var errInjected = errors.New("injected fault: error")

// observer carries out a fault through the calls the trainer makes.
type observer struct {
	ganexp.Observer
	f       *Fault
	ctx     context.Context
	cancel  context.CancelCauseFunc
	vmPanic func(string)
	fired   bool
}

// Progress fires the training faults after the fault's step.
func (o *observer) Progress(step int) {
	if !o.fired && step >= o.f.Step {
		switch o.f.Kind {
		case Panic:
			o.fired = true
			panic(fmt.Sprintf("injected fault: panic at step %d", step))
		case Error:
			o.fired = true
			o.cancel(errInjected) // the trainer stops before its next step
		case Hang:
			o.fired = true
			select {} // like an op that never returns: deaf to ctx
		case Stall:
			o.fired = true
			<-o.ctx.Done() // the trainer then stops before its next step
		case VMPanic:
			o.fired = true
			msg := fmt.Sprintf("injected fault: panic inside a gorgonia op at step %d", step)
			if o.vmPanic != nil {
				o.vmPanic(msg)
			} else {
				go panic(msg)
			}
			select {} // the process is going down
		}
	}
	o.Observer.Progress(step)
}

// SaveState passes the checkpoint's observer state through, so that a
// trial checkpointed under a fault resumes without it as it would have.
func (o *observer) SaveState() ([]byte, error) {
	if ss, ok := o.Observer.(ganexp.StateSaver); ok {
		return ss.SaveState()
	}
	return nil, nil
}

// RestoreState passes the checkpoint's observer state through.
func (o *observer) RestoreState(data []byte) error {
	if ss, ok := o.Observer.(ganexp.StateSaver); ok {
		return ss.RestoreState(data)
	}
	return nil
}

// Eval fires the evaluation faults at the first evaluation from the
// fault's step on: before it is measured, or after it is judged.
func (o *observer) Eval(s ganexp.Snapshot) (bool, error) {
	due := !o.fired && s.Step >= o.f.Step
	if due && o.f.Kind == MetricPanic {
		o.fired = true
		panic(fmt.Sprintf("injected fault: %s at step %d", o.f.Kind, s.Step))
	}
	stop, err := o.Observer.Eval(s)
	if due && o.f.Kind == DetectorPanic {
		o.fired = true
		panic(fmt.Sprintf("injected fault: %s at step %d", o.f.Kind, s.Step))
	}
	return stop, err
}
