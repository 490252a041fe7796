package evaluate

import (
	"math"

	"github.com/ganexp/ganexp"
)

// Distances between G's samples and the trial's reference sample of real
// data, which need no known modes (metrics/ has the formulas and tests).
var (
	mmd2 = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 7, Name: "mmd2", Better: ganexp.LowerIsBetter,
			Doc: "unbiased MMD^2 against the reference sample (Gretton et al. 2012, Lemma 6), RBF kernel, bandwidth = its median distance"},
		Measure:   func(s *Sample) float64 { return s.ref.mmd.MMD2(s.Fake) },
		OfSamples: true, Points: true,
	}
	swd = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 8, Name: "swd", Better: ganexp.LowerIsBetter,
			Doc: "sliced Wasserstein-1 distance to the reference sample: 16 evenly spread directions in 2-D, 64 random ones above, exact W1 in 1-D"},
		Measure:   func(s *Sample) float64 { return s.ref.swd.Distance(s.Fake) },
		OfSamples: true,
	}
	ndbK = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 13, Name: "ndb_k", Better: ganexp.LowerIsBetter,
			Doc: "NDB/K (Richardson & Weiss 2018): share of 20 k-means bins whose sample share differs (z-test, 5%)"},
		Measure: func(s *Sample) float64 {
			b := s.ref.bins
			return float64(b.NDB(s.Fake, ndbAlpha)) / float64(len(b.Props))
		},
		OfSamples: true,
	}
	spreadRatio = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 14, Name: "spread_ratio", Better: ganexp.Neutral,
			Doc: "RMS distance of samples to their mean over that of the reference sample: ≪ 1 when G collapses, ≫ 1 when it explodes"},
		Measure:   func(s *Sample) float64 { return rmsSpread(s.Fake, s.ref.dim) / s.ref.spread },
		OfSamples: true,
	}
)

// Settings of the distances, fixed so that values compare across trials.
const (
	bandwidthPoints = 1000 // points for the median heuristic of MMD's bandwidth
	ndbBins         = 20   // k-means bins of NDB
	ndbAlpha        = 0.05 // significance of NDB's per-bin test
	swdDirections   = 16   // directions of the sliced Wasserstein distance in 2-D (64 above)
)

// swdDirectionsFor is how many directions the sliced Wasserstein distance
// projects on: evenly spread ones up to 2-D, random ones above.
func swdDirectionsFor(dim int) int {
	if dim <= 2 {
		return swdDirections
	}
	return 64
}

// rmsSpread is √(mean ‖x − x̄‖²).
func rmsSpread(x []float64, dim int) float64 {
	n := len(x) / dim
	mean := make([]float64, dim)
	for i := 0; i < n; i++ {
		for j := 0; j < dim; j++ {
			mean[j] += x[i*dim+j] / float64(n)
		}
	}
	s := 0.0
	for i := 0; i < n; i++ {
		for j := 0; j < dim; j++ {
			d := x[i*dim+j] - mean[j]
			s += d * d
		}
	}
	return math.Sqrt(s / float64(n))
}
