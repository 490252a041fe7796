package metrics

import (
	"math"
	"slices"
)

// MMD2 is the unbiased estimator of the squared maximum mean discrepancy
// between the distributions of x (m points) and y (n points) with the
// Gaussian RBF kernel k(a,b) = exp(−‖a−b‖² / (2σ²)):
//
//	MMD²_u = 1/(m(m−1)) Σ_{i≠j} k(x_i,x_j) + 1/(n(n−1)) Σ_{i≠j} k(y_i,y_j)
//	         − 2/(mn) Σ_{i,j} k(x_i,y_j)
//
// (Gretton et al. 2012, JMLR, Lemma 6). It is unbiased, so it can be
// slightly negative when the distributions match. Both sets need at least
// two points.
func MMD2(x, y []float64, dim int, sigma float64) float64 {
	return NewMMDRef(y, dim, sigma).MMD2(x)
}

// MMDRef is a fixed reference sample for MMD2 with its own kernel sum
// computed once, so that comparing many samples against it costs the
// cross and self sums of the new sample only. In one and two dimensions
// those sums use the Taylor expansion of gausssum.go whenever it is
// accurate to 1e-13 per kernel value, and direct sums otherwise.
type MMDRef struct {
	y      []float64
	dim    int
	sigma  float64
	g      float64
	kyy    float64
	centre []float64
	ymom   moments // moments of y up to taylorMaxDegree; nil values above 2-D
	fact   []float64
}

// NewMMDRef prepares y as the reference sample of MMD2 with bandwidth sigma.
func NewMMDRef(y []float64, dim int, sigma float64) *MMDRef {
	n := len(y) / dim
	if n < 2 {
		panic("metrics: MMD2 needs at least two points in each set")
	}
	r := &MMDRef{y: y, dim: dim, sigma: sigma, g: 1 / (2 * sigma * sigma), fact: invFactorials(taylorMaxDegree)}
	r.centre = make([]float64, dim)
	for i := 0; i < n; i++ {
		for j := 0; j < dim; j++ {
			r.centre[j] += y[i*dim+j] / float64(n)
		}
	}
	if dim <= 2 {
		r.ymom = newMoments(y, dim, r.centre, sigma, taylorMaxDegree)
	}
	r.kyy = 2 * r.selfSum(y, r.ymom) / float64(n*(n-1))
	return r
}

// MMD2 is MMD2(x, ref, dim, sigma).
func (r *MMDRef) MMD2(x []float64) float64 {
	m, n := len(x)/r.dim, len(r.y)/r.dim
	if m < 2 {
		panic("metrics: MMD2 needs at least two points in each set")
	}
	var xmom moments
	if r.dim <= 2 {
		rx := radiusOf(x, r.dim, r.centre, r.sigma)
		if p := taylorDegree(rx * math.Max(rx, r.ymom.radius)); p >= 0 {
			xmom = newMoments(x, r.dim, r.centre, r.sigma, p)
		}
	}
	kxx := 2 * r.selfSum(x, xmom) / float64(m*(m-1))
	kxy := r.crossSum(x, xmom) / float64(m*n)
	return kxx + r.kyy - 2*kxy
}

// selfSum is Σ_{i<j} k(x_i, x_j), from moments when they are accurate.
func (r *MMDRef) selfSum(x []float64, mom moments) float64 {
	n := len(x) / r.dim
	if mom.values != nil {
		if p := taylorDegree(mom.radius * mom.radius); p >= 0 && p <= mom.p {
			full := pairSum(mom.truncate(p, r.dim), mom.truncate(p, r.dim), r.dim, r.fact)
			return (full - float64(n)) / 2 // drop the diagonal, where k = 1
		}
	}
	return kernelSumSelf(x, r.dim, r.g)
}

// crossSum is Σ_{i,j} k(x_i, y_j) against the reference.
func (r *MMDRef) crossSum(x []float64, mom moments) float64 {
	if mom.values != nil {
		if p := taylorDegree(mom.radius * r.ymom.radius); p >= 0 && p <= mom.p {
			return pairSum(mom.truncate(p, r.dim), r.ymom.truncate(p, r.dim), r.dim, r.fact)
		}
	}
	return kernelSumCross(x, r.y, r.dim, r.g)
}

