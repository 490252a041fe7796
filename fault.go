package ganexp

import (
	"fmt"
	"strconv"
	"strings"
)

// Fault kinds for fault injection. They exist so that tests can prove that
// one failing trial cannot take down a sweep.
const (
	// FaultVMPanic panics inside a gorgonia op, where recover() cannot
	// reach: it kills the process that runs the trial.
	FaultVMPanic = "vm-panic"
	// FaultPanic panics in the trial's own goroutine.
	FaultPanic = "panic"
	// FaultError makes the trainer return an error.
	FaultError = "error"
	// FaultHang blocks the trainer for good, deaf to cancellation, like
	// an op that never returns.
	FaultHang = "hang"
	// FaultMetricPanic panics while the metrics of the first evaluation
	// at or after the step are computed.
	FaultMetricPanic = "metric-panic"
	// FaultDetectorPanic panics while the detectors judge that evaluation.
	FaultDetectorPanic = "detector-panic"
)

// Fault makes one trial fail on purpose at a step.
type Fault struct {
	Kind string `json:"kind"`
	Step int    `json:"step"`
}

// FaultRule selects the trials a fault applies to. It is parsed from the
// GANEXP_FAULT environment variable, for example
// "vm-panic:step=3:seed=2" or "error:key=3fa9".
type FaultRule struct {
	Fault
	Seed      *int64
	KeyPrefix string
}

// ParseFaultRule parses the GANEXP_FAULT syntax: a kind, then optional
// colon-separated step=N, seed=N and key=PREFIX.
func ParseFaultRule(s string) (FaultRule, error) {
	parts := strings.Split(s, ":")
	r := FaultRule{Fault: Fault{Kind: parts[0], Step: 1}}
	switch r.Kind {
	case FaultVMPanic, FaultPanic, FaultError, FaultHang, FaultMetricPanic, FaultDetectorPanic:
	default:
		return r, Inputf("GANEXP_FAULT", "use vm-panic, panic, error, hang, metric-panic or detector-panic", "unknown fault kind %q", r.Kind)
	}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return r, Inputf("GANEXP_FAULT", "write name=value", "bad part %q", p)
		}
		switch k {
		case "step", "seed":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return r, Inputf("GANEXP_FAULT", "use an integer", "bad %s %q", k, v)
			}
			if k == "step" {
				r.Step = int(n)
			} else {
				r.Seed = &n
			}
		case "key":
			r.KeyPrefix = v
		default:
			return r, Inputf("GANEXP_FAULT", "use step, seed or key", "unknown part %q", k)
		}
	}
	return r, nil
}

// Apply returns the fault for t, or nil when the rule does not select it.
func (r FaultRule) Apply(t Trial) *Fault {
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
func (r FaultRule) String() string {
	s := fmt.Sprintf("%s:step=%d", r.Kind, r.Step)
	if r.Seed != nil {
		s += fmt.Sprintf(":seed=%d", *r.Seed)
	}
	if r.KeyPrefix != "" {
		s += ":key=" + r.KeyPrefix
	}
	return s
}
