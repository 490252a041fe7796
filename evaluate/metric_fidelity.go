package evaluate

import (
	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/metrics"
)

// k-NN fidelity and diversity against the reference sample (metrics.
// NewFidelity has the formulas and the tests).
var (
	precision = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 9, Name: "precision", Better: ganexp.HigherIsBetter,
			Doc: "improved precision, k=3 (Kynkäänniemi et al. 2019): share of samples on the real manifold"},
		Measure:   func(s *Sample) float64 { return s.fidelity().Precision },
		OfSamples: true, Points: true, Features: true, Family: "knn",
	}
	recall = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 10, Name: "recall", Better: ganexp.HigherIsBetter,
			Doc: "improved recall, k=3: share of the real sample on the generated manifold"},
		Measure:   func(s *Sample) float64 { return s.fidelity().Recall },
		OfSamples: true, Points: true, Features: true, Family: "knn",
	}
	density = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 11, Name: "density", Better: ganexp.Neutral,
			Doc: "density, k=5 (Naeem et al. 2020): 1 when samples sit where real data is dense"},
		Measure:   func(s *Sample) float64 { return s.fidelity().Density },
		OfSamples: true, Points: true, Features: true, Family: "knn",
	}
	coverage = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 12, Name: "coverage", Better: ganexp.HigherIsBetter,
			Doc: "coverage, k=5 (Naeem et al. 2020): share of real k-NN balls holding a sample"},
		Measure:   func(s *Sample) float64 { return s.fidelity().Coverage },
		OfSamples: true, Points: true, Features: true, Family: "knn",
	}
)

// The k of the k-NN metrics.
const (
	kPR = 3 // precision and recall (Kynkäänniemi et al.)
	kDC = 5 // density and coverage (Naeem et al.)
)

// fidelity computes the four k-NN metrics once per evaluation: on
// points, between the points; on images judged by the classifier, between
// their features (as Kynkäänniemi et al. and Naeem et al. do in a
// network's features), never between raw pixels.
func (s *Sample) fidelity() metrics.Fidelity {
	if s.fid == nil {
		var f metrics.Fidelity
		if s.ref.judge != nil {
			s.classes() // fills s.feats
			f = s.ref.fidFeat.Fidelity(s.feats)
		} else {
			f = s.ref.fid.Fidelity(s.Fake)
		}
		s.fid = &f
	}
	return *s.fid
}
