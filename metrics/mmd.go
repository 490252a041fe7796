package metrics

import (
	"cmp"
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
// those sums use the Taylor expansion of gausssum.go for every point
// close enough to the centre for it to be accurate to 1e-13 per kernel
// value, and direct sums for the others.
type MMDRef struct {
	y      []float64
	dim    int
	sigma  float64
	g      float64
	kyy    float64
	centre []float64
	ymom   moments // moments of y, grown to the degree asked; nil values above 2-D
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
	if dim > 2 {
		r.kyy = 2 * kernelSumSelf(y, dim, r.g) / float64(n*(n-1))
		return r
	}
	ry := radiusOf(y, dim, r.centre, sigma)
	r.ymom.radius = ry
	if p := taylorDegree(ry * ry); p >= 0 {
		r.ymoments(p)
		r.kyy = 2 * selfSumMoments(r.ymom, p, dim, r.fact, n) / float64(n*(n-1))
	} else {
		r.kyy = 2 * kernelSumSelf(y, dim, r.g) / float64(n*(n-1))
	}
	return r
}

// ymoments returns the reference's moments to degree p, computing them
// again when an earlier evaluation needed fewer: a moment's value does
// not depend on the degree it was computed to, so the numbers are those
// of computing them to the top degree once, at a fraction of the cost
// for samples near the centre.
func (r *MMDRef) ymoments(p int) moments {
	if r.ymom.values == nil || r.ymom.p < p {
		// Growing goes to the top degree at once: computing them again
		// at each larger degree a trial meets costs more.
		to := p
		if r.ymom.values != nil {
			to = taylorMaxDegree
		}
		r.ymom = newMoments(r.y, r.dim, r.centre, r.sigma, to)
	}
	return r.ymom.truncate(p)
}

// selfSumMoments is Σ_{i<j} k(x_i, x_j) over the n points with moments
// mom, to degree p.
func selfSumMoments(mom moments, p, dim int, fact []float64, n int) float64 {
	t := mom.truncate(p)
	return (pairSum(t, t, dim, fact) - float64(n)) / 2 // drop the diagonal, where k = 1
}

// MMD2 is MMD2(x, ref, dim, sigma).
func (r *MMDRef) MMD2(x []float64) float64 {
	m, n := len(x)/r.dim, len(r.y)/r.dim
	if m < 2 {
		panic("metrics: MMD2 needs at least two points in each set")
	}
	var self, cross float64
	if r.dim > 2 {
		self, cross = kernelSumSelf(x, r.dim, r.g), kernelSumCross(x, r.y, r.dim, r.g)
	} else {
		self, cross, _ = r.sums(x)
	}
	kxx := 2 * self / float64(m*(m-1))
	kxy := cross / float64(m*n)
	return kxx + r.kyy - 2*kxy
}

// Costs of the two ways to sum, in nanoseconds on one core (measured by
// BenchmarkMMDParts): one Taylor term of one point, and one kernel value
// summed directly.
const (
	costTerm   = 0.5
	costKernel = 7
)

// sums returns Σ_{i<j} k(x_i, x_j) and Σ_{i,j} k(x_i, y_j) in 1-D or 2-D.
//
// The Taylor expansion's degree grows with the farthest point from the
// centre, and past a point at a few σ no degree up to taylorMaxDegree is
// accurate: one stray sample would otherwise send all 2,500 × 5,000 kernel
// values of an evaluation to the direct sum. So the points are split: the
// far ones, which are few when it pays, are summed directly against
// everything, and the near ones by their moments at the degree their own
// radius needs. The split minimises the two costs above; far says how
// many points were summed directly.
func (r *MMDRef) sums(x []float64) (self, cross float64, far int) {
	d := r.dim
	m, n := len(x)/d, len(r.y)/d
	ry := r.ymom.radius
	radius := make([]float64, m)
	order := make([]int, m)
	for i := range radius {
		radius[i] = radiusOf(x[i*d:(i+1)*d], d, r.centre, r.sigma)
		order[i] = i
	}
	// The farthest points, farthest first: candidates for the direct sum.
	cands := min(m, max(16, m/8))
	quickselect(0, m, cands-1, func(i int) float64 { return -radius[order[i]] }, func(i, j int) { order[i], order[j] = order[j], order[i] })
	slices.SortFunc(order[:cands], func(a, b int) int { return cmp.Compare(radius[b], radius[a]) })
	rest := 0.0 // the largest radius among the points not in candidates
	for _, i := range order[cands:] {
		rest = math.Max(rest, radius[i])
	}
	terms := func(p int) float64 {
		if d == 1 {
			return float64(p + 1)
		}
		return float64((p + 1) * (p + 2) / 2)
	}
	bestF, bestP, bestCost := m, -1, float64(m)*float64(m+n)*costKernel
	for f := 0; f <= cands; f++ {
		rn := rest // the near points' radius with the f farthest taken out
		if f < cands {
			rn = radius[order[f]]
		}
		if f == m {
			break
		}
		p := taylorDegree(rn * math.Max(rn, ry))
		if p < 0 {
			continue
		}
		cost := float64(m-f)*terms(p)*costTerm + float64(f)*float64(m+n)*costKernel
		if cost < bestCost {
			bestF, bestP, bestCost = f, p, cost
		}
	}
	if bestP < 0 || taylorDegree(ry*ry) < 0 {
		return kernelSumSelf(x, d, r.g), kernelSumCross(x, r.y, d, r.g), m
	}
	farX := make([]float64, 0, bestF*d)
	for _, i := range order[:bestF] {
		farX = append(farX, x[i*d:(i+1)*d]...)
	}
	near := x
	if bestF > 0 {
		isFar := make([]bool, m)
		for _, i := range order[:bestF] {
			isFar[i] = true
		}
		near = make([]float64, 0, (m-bestF)*d)
		for i := 0; i < m; i++ {
			if !isFar[i] {
				near = append(near, x[i*d:(i+1)*d]...)
			}
		}
	}
	xm := newMoments(near, d, r.centre, r.sigma, bestP)
	pSelf, pCross := taylorDegree(xm.radius*xm.radius), taylorDegree(xm.radius*ry)
	self = selfSumMoments(xm, pSelf, d, r.fact, len(near)/d)
	cross = pairSum(xm.truncate(pCross), r.ymoments(pCross), d, r.fact)
	// The far points, directly: with each other, with the near ones, and
	// with the reference.
	self += kernelSumSelf(farX, d, r.g) + kernelSumCross(farX, near, d, r.g)
	cross += kernelSumCross(farX, r.y, d, r.g)
	return self, cross, bestF
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

// sqDist is ‖a − b‖². Each square is rounded before it is added (the
// conversion stops the compiler from fusing them, as it may with
// GOAMD64=v3), so that every distance the metrics compare is the same
// number whichever loop computed it: here, the 2-D loops written out
// elsewhere, the box distances that prune the k-d tree, or vec.Within2.
func sqDist(a, b []float64) float64 {
	s := 0.0
	for k := range a {
		d := a[k] - b[k]
		s += float64(d * d)
	}
	return s
}

// MedianDistance is the median Euclidean distance between distinct points
// of the first maxPoints points of x: the median heuristic for the RBF
// bandwidth (Gretton et al. 2012, §8). Capping the points keeps it cheap;
// the median of a random subset is a consistent estimate.
//
// It selects among the squared distances (the root keeps their order, so
// the root of the one it finds is the median), without storing the
// 499,500 of 1,000 points. The pairs of the first points bracket the
// median, and one pass over all pairs counts those below the bracket and
// keeps those inside it (a tenth or so), where a radix selection finds
// it. Should the bracket miss (the first points unlike the rest), two
// passes by the distances' top bits find it instead. Either way the
// answer is exact.
func MedianDistance(x []float64, dim, maxPoints int) float64 {
	n := min(len(x)/dim, maxPoints)
	if n < 2 {
		panic("metrics: MedianDistance needs at least two points")
	}
	m := n * (n - 1) / 2
	ks := []int{m / 2}
	if m%2 == 0 {
		ks = []int{m/2 - 1, m / 2}
	}
	rows := pairRows{x: x, dim: dim, buf: make([]float64, n)}
	vs, ok := selectBracketed(&rows, n, ks)
	if !ok {
		for i, k := range ks {
			vs[i] = selectByDigits(&rows, n, k)
		}
	}
	sum := 0.0
	for _, v := range vs {
		sum += math.Sqrt(v)
	}
	return sum / float64(len(ks))
}

// bracketPoints is how many points' pairs estimate the median's bracket,
// and bracketHalf the bracket's half-width in ranks, as a share of the
// pairs: the estimate's error is a few hundredths on clustered data.
const (
	bracketPoints = 150
	bracketHalf   = 0.08
)

// selectBracketed returns the ks-th smallest squared distances (ranks
// close together) among the pairs of the first n points, and false if
// the bracket drawn from the first bracketPoints points does not hold
// them.
func selectBracketed(rows *pairRows, n int, ks []int) ([]float64, bool) {
	out := make([]float64, len(ks))
	s := min(n, bracketPoints)
	if s*4 > n {
		return out, false // few points: the two passes are cheap
	}
	var sub []float64
	for i := 0; i < s-1; i++ {
		sub = append(sub, rows.row(i, s)...)
	}
	m := n * (n - 1) / 2
	rank := func(f float64) int { return min(max(int(f*float64(len(sub))), 0), len(sub)-1) }
	lo := selectFrom(sub, rank(float64(ks[0])/float64(m)-bracketHalf), 52)
	hi := selectFrom(sub, rank(float64(ks[len(ks)-1])/float64(m)+bracketHalf), 52)
	below := 0
	kept := make([]float64, 0, int(3*bracketHalf*float64(m)))
	for i := 0; i < n-1; i++ {
		row := rows.row(i, n)
		kept = slices.Grow(kept, len(row))
		buf := kept[len(kept) : len(kept)+len(row)]
		w := 0
		for _, v := range row {
			// Counted and kept without a branch per pair: which side of
			// the bracket a pair falls on is a coin toss.
			below += b2i(v < lo)
			buf[w] = v
			w += b2i(v >= lo) & b2i(v <= hi)
		}
		kept = kept[:len(kept)+w]
	}
	for i, k := range ks {
		if k < below || k >= below+len(kept) {
			return out, false
		}
		out[i] = selectFrom(kept, k-below, 52)
	}
	return out, true
}

// selectByDigits returns the k-th smallest squared distance among the
// pairs of the first n points in two passes: one counts their top 17
// bits, a second keeps only those in the bucket that holds the k-th
// (about one in a hundred), and a radix selection finishes on those.
func selectByDigits(rows *pairRows, n, k int) float64 {
	count := make([]int32, 1<<(64-coarseShift))
	for i := 0; i < n-1; i++ {
		for _, v := range rows.row(i, n) {
			count[math.Float64bits(v)>>coarseShift]++
		}
	}
	b := 0
	for k >= int(count[b]) {
		k -= int(count[b])
		b++
	}
	kept := make([]float64, 0, count[b])
	for i := 0; i < n-1; i++ {
		for _, v := range rows.row(i, n) {
			if math.Float64bits(v)>>coarseShift == uint64(b) {
				kept = append(kept, v)
			}
		}
	}
	return selectFrom(kept, k, coarseShift-12)
}

// coarseShift puts a non-negative float64's exponent and top five
// mantissa bits in MedianDistance's first digit.
const coarseShift = 47

// pairRows computes the squared distances of a point set row by row.
type pairRows struct {
	x   []float64
	dim int
	buf []float64
}

// row returns the squared distances from point i to points i+1…n−1, in a
// buffer the next call reuses.
func (r *pairRows) row(i, n int) []float64 {
	x, dim := r.x, r.dim
	out := r.buf[:n-1-i]
	if dim == 2 {
		a, b := x[2*i], x[2*i+1]
		for j := range out {
			d0, d1 := a-x[2*(i+1+j)], b-x[2*(i+1+j)+1]
			out[j] = float64(d0*d0) + float64(d1*d1) // sqDist's sum, in its order
		}
		return out
	}
	xi := x[i*dim : (i+1)*dim]
	for j := range out {
		out[j] = sqDist(xi, x[(i+1+j)*dim:(i+2+j)*dim])
	}
	return out
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
