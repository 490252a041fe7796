package metrics

import (
	"math"
	"slices"
)

// KDE is a Gaussian kernel density estimate of 1-D points,
//
//	p̂(x) = 1/(n·h) Σ_i φ((x − x_i)/h),  φ the standard normal density,
//
// with Silverman's rule-of-thumb bandwidth h = 0.9·min(s, IQR/1.34)·n^(−1/5)
// (Silverman 1986, eq. 3.31) unless h > 0 is given.
func KDE(x []float64, h float64) func(float64) float64 {
	n := float64(len(x))
	if h <= 0 {
		h = silverman(x)
	}
	pts := slices.Clone(x)
	norm := 1 / (n * h * math.Sqrt(2*math.Pi))
	return func(at float64) float64 {
		s := 0.0
		for _, xi := range pts {
			z := (at - xi) / h
			if z < 8 && z > -8 { // e^{−32} is below any pixel
				s += math.Exp(-z * z / 2)
			}
		}
		return s * norm
	}
}

func silverman(x []float64) float64 {
	n := float64(len(x))
	s := sort64(x)
	mean, sq := 0.0, 0.0
	for _, v := range s {
		mean += v / n
	}
	for _, v := range s {
		sq += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(sq / math.Max(n-1, 1))
	iqr := s[int(0.75*(n-1))] - s[int(0.25*(n-1))]
	spread := sd
	if iqr > 0 && iqr/1.34 < spread {
		spread = iqr / 1.34
	}
	if spread == 0 {
		spread = 1e-3 // all points equal: a narrow spike
	}
	return 0.9 * spread * math.Pow(n, -0.2)
}

func sort64(x []float64) []float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	return s
}
