package evaluate

import (
	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/metrics"
)

// The mode metrics of the VEEGAN and PacGAN tables, for data with known
// modes (metrics.Modes has the formulas and the tests): a sample is high
// quality (HQ) within metrics.HQStds standard deviations of its nearest
// mode's centre.
var (
	modesCaptured = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 4, Name: "modes_captured", Better: ganexp.HigherIsBetter,
			Doc: "modes nearest to at least one high-quality sample (VEEGAN, PacGAN; known-mode data); on images, classes given to at least one sample with class probability ≥ 0.5"},
		Measure: func(s *Sample) float64 {
			if s.ref.judge != nil {
				return float64(s.classes().Captured)
			}
			return float64(s.modes().Captured)
		},
		OfSamples: true, Modes: true, Family: "modes",
	}
	hqFraction = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 5, Name: "hq_fraction", Better: ganexp.HigherIsBetter,
			Doc: "share of samples within 3 std of their nearest mode (known-mode data only)"},
		Measure:   func(s *Sample) float64 { return s.modes().HQFraction },
		OfSamples: true, Modes: true, Centres: true, Family: "modes",
	}
	modeKL = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 6, Name: "mode_kl", Better: ganexp.LowerIsBetter,
			Doc: "KL(high-quality mode histogram || uniform) (PacGAN Table 1); NULL when no sample is high quality; on images, KL(class histogram || the data's class distribution)"},
		Measure: func(s *Sample) float64 {
			if s.ref.judge != nil {
				return s.classes().KL
			}
			return s.modes().KL
		},
		OfSamples: true, Modes: true, Family: "modes",
	}
	balancedHQ = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 17, Name: "balanced_hq", Better: ganexp.HigherIsBetter,
			Doc: "hq_fraction × exp(−mode_kl): the share of samples on a mode, discounted for uneven modes (known-mode data only)"},
		Measure:   func(s *Sample) float64 { return s.modes().Balanced },
		OfSamples: true, Modes: true, Centres: true, Family: "modes",
	}
	fd = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 19, Name: "fd", Better: ganexp.LowerIsBetter,
			Doc: "images only: Fréchet distance between Gaussians fitted to the digit classifier's 128 features of the samples and of the reference sample (FID's formula, Heusel et al. 2017, in ganexp's own classifier's features, not Inception's: not comparable with published FIDs)"},
		Measure: func(s *Sample) float64 {
			s.classes() // fills s.feats
			mean, cov := metrics.MeanCov(s.feats, len(s.ref.fdMean))
			return metrics.FrechetMoments(mean, cov, s.ref.fdMean, s.ref.fdCov)
		},
		OfSamples: true, Classes: true, Family: "fd",
	}
	classesHit = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 20, Name: "classes_hit", Better: ganexp.HigherIsBetter,
			Doc: "images only: classes given to at least one sample, confident or not: the mode count of VEEGAN Table 2 and PacGAN Table 3, whose classifiers count every sample (modes_captured asks for class probability ≥ 0.5)"},
		Measure:   func(s *Sample) float64 { return float64(s.classes().Hit) },
		OfSamples: true, Classes: true, Family: "modes",
	}
	confidence = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 18, Name: "confidence", Better: ganexp.HigherIsBetter,
			Doc: "images only: the classifier's mean probability for the class it gives each sample (a stacked image's is the product of its three digits')"},
		Measure:   func(s *Sample) float64 { return s.classes().Confidence },
		OfSamples: true, Classes: true, Family: "modes",
	}
)

// modes computes the mode statistics once per evaluation; only metrics
// with Modes set ask, and only where the data has known modes.
func (s *Sample) modes() metrics.ModeStats {
	if s.modeStats == nil {
		r := s.ref
		m := metrics.Modes(s.Fake, r.dim, r.centres, r.stds)
		s.modeStats = &m
	}
	return *s.modeStats
}
