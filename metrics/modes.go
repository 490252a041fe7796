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
	// Balanced is HQFraction·exp(−KL): the share of samples that are high
	// quality, discounted for modes used unevenly. exp(−KL) = exp(H(p))/K
	// is the perplexity of p (its effective number of modes) over K, so
	// Balanced is 1 when every sample sits on a mode and the modes are
	// used equally, and 0 when no sample is high quality. It orders
	// generators that capture the same number of modes the way the VEEGAN
	// and PacGAN tables read together (modes, high-quality share, reverse
	// KL): neither a diffuse cloud that touches every mode with a few
	// samples nor one that piles onto a few modes scores well.
	Balanced float64
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
	s.Balanced = BalancedHQ(s.HQFraction, s.KL)
	return s
}

// BalancedHQ is hq·exp(−kl), ModeStats.Balanced from its parts; a NaN kl
// (no high-quality sample) gives 0 when hq is 0.
func BalancedHQ(hq, kl float64) float64 {
	if hq == 0 {
		return 0
	}
	return hq * math.Exp(-kl)
}
