package evaluate

import "github.com/ganexp/ganexp"

// The trainer's own numbers, as the snapshot reports them (gan/train.go):
// each a mean over the steps since the previous evaluation.
var (
	lossD = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 0, Name: "loss_d", Better: ganexp.Neutral,
			Doc: "discriminator loss, mean over the steps since the previous evaluation"},
		Measure: func(s *Sample) float64 { return s.Snap.LossD }, Watched: true,
	}
	lossG = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 1, Name: "loss_g", Better: ganexp.Neutral,
			Doc: "generator loss, mean over the steps since the previous evaluation"},
		Measure: func(s *Sample) float64 { return s.Snap.LossG }, Watched: true,
	}
	gradNormD = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 2, Name: "grad_norm_d", Better: ganexp.Neutral,
			Doc: "L2 norm of D's gradient, mean over the steps since the previous evaluation"},
		Measure: func(s *Sample) float64 { return s.Snap.GradNormD }, Watched: true,
	}
	gradNormG = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 3, Name: "grad_norm_g", Better: ganexp.Neutral,
			Doc: "L2 norm of G's gradient, mean over the steps since the previous evaluation"},
		Measure: func(s *Sample) float64 { return s.Snap.GradNormG }, Watched: true,
	}
	dReal = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 15, Name: "d_real", Better: ganexp.Neutral,
			Doc: "D's mean output on real data: a probability for minimax/nonsaturating, else a score"},
		Measure: func(s *Sample) float64 { return s.Snap.DReal },
	}
	dFake = Metric{
		MetricInfo: ganexp.MetricInfo{ID: 16, Name: "d_fake", Better: ganexp.Neutral,
			Doc: "D's mean output on generated data, as d_real"},
		Measure: func(s *Sample) float64 { return s.Snap.DFake },
	}
)
