// Package runner schedules trials with a bounded errgroup and owns each
// trial's lifecycle: claim, train (in this process or in a worker
// process), evaluate, record, finish.
package runner

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/detect"
)

// Outcome is how one trial ended.
type Outcome struct {
	Status    ganexp.Status `json:"status"`
	StepsDone int           `json:"steps_done"`
	Error     string        `json:"error,omitempty"` // message (and stack) of a failed trial
	// Verdict is the detector verdict that set a collapsed or diverged
	// status, and StepsSaved the planned steps that stopping spared.
	Verdict    *detect.Verdict `json:"verdict,omitempty"`
	StepsSaved int             `json:"steps_saved,omitempty"`
}

// Eval is one evaluation of a trial.
type Eval struct {
	Step   int               `json:"step"`
	WallS  float64           `json:"wall_s"` // seconds since the trial started
	Values map[string]Number `json:"values"`
}

// Number is a float64 that survives JSON when it is NaN or infinite:
// such values travel as the strings "NaN", "+Inf" and "-Inf".
type Number float64

// MarshalJSON implements json.Marshaler.
func (n Number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	switch {
	case math.IsNaN(f):
		return []byte(`"NaN"`), nil
	case math.IsInf(f, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(f, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *Number) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		f, err := strconv.ParseFloat(s, 64)
		*n = Number(f)
		return err
	}
	var f float64
	err := json.Unmarshal(b, &f)
	*n = Number(f)
	return err
}

// Sink receives what a running trial produces. The runner's sink writes
// to the store and the progress display; a worker's sink streams to its
// parent.
type Sink interface {
	// Progress reports the steps done; it may be called every step.
	Progress(step int)
	// Eval records one evaluation.
	Eval(e Eval) error
	// Event records a notable moment; detail is JSON-encodable.
	Event(step int, kind string, detail any) error
	// Artifact stores an object the reports draw (see artifacts.go).
	Artifact(step int, kind string, data []byte) error
}
