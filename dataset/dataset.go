// Package dataset generates the synthetic data sets of README § Sweep files,
// reads local point clouds, and reads MNIST's IDX files (and builds
// Stacked MNIST from them). It is pure Go with no I/O beyond reading
// those files.
package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/ganexp/ganexp"
)

// Kinds lists the data set kinds a config may name.
var Kinds = []string{"gaussian1d", "mixture1d", "ring", "grid", "csv", "mnist", "stacked_mnist"}

// Mode is one component of a known mixture: samples near Centre within a
// few Std are high quality.
type Mode struct {
	Centre []float64
	Std    float64
}

// Source is a sampler that may also know its modes.
type Source interface {
	ganexp.Sampler
	// Modes returns the known modes, or nil for data without them (csv).
	Modes() []Mode
}

// Defaults fills unset fields of d with the pinned protocol values.
func Defaults(d ganexp.Dataset) ganexp.Dataset {
	switch d.Kind {
	case "ring":
		d.Modes = orInt(d.Modes, 8)
		d.Radius = orFloat(d.Radius, 2)
		d.Std = orFloat(d.Std, 0.02)
	case "grid":
		d.Size = orInt(d.Size, 5)
		d.Spacing = orFloat(d.Spacing, 2)
		d.Std = orFloat(d.Std, 0.05)
	case "gaussian1d":
		d.Std = orFloat(d.Std, 1)
	case "mixture1d":
		if d.Means == nil {
			d.Means = []float64{-2, 2}
		}
		d.Std = orFloat(d.Std, 0.5)
	}
	if d.Name == "" {
		d.Name = d.Kind
	}
	return d
}

func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func orFloat(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// New builds the source that d describes. d must have passed Defaults; a
// csv is read from disk and checked against d.Digest when that is set.
func New(d ganexp.Dataset) (Source, error) {
	switch d.Kind {
	case "ring":
		modes := make([]Mode, d.Modes)
		for k := range modes {
			a := 2 * math.Pi * float64(k) / float64(d.Modes)
			modes[k] = Mode{Centre: []float64{d.Radius * math.Cos(a), d.Radius * math.Sin(a)}, Std: d.Std}
		}
		return newMixture(modes, nil), nil
	case "grid":
		var modes []Mode
		off := float64(d.Size-1) / 2
		for i := 0; i < d.Size; i++ {
			for j := 0; j < d.Size; j++ {
				c := []float64{(float64(i) - off) * d.Spacing, (float64(j) - off) * d.Spacing}
				modes = append(modes, Mode{Centre: c, Std: d.Std})
			}
		}
		return newMixture(modes, nil), nil
	case "gaussian1d":
		return newMixture([]Mode{{Centre: []float64{d.Mean}, Std: d.Std}}, nil), nil
	case "mixture1d":
		modes := make([]Mode, len(d.Means))
		for i, m := range d.Means {
			modes[i] = Mode{Centre: []float64{m}, Std: d.Std}
		}
		return newMixture(modes, d.Weights), nil
	case "csv":
		p, err := LoadCSV(d.Path)
		if err != nil {
			return nil, err
		}
		if d.Digest != "" && p.Digest != d.Digest {
			return nil, ganexp.Inputf(d.Path, "rerun the sweep to plan trials for the new contents",
				"file changed since the sweep was planned (sha256 %.12s…, planned %.12s…)", p.Digest, d.Digest)
		}
		return p, nil
	case "mnist", "stacked_mnist":
		return newImages(d)
	}
	return nil, fmt.Errorf("dataset: unknown kind %q", d.Kind)
}

// mixture is an isotropic Gaussian mixture: every synthetic data set.
type mixture struct {
	modes []Mode
	cum   []float64 // cumulative weights, last = 1
	dim   int
}

func newMixture(modes []Mode, weights []float64) *mixture {
	m := &mixture{modes: modes, dim: len(modes[0].Centre), cum: make([]float64, len(modes))}
	total := 0.0
	for i := range modes {
		w := 1.0
		if weights != nil {
			w = weights[i]
		}
		total += w
		m.cum[i] = total
	}
	for i := range m.cum {
		m.cum[i] /= total
	}
	return m
}

func (m *mixture) Dim() int      { return m.dim }
func (m *mixture) Modes() []Mode { return m.modes }

func (m *mixture) Sample(r *rand.Rand, dst []float32) {
	for i := 0; i+m.dim <= len(dst); i += m.dim {
		k := 0
		if len(m.modes) > 1 {
			u := r.Float64()
			for k < len(m.cum)-1 && u >= m.cum[k] {
				k++
			}
		}
		mode := m.modes[k]
		for j := 0; j < m.dim; j++ {
			dst[i+j] = float32(mode.Centre[j] + mode.Std*r.NormFloat64())
		}
	}
}

// ModeCount is the number of known modes of d, or 0 for data without them.
func ModeCount(d ganexp.Dataset) int {
	switch d.Kind {
	case "ring":
		return d.Modes
	case "grid":
		return d.Size * d.Size
	case "gaussian1d":
		return 1
	case "mixture1d":
		return len(d.Means)
	case "mnist":
		return digitCount(d.Digits)
	case "stacked_mnist":
		n := digitCount(d.Digits)
		return n * n * n
	}
	return 0
}

func digitCount(digits []int) int {
	if len(digits) == 0 {
		return mnistClasses
	}
	return len(digits)
}

// Density returns the probability density of a 1-D data set (gaussian1d
// or mixture1d), or nil for the others.
func Density(d ganexp.Dataset) func(x float64) float64 {
	var means, weights []float64
	switch d.Kind {
	case "gaussian1d":
		means, weights = []float64{d.Mean}, []float64{1}
	case "mixture1d":
		means = d.Means
		weights = d.Weights
		if weights == nil {
			weights = make([]float64, len(means))
			for i := range weights {
				weights[i] = 1
			}
		}
	default:
		return nil
	}
	total := 0.0
	for _, w := range weights {
		total += w
	}
	norm := 1 / (d.Std * math.Sqrt(2*math.Pi))
	return func(x float64) float64 {
		p := 0.0
		for i, m := range means {
			z := (x - m) / d.Std
			p += weights[i] / total * norm * math.Exp(-z*z/2)
		}
		return p
	}
}
