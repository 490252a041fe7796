package ganexp

import (
	"fmt"
	"strings"
)

// Detect configures the online failure detectors of a trial (the
// `detect:` section of a sweep file).
type Detect struct {
	// Enabled turns detection on (the default). Off, trials always train
	// to the end: that is how the labelled corpus of detect-eval is made.
	Enabled bool `json:"enabled"`
	// OnFailure is "stop" (end the trial at the verdict) or "continue"
	// (train to the end and only record the verdict).
	OnFailure string `json:"on_failure"`
	// Warmup is the share of the steps before collapse is judged.
	Warmup float64 `json:"warmup"`
	// Patience is how many evaluations in a row a condition must hold; a
	// run with fewer than 5×Patience evaluations uses a fifth of them
	// (at least 3).
	Patience int `json:"patience"`
	// MinModes: collapse when modes_captured ≤ MinModes × modes.
	MinModes float64 `json:"min_modes"`
	// MinRecall: collapse (data without known modes) when the recall of
	// the real data is below it.
	MinRecall float64 `json:"min_recall"`
	// MaxLoss, MaxGradNorm and MaxSpread bound |loss|, gradient norms and
	// the sample spread ratio; past them a run has exploded.
	MaxLoss     float64 `json:"max_loss"`
	MaxGradNorm float64 `json:"max_grad_norm"`
	MaxSpread   float64 `json:"max_spread"`
	// DWin: D wins outright when D(real) ≥ 1 − DWin and D(fake) ≤ DWin
	// (probabilities for the cross-entropy losses; margins for the others).
	DWin float64 `json:"d_win"`
}

// DefaultDetect are the detector settings a sweep file leaves unset.
func DefaultDetect() Detect {
	return Detect{
		Enabled:     true,
		OnFailure:   "stop",
		Warmup:      0.4,
		Patience:    6,
		MinModes:    0.5,
		MinRecall:   0.4,
		MaxLoss:     100,
		MaxGradNorm: 1e4,
		MaxSpread:   10,
		DWin:        0.02,
	}
}

// OnFailures lists the valid on_failure values.
var OnFailures = []string{"stop", "continue"}

// Summary renders the settings as the compact `detect` parameter: "off",
// "stop" or "continue", then the settings that differ from the defaults,
// e.g. "stop;patience=5". It is part of the trial key, since a detector
// that stops a trial early changes its results.
func (d Detect) Summary() string {
	if !d.Enabled {
		return "off"
	}
	def := DefaultDetect()
	parts := []string{d.OnFailure}
	add := func(name string, v, dv any) {
		if v != dv {
			parts = append(parts, fmt.Sprintf("%s=%s", name, FormatValue(v)))
		}
	}
	add("warmup", d.Warmup, def.Warmup)
	add("patience", int64(d.Patience), int64(def.Patience))
	add("min_modes", d.MinModes, def.MinModes)
	add("min_recall", d.MinRecall, def.MinRecall)
	add("max_loss", d.MaxLoss, def.MaxLoss)
	add("max_grad_norm", d.MaxGradNorm, def.MaxGradNorm)
	add("max_spread", d.MaxSpread, def.MaxSpread)
	add("d_win", d.DWin, def.DWin)
	return strings.Join(parts, ";")
}
