package faults

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ganexp/ganexp"
)

func TestParse(t *testing.T) {
	seed2 := ganexp.Trial{Key: "abc123", Seed: 2}
	seed1 := ganexp.Trial{Key: "abd456", Seed: 1}
	tests := []struct {
		spec     string
		want     string // rule.String(), or the error
		on2, on1 bool
	}{
		{"vm-panic", "vm-panic:step=1", true, true},
		{"error:step=5:seed=2", "error:step=5:seed=2", true, false},
		{"panic:key=abd", "panic:step=1:key=abd", false, true},
		{"explode", `GANEXP_FAULT: unknown fault kind "explode" (use vm-panic, panic, error, hang, stall, metric-panic, detector-panic)`, false, false},
		{"error:step=x", `GANEXP_FAULT: bad step "x" (use an integer)`, false, false},
		{"error:when=3", `GANEXP_FAULT: unknown part "when" (use step, seed or key)`, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			r, err := Parse(tt.spec)
			got := r.String()
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if err != nil {
				return
			}
			if (r.Apply(seed2) != nil) != tt.on2 || (r.Apply(seed1) != nil) != tt.on1 {
				t.Errorf("applies to seed 2: %v, seed 1: %v; want %v, %v", r.Apply(seed2) != nil, r.Apply(seed1) != nil, tt.on2, tt.on1)
			}
		})
	}
}

// countTrainer takes steps, calling Progress after each and Eval every
// 20 steps, and stops at a cancelled context as the real trainer does.
type countTrainer struct{ steps int }

func (c countTrainer) Train(ctx context.Context, t ganexp.Trial, _ ganexp.Sampler, obs ganexp.Observer) (int, error) {
	for step := 1; step <= c.steps; step++ {
		if err := ctx.Err(); err != nil {
			return step - 1, err
		}
		obs.Progress(step)
		if step%20 == 0 {
			if _, err := obs.Eval(ganexp.Snapshot{Step: step}); err != nil {
				return step, err
			}
		}
	}
	return c.steps, nil
}

// evals records the steps of the evaluations that reached it.
type evals struct{ steps []int }

func (e *evals) Progress(int)    {}
func (e *evals) Grid() []float32 { return nil }
func (e *evals) Eval(s ganexp.Snapshot) (bool, error) {
	e.steps = append(e.steps, s.Step)
	return false, nil
}

// train runs a 100-step trial with fault f and returns the steps done,
// the error, the panic (as text) and the evaluations the observer saw.
func train(f *Fault, vmPanic func(string)) (steps int, err error, panicked string, seen []int) {
	obs := &evals{}
	w := Trainer{Inner: countTrainer{100}, Pick: func(ganexp.Trial) *Fault { return f }, VMPanicAt: vmPanic}
	func() {
		defer func() {
			if r := recover(); r != nil {
				panicked = fmt.Sprint(r)
			}
		}()
		steps, err = w.Train(context.Background(), ganexp.Trial{}, nil, obs)
	}()
	return steps, err, panicked, obs.steps
}

func TestTrainerFaults(t *testing.T) {
	vm := func(msg string) { panic("in the VM: " + msg) } // stands in for gan.PanicInVM
	tests := []struct {
		name      string
		f         *Fault
		steps     int
		err       string
		panicked  string
		evalsSeen string
	}{
		{"none", nil, 100, "<nil>", "", "[20 40 60 80 100]"},
		// After step 5 the context is cancelled; the trainer stops before
		// step 6 and the fault's error replaces the cancellation.
		{"error", &Fault{Error, 5}, 5, "injected fault: error", "", "[]"},
		{"panic", &Fault{Panic, 5}, 0, "<nil>", "injected fault: panic at step 5", "[]"},
		{"vm-panic", &Fault{VMPanic, 3}, 0, "<nil>", "in the VM: injected fault: panic inside a gorgonia op at step 3", "[]"},
		// The first evaluation from step 30 on is at 40: a metric panic
		// comes before it reaches the observer, a detector panic after.
		{"metric-panic", &Fault{MetricPanic, 30}, 0, "<nil>", "injected fault: metric-panic at step 40", "[20]"},
		{"detector-panic", &Fault{DetectorPanic, 30}, 0, "<nil>", "injected fault: detector-panic at step 40", "[20 40]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps, err, panicked, seen := train(tt.f, vm)
			if steps != tt.steps || fmt.Sprint(err) != tt.err || panicked != tt.panicked || fmt.Sprint(seen) != tt.evalsSeen {
				t.Errorf("steps %d, err %v, panic %q, evaluations %v; want %d, %s, %q, %s",
					steps, err, panicked, seen, tt.steps, tt.err, tt.panicked, tt.evalsSeen)
			}
		})
	}
}