// kernelSumSelf is Σ_{i<j} exp(−g‖x_i−x_j‖²).
func kernelSumSelf(x []float64, dim int, g float64) float64 {
	n := len(x) / dim
	total := 0.0
	for i := 0; i < n; i++ {
		total += kernelRow(x[i*dim:(i+1)*dim], x[(i+1)*dim:n*dim], dim, g)
	}
	return total
}

// kernelSumCross is Σ_{i,j} exp(−g‖x_i−y_j‖²).
func kernelSumCross(x, y []float64, dim int, g float64) float64 {
	m, n := len(x)/dim, len(y)/dim
	total := 0.0
	for i := 0; i < m; i++ {
		total += kernelRow(x[i*dim:(i+1)*dim], y[:n*dim], dim, g)
	}
	return total
}

// kernelRow is Σ_j exp(−g‖a−ys_j‖²), with the common low dimensions
// written out: this loop is where an evaluation spends its time.
func kernelRow(a, ys []float64, dim int, g float64) float64 {
	sum := 0.0
	switch dim {
	case 1:
		a0 := a[0]
		for _, y := range ys {
			d := a0 - y
			sum += expNeg(g * d * d)
		}
	case 2:
		a0, a1 := a[0], a[1]
		for j := 0; j+1 < len(ys); j += 2 {
			d0, d1 := a0-ys[j], a1-ys[j+1]
			sum += expNeg(g * (d0*d0 + d1*d1))
		}
	default:
		for j := 0; j+dim <= len(ys); j += dim {
			sum += expNeg(g * sqDist(a, ys[j:j+dim]))
		}
	}
	return sum
}

func sqDist(a, b []float64) float64 {
	s := 0.0
	for k := range a {
		d := a[k] - b[k]
		s += d * d
	}
	return s
}

// MedianDistance is the median Euclidean distance between distinct points
// of the first maxPoints points of x: the median heuristic for the RBF
// bandwidth (Gretton et al. 2012, §8). Capping the points keeps it cheap;
// the median of a random subset is a consistent estimate.
func MedianDistance(x []float64, dim, maxPoints int) float64 {
	n := min(len(x)/dim, maxPoints)
	if n < 2 {
		panic("metrics: MedianDistance needs at least two points")
	}
	d := make([]float64, 0, n*(n-1)/2)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			d = append(d, math.Sqrt(sqDist(x[i*dim:(i+1)*dim], x[j*dim:(j+1)*dim])))
		}
	}
	mid := len(d) / 2
	upper := nthSmallest(d, mid)
	if len(d)%2 == 1 {
		return upper
	}
	// nthSmallest left the mid smallest values in d[:mid].
	return (slices.Max(d[:mid]) + upper) / 2
}

// nthSmallest returns the k-th smallest (0-based) value of d, reordering
// d so that d[:k] holds smaller or equal values.
func nthSmallest(d []float64, k int) float64 {
	quickselect(0, len(d), k, func(i int) float64 { return d[i] }, func(i, j int) { d[i], d[j] = d[j], d[i] })
	return d[k]
}

// quickselect reorders the items lo..hi−1 (through swap) so that item k
// has the k-th smallest key and the items before it have smaller or equal
// keys: Hoare's FIND, expected linear time, with a median-of-three pivot
// so that sorted input stays linear.
func quickselect(lo, hi, k int, key func(int) float64, swap func(i, j int)) {
	hi--
	for lo < hi {
		mid := lo + (hi-lo)/2
		if key(mid) < key(lo) {
			swap(mid, lo)
		}
		if key(hi) < key(lo) {
			swap(hi, lo)
		}
		if key(hi) < key(mid) {
			swap(hi, mid)
		}
		pivot := key(mid)
		i, j := lo, hi
		for i <= j {
			for key(i) < pivot {
				i++
			}
			for key(j) > pivot {
				j--
			}
			if i <= j {
				swap(i, j)
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}
