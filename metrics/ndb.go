package metrics

import (
	"math"
	"math/rand/v2"
)

// Bins are the cells of NDB (Richardson & Weiss 2018, §3): the k-means
// clusters of a real sample, with the share of that sample in each.
type Bins struct {
	Centres []float64 // k×dim
	Dim     int
	Props   []float64 // share of the real sample per bin
	N       int       // real sample size
}

// NewBins clusters real into k bins with k-means (k-means++ seeding from
// r, then Lloyd's iterations until no point moves, at most 100).
func NewBins(real []float64, dim, k int, r *rand.Rand) Bins {
	n := len(real) / dim
	if n < k {
		panic("metrics: NewBins needs at least k points")
	}
	c := make([]float64, 0, k*dim)
	first := r.IntN(n)
	c = append(c, real[first*dim:(first+1)*dim]...)
	// d2[i] is point i's squared distance to its nearest centre so far.
	// Each new centre can only lower it, so it is updated against that
	// centre alone: the same minimum as a search over every centre, for a
	// k-th of the work.
	d2 := make([]float64, n)
	for i := range d2 {
		d2[i] = math.Inf(1)
	}
	for len(c) < k*dim {
		newest := c[len(c)-dim:]
		total := 0.0
		for i := 0; i < n; i++ {
			if d := sqDist(real[i*dim:(i+1)*dim], newest); d < d2[i] {
				d2[i] = d
			}
			total += d2[i]
		}
		u := r.Float64() * total
		pick := n - 1
		for i, v := range d2 {
			if u -= v; u < 0 {
				pick = i
				break
			}
		}
		c = append(c, real[pick*dim:(pick+1)*dim]...)
	}
	assign := make([]int, n)
	for i := range assign {
		assign[i] = -1
	}
	sums := make([]float64, k*dim)
	counts := make([]int, k)
	for iter := 0; iter < 100; iter++ {
		moved := false
		for i := 0; i < n; i++ {
			b, _ := nearest(real[i*dim:(i+1)*dim], c, dim)
			if b != assign[i] {
				assign[i], moved = b, true
			}
		}
		if !moved {
			break
		}
		clear(sums)
		clear(counts)
		for i, b := range assign {
			counts[b]++
			for j := 0; j < dim; j++ {
				sums[b*dim+j] += real[i*dim+j]
			}
		}
		for b := 0; b < k; b++ {
			if counts[b] == 0 {
				continue // keep an empty bin's centre where it is
			}
			for j := 0; j < dim; j++ {
				c[b*dim+j] = sums[b*dim+j] / float64(counts[b])
			}
		}
	}
	bins := Bins{Centres: c, Dim: dim, N: n}
	bins.Props = bins.shares(real)
	return bins
}

// nearest returns the index of the centre nearest to p and its squared
// distance, the first such centre on a tie. Assigning points to bins is
// most of NewBins and NDB, so 2-D has its own loop.
func nearest(p, centres []float64, dim int) (int, float64) {
	best, bestD := 0, math.Inf(1)
	if dim == 2 {
		x, y := p[0], p[1]
		for j := 0; j+1 < len(centres); j += 2 {
			dx, dy := x-centres[j], y-centres[j+1]
			if d := float64(dx*dx) + float64(dy*dy); d < bestD { // sqDist's sum, in its order
				best, bestD = j/2, d
			}
		}
		return best, bestD
	}
	for b := 0; b*dim < len(centres); b++ {
		if d := sqDist(p, centres[b*dim:(b+1)*dim]); d < bestD {
			best, bestD = b, d
		}
	}
	return best, bestD
}

// shares is the share of x's points nearest to each centre.
func (bs Bins) shares(x []float64) []float64 {
	k := len(bs.Centres) / bs.Dim
	out := make([]float64, k)
	n := len(x) / bs.Dim
	for i := 0; i < n; i++ {
		b, _ := nearest(x[i*bs.Dim:(i+1)*bs.Dim], bs.Centres, bs.Dim)
		out[b]++
	}
	for b := range out {
		out[b] /= float64(n)
	}
	return out
}

// NDB counts the statistically different bins: those where the share of
// fake points differs from the real share by a two-proportion z-test with
// pooled variance at two-sided significance level alpha,
//
//	z = (p_f − p_r) / √(p̂(1−p̂)(1/N + 1/M)),   p̂ = (N·p_r + M·p_f)/(N + M),
//
// and |z| > Φ⁻¹(1 − alpha/2). NDB/K divides it by the number of bins:
// 0 when G matches the real bin shares, near 1 when it collapses.
func (bs Bins) NDB(fake []float64, alpha float64) int {
	zc := -normalQuantile(alpha / 2)
	pf := bs.shares(fake)
	m, n := float64(len(fake)/bs.Dim), float64(bs.N)
	different := 0
	for b, pr := range bs.Props {
		p := (n*pr + m*pf[b]) / (n + m)
		se := math.Sqrt(p * (1 - p) * (1/n + 1/m))
		if se == 0 {
			continue
		}
		if math.Abs(pf[b]-pr)/se > zc {
			different++
		}
	}
	return different
}

// normalQuantile is Φ⁻¹(p) of the standard normal, via math.Erfinv.
func normalQuantile(p float64) float64 {
	return math.Sqrt2 * math.Erfinv(2*p-1)
}
