package ganexp

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Eval is one evaluation of a trial: its step, the seconds since the trial
// started, and every metric measured, by name.
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

// Sink receives what a running trial produces: its progress, its
// evaluations, its notable moments and the objects the reports draw. The
// sweep's sink writes to the store and the progress display; a worker's
// streams to its parent.
type Sink interface {
	// Progress reports the steps done; it may be called every step.
	Progress(step int)
	// Eval records one evaluation.
	Eval(e Eval) error
	// Event records a notable moment; detail is JSON-encodable.
	Event(step int, kind string, detail any) error
	// Artifact stores an object the reports draw (ArtifactSamples, …).
	Artifact(step int, kind string, data []byte) error
}

// Tracking splits a trial's wall time into training and the cost of
// watching it at each evaluation: computing the metrics, running the
// detectors, and storing the results (the sink calls in the trial, and the
// database writes of the sweep process when the trial runs in a worker).
// Two costs of evaluating are kept apart from those, because they are not
// per evaluation or not the watcher's own work: preparing the reference
// sample once per trial, and the trainer drawing G's samples.
type Tracking struct {
	WallS      float64 `json:"wall_s"` // the whole trial
	MetricsS   float64 `json:"metrics_s"`
	DetectorsS float64 `json:"detectors_s"`
	StoreS     float64 `json:"store_s"`
	PrepareS   float64 `json:"prepare_s,omitempty"` // the reference sample and its structures
	DrawS      float64 `json:"draw_s,omitempty"`    // G's samples at each evaluation
	// Parts splits MetricsS by what was computed: a metric, or the family
	// of metrics computed together (knn for precision, recall, density and
	// coverage; modes for the mode metrics).
	Parts map[string]float64 `json:"parts,omitempty"`
}

// Add sums two trials' times.
func (t Tracking) Add(u Tracking) Tracking {
	sum := Tracking{
		WallS: t.WallS + u.WallS, MetricsS: t.MetricsS + u.MetricsS,
		DetectorsS: t.DetectorsS + u.DetectorsS, StoreS: t.StoreS + u.StoreS,
		PrepareS: t.PrepareS + u.PrepareS, DrawS: t.DrawS + u.DrawS,
	}
	for _, parts := range []map[string]float64{t.Parts, u.Parts} {
		for k, v := range parts {
			if sum.Parts == nil {
				sum.Parts = map[string]float64{}
			}
			sum.Parts[k] += v
		}
	}
	return sum
}

// PartsString gives each part of the metrics' time as a share of the wall
// time, largest first, or "" when there are none.
func (t Tracking) PartsString() string {
	if t.WallS <= 0 || len(t.Parts) == 0 {
		return ""
	}
	names := make([]string, 0, len(t.Parts))
	for k := range t.Parts {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, b string) int {
		if c := cmp.Compare(t.Parts[b], t.Parts[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s %.2f%%", k, 100*t.Parts[k]/t.WallS)
	}
	return "metrics: " + strings.Join(parts, ", ")
}

// String gives each part as a share of the wall time.
func (t Tracking) String() string {
	if t.WallS <= 0 {
		return "no trial time recorded"
	}
	pct := func(v float64) string { return fmt.Sprintf("%.2f%%", 100*v/t.WallS) }
	s := fmt.Sprintf("tracking %s of trial time (metrics %s, detectors %s, store %s)",
		pct(t.MetricsS+t.DetectorsS+t.StoreS), pct(t.MetricsS), pct(t.DetectorsS), pct(t.StoreS))
	if t.PrepareS > 0 || t.DrawS > 0 {
		s += fmt.Sprintf(", plus %s preparing the reference sample and %s drawing G's samples", pct(t.PrepareS), pct(t.DrawS))
	}
	return s
}
