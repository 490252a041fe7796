package metrics

import "math"

// ModeStats are the known-mode metrics of VEEGAN (Srivastava et al. 2017)
// and PacGAN (Lin et al. 2018).
type ModeStats struct {
	// Captured is the number of modes that are the nearest mode of at
	// least one high-quality sample.
	Captured int
	// HQFraction is the share of samples within HQStds standard deviations
	// (Euclidean distance) of their nearest mode centre.
	HQFraction float64
	// KL is the reverse KL divergence Σ p_k log(p_k·K) of the histogram p
	// of high-quality samples over the K modes against the uniform
	// distribution (PacGAN Table 1). It is 0 for perfect balance and
	// log K when every high-quality sample sits on one mode. It is NaN
	// when no sample is high quality, since p is then undefined.
	KL float64
}

// HQStds is the high-quality radius in standard deviations (VEEGAN).
const HQStds = 3

// Modes assigns each sample to its nearest centre and computes ModeStats.
// centres is k×dim row-major; stds[k] is mode k's standard deviation.
func Modes(samples []float64, dim int, centres []float64, stds []float64) ModeStats {
	k := len(stds)
	if len(centres) != k*dim {
		panic("metrics: centres and stds disagree")
	}
	n := len(samples) / dim
	counts := make([]int, k)
	hq := 0
	for i := 0; i < n; i++ {
		x := samples[i*dim : (i+1)*dim]
		best, bestD2 := 0, math.Inf(1)
		for m := 0; m < k; m++ {
			c := centres[m*dim : (m+1)*dim]
			d2 := 0.0
			for j := range x {
				d := x[j] - c[j]
				d2 += d * d
			}
			if d2 < bestD2 {
				best, bestD2 = m, d2
			}
		}
		r := HQStds * stds[best]
		if bestD2 <= r*r {
			counts[best]++
			hq++
		}
	}
	s := ModeStats{KL: math.NaN()}
	if n > 0 {
		s.HQFraction = float64(hq) / float64(n)
	}
	if hq == 0 {
		return s
	}
	s.KL = 0
	for _, c := range counts {
		if c == 0 {
			continue
		}
		s.Captured++
		p := float64(c) / float64(hq)
		s.KL += p * math.Log(p*float64(k))
	}
	return s
}