// A stall holds the trial at its step until the trial is cancelled, and
// then the trainer stops as it does at any cancellation.
func TestStallWaitsForCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	obs := &evals{}
	w := Trainer{Inner: countTrainer{100}, Pick: func(ganexp.Trial) *Fault { return &Fault{Stall, 30} }}
	type result struct {
		steps int
		err   error
	}
	done := make(chan result, 1)
	go func() {
		steps, err := w.Train(ctx, ganexp.Trial{}, nil, obs)
		done <- result{steps, err}
	}()
	select {
	case r := <-done:
		t.Fatalf("the stalled trial returned before it was cancelled: %+v", r)
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	r := <-done
	// Stalled in Progress(30): the trainer's check before step 31 stops it.
	if r.steps != 30 || !errors.Is(r.err, context.Canceled) || fmt.Sprint(obs.steps) != "[20]" {
		t.Errorf("steps %d, err %v, evaluations %v; want 30, context canceled, [20]", r.steps, r.err, obs.steps)
	}
}

// stateful is an observer with checkpoint state.
type stateful struct {
	evals
	restored string
}

func (s *stateful) SaveState() ([]byte, error)  { return []byte("history"), nil }
func (s *stateful) RestoreState(b []byte) error { s.restored = string(b); return nil }

// saver checkpoints and restores its observer as the real trainer does.
type saver struct{ saved []byte }

func (c *saver) Train(ctx context.Context, t ganexp.Trial, _ ganexp.Sampler, obs ganexp.Observer) (int, error) {
	ss, ok := obs.(ganexp.StateSaver)
	if !ok {
		return 0, errors.New("the observer has no state to checkpoint")
	}
	var err error
	if c.saved, err = ss.SaveState(); err != nil {
		return 0, err
	}
	return 0, ss.RestoreState(c.saved)
}

// A trial under a fault checkpoints its observer's state as it would
// without one: the kill tests resume such trials without the fault.
func TestFaultKeepsObserverState(t *testing.T) {
	inner := &saver{}
	obs := &stateful{}
	w := Trainer{Inner: inner, Pick: func(ganexp.Trial) *Fault { return &Fault{Stall, 30} }}
	if _, err := w.Train(context.Background(), ganexp.Trial{}, nil, obs); err != nil {
		t.Fatal(err)
	}
	if got, want := string(inner.saved)+"/"+obs.restored, "history/history"; got != want {
		t.Errorf("saved/restored %q, want %q", got, want)
	}
}

// A trial resumed from a checkpoint does not stall again: it trains to
// the end (a stall would hold it until the deadline and fail it).
func TestStallSparesAResumedTrial(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	obs := &evals{}
	w := Trainer{Inner: countTrainer{100}, Pick: func(ganexp.Trial) *Fault { return &Fault{Stall, 30} }}
	steps, err := w.Train(ctx, ganexp.Trial{Resume: "t.ckpt"}, nil, obs)
	if steps != 100 || err != nil {
		t.Errorf("steps %d, err %v; want 100, nil", steps, err)
	}
}
