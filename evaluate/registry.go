package evaluate

import (
	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/dataset"
)

// Metric is one recorded metric: its identity and meaning (the ID is its
// bit in the database's present mask, assigned once and never reused), and
// how it is measured on one evaluation.
type Metric struct {
	ganexp.MetricInfo
	// Measure computes the metric on an evaluation.
	Measure func(s *Sample) float64
	// OfSamples says the metric is computed from G's samples, so it means
	// nothing (NaN) when a sample is not finite; the others are the
	// trainer's own numbers.
	OfSamples bool
	// Modes says the metric needs modes to count: the data's known ones,
	// or a classifier's classes on images; it is not measured at all
	// without either (csv).
	Modes bool
	// Centres says the metric needs the modes' known centres (the
	// high-quality share): not measured on images.
	Centres bool
	// Classes says the metric needs a classifier's view of image samples.
	Classes bool
	// Points says the metric is measured on point data only. On images,
	// distances between raw pixels say little (which is why FID measures
	// in a network's features) and cost O(n²·d) at 784 values a point:
	// k-NN balls and MMD's kernel are left out there, unless Features.
	Points bool
	// Features says a Points metric is measured on images after all, in
	// the digit classifier's features, when there is one.
	Features bool
	// Watched says a non-finite value of the metric is a finding, named
	// in the trial's non_finite event.
	Watched bool
	// Family names the metrics computed together (one k-NN pass gives
	// precision, recall, density and coverage): the sweep summary reports
	// their time under it. Empty for a metric computed on its own.
	Family string
}

// part is the name the metric's time is reported under.
func (m Metric) part() string {
	if m.Family != "" {
		return m.Family
	}
	return m.Name
}

// Metrics is the registry: every metric ganexp records, in the order
// tables and pages show them. The evaluator measures them in this order,
// and the database's columns, its present bits and the reports derive
// from it. A new metric is a file of its own (with its formula, source and
// test), a line here, and an ID no metric ever had.
var Metrics = []Metric{
	lossD, lossG, gradNormD, gradNormG,
	modesCaptured, hqFraction, modeKL, balancedHQ,
	mmd2, swd,
	precision, recall, density, coverage,
	ndbK, spreadRatio,
	dReal, dFake,
	confidence, fd, classesHit,
}

// Infos returns the registry's identities and meanings, for the store and
// the reports.
func Infos() ganexp.MetricSet {
	out := make(ganexp.MetricSet, len(Metrics))
	for i, m := range Metrics {
		out[i] = m.MetricInfo
	}
	return out
}

// Recorded reports whether a trial of c records the named metric at its
// evaluations (the conditions the evaluator applies, read from the
// configuration alone: images are judged by the classifier, point data
// by its known modes), and whether the metric exists at all.
func Recorded(name string, c ganexp.Config) (exists, recorded bool) {
	for _, m := range Metrics {
		if m.Name != name {
			continue
		}
		_, _, _, image := c.Dataset.ImageShape()
		modes := dataset.ModeCount(c.Dataset) > 0
		switch {
		case m.Modes && !modes, m.Centres && image, m.Classes && !image,
			m.Points && image && !m.Features:
			return true, false
		}
		return true, true
	}
	return false, false
}
