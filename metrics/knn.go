package metrics

import (
	"math"
)

// KNNRadii returns, for each point of x, the Euclidean distance to its
// k-th nearest other point of x: the radius of the point's k-NN ball in
// the manifold estimates of Kynkäänniemi et al. 2019 and Naeem et al.
// 2020. x needs more than k points.
func KNNRadii(x []float64, dim, k int) []float64 {
	n := len(x) / dim
	if n <= k {
		panic("metrics: KNNRadii needs more than k points")
	}
	if useTree(n, dim) {
		return newKDTree(x, dim).knnRadii(k)
	}
	// best[i*k:(i+1)*k] holds point i's k smallest squared distances,
	// ascending.
	best := make([]float64, n*k)
	for i := range best {
		best[i] = math.Inf(1)
	}
	for i := 0; i < n; i++ {
		xi := x[i*dim : (i+1)*dim]
		bi := best[i*k : (i+1)*k]
		for j := i + 1; j < n; j++ {
			d := sqDist(xi, x[j*dim:(j+1)*dim])
			if d < bi[k-1] {
				insert(bi, d)
			}
			if bj := best[j*k : (j+1)*k]; d < bj[k-1] {
				insert(bj, d)
			}
		}
	}
	r := make([]float64, n)
	for i := range r {
		r[i] = math.Sqrt(best[i*k+k-1])
	}
	return r
}

// insert puts d into the ascending slice b, dropping its largest value.
func insert(b []float64, d float64) {
	i := len(b) - 1
	for i > 0 && b[i-1] > d {
		b[i] = b[i-1]
		i--
	}
	b[i] = d
}

// Fidelity holds the k-NN manifold metrics of a generated sample.
type Fidelity struct {
	// Precision and Recall are the improved precision and recall of
	// Kynkäänniemi et al. 2019 (eq. 1–2), with manifold(S) = ∪_{s∈S}
	// B(s, r_k(s)) and k = 3 in the paper:
	//
	//	precision = (1/M) Σ_{y∈fake} 1[y ∈ manifold(real)]
	//	recall    = (1/N) Σ_{x∈real} 1[x ∈ manifold(fake)]
	//
	// Precision measures fidelity; recall how much of the real data G
	// covers, so it falls when G collapses.
	Precision, Recall float64
	// Density and Coverage are those of Naeem et al. 2020 (eq. 5–6), with
	// B_i = B(x_i, NND_k(x_i)) the k-NN balls of the real points (k = 5 in
	// the paper):
	//
	//	density  = 1/(kM) Σ_{j=1..M} Σ_{i=1..N} 1[y_j ∈ B_i]
	//	coverage = 1/N Σ_{i=1..N} 1[∃ j: y_j ∈ B_i]
	//
	// For fake ~ real, E[density] = 1 and E[coverage] = 1 − Π_{l=1..k}
	// (N−l)/(N+M−l) ≈ 1 − 2^−k for M = N. Coverage falls when G drops
	// modes, a collapse signal that needs no known modes.
	Density, Coverage float64
}

// NewFidelity computes Fidelity in one pass over the M×N fake–real pairs.
// realPR and fakePR are the k-NN radii (KNNRadii) of each set for
// precision and recall; realDC those of the real set for density and
// coverage, with kDC their k.
func NewFidelity(real, fake []float64, dim int, realPR, fakePR, realDC []float64, kDC int) Fidelity {
	m, n := len(fake)/dim, len(real)/dim
	if useTree(max(m, n), dim) {
		return fidelityTree(real, fake, dim, realPR, fakePR, realDC, kDC)
	}
	pr, fr, dr := squares(realPR), squares(fakePR), squares(realDC)
	realInFake := make([]bool, n) // recall
	covered := make([]bool, n)    // coverage
	inReal, count := 0, 0
	for j := 0; j < m; j++ {
		y := fake[j*dim : (j+1)*dim]
		inside := false
		for i := 0; i < n; i++ {
			d := sqDist(y, real[i*dim:(i+1)*dim])
			if d <= pr[i] {
				inside = true
			}
			if d <= fr[j] {
				realInFake[i] = true
			}
			if d <= dr[i] {
				count++
				covered[i] = true
			}
		}
		if inside {
			inReal++
		}
	}
	return Fidelity{
		Precision: float64(inReal) / float64(m),
		Recall:    float64(countTrue(realInFake)) / float64(n),
		Density:   float64(count) / float64(kDC*m),
		Coverage:  float64(countTrue(covered)) / float64(n),
	}
}

// fidelityTree computes NewFidelity with k-d trees of both samples.
func fidelityTree(real, fake []float64, dim int, realPR, fakePR, realDC []float64, kDC int) Fidelity {
	return fidelityWithin(real, fake, dim, newKDTree(real, dim), newKDTree(fake, dim), realPR, fakePR, realDC, kDC)
}

// fidelityWithin is NewFidelity's numbers by range queries on trees of
// the real (rt) and generated (ft) points.
//
// Every ball test is turned around into a range query with the ball's own
// radius, which prunes far better than asking which of many balls of
// different sizes hold a point: each real point x_i finds the generated
// points within its density ball (counting them for density and
// coverage, and marking those also within its precision ball), and each
// generated point finds the real points within its own ball (recall).
// The comparisons are the same d² ≤ r² as NewFidelity's, so are the
// numbers.
func fidelityWithin(real, fake []float64, d int, rt, ft *kdTree, realPR, fakePR, realDC []float64, kDC int) Fidelity {
	m, n := len(fake)/d, len(real)/d
	inReal := make([]bool, m)     // precision: fake j in some real ball
	realInFake := make([]bool, n) // recall: real i in some fake ball
	hits := make([]int, n)        // density and coverage: fakes in real ball i
	pr2, dc2, reach := squares(realPR), squares(realDC), make([]float64, n)
	for i := range reach {
		reach[i] = max(pr2[i], dc2[i])
	}
	ft.pairsWithin(rt, reach, func(i, j int, d2 float64) {
		if d2 <= dc2[i] {
			hits[i]++
		}
		if d2 <= pr2[i] {
			inReal[j] = true
		}
	})
	rt.pairsWithin(ft, squares(fakePR), func(j, i int, _ float64) { realInFake[i] = true })
	count, covered := 0, 0
	for _, h := range hits {
		count += h
		if h > 0 {
			covered++
		}
	}
	return Fidelity{
		Precision: float64(countTrue(inReal)) / float64(m),
		Recall:    float64(countTrue(realInFake)) / float64(n),
		Density:   float64(count) / float64(kDC*m),
		Coverage:  float64(covered) / float64(n),
	}
}

// FidelityRef is a reference sample prepared once for Fidelity: its k-NN
// radii and a k-d tree of its points. A trial compares every evaluation
// with the same reference sample, so only the generated sample's tree and
// radii are built per evaluation.
//
// A FidelityRef keeps the generated sample's tree between evaluations, so
// one value must not be used by two goroutines at once (a trial's
// evaluator is one).
type FidelityRef struct {
	real           []float64
	dim, kPR, kDC  int
	realPR, realDC []float64
	tree           *kdTree // nil where brute force is faster
	fake           kdTree  // the last generated sample's, rebuilt in place
}

// NewFidelityRef prepares real (n×dim) with k-NN balls of kPR (precision
// and recall) and kDC (density and coverage) neighbours.
func NewFidelityRef(real []float64, dim, kPR, kDC int) *FidelityRef {
	r := &FidelityRef{real: real, dim: dim, kPR: kPR, kDC: kDC}
	if useTree(len(real)/dim, dim) {
		r.tree = newKDTree(real, dim)
		radii := r.tree.knnRadiiMany(kPR, kDC)
		r.realPR, r.realDC = radii[0], radii[1]
		return r
	}
	r.realPR, r.realDC = KNNRadii(real, dim, kPR), KNNRadii(real, dim, kDC)
	return r
}

// Fidelity is NewFidelity(real, fake, dim, realPR, KNNRadii(fake, dim,
// kPR), realDC, kDC), the same numbers, with the reference's work done.
func (r *FidelityRef) Fidelity(fake []float64) Fidelity {
	d := r.dim
	m, n := len(fake)/d, len(r.real)/d
	if r.tree == nil || !useTree(max(m, n), d) {
		return NewFidelity(r.real, fake, d, r.realPR, KNNRadii(fake, d, r.kPR), r.realDC, r.kDC)
	}
	r.fake.reset(fake, d)
	ft := &r.fake
	return fidelityWithin(r.real, fake, d, r.tree, ft, r.realPR, ft.knnRadii(r.kPR), r.realDC, r.kDC)
}

func squares(r []float64) []float64 {
	out := make([]float64, len(r))
	for i, v := range r {
		out[i] = v * v
	}
	return out
}

func countTrue(b []bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

// SlicedWasserstein is the sliced Wasserstein-1 distance (Rabin et al.
// 2011; Deshpande et al. 2018) between two samples of equal size n along
// the unit directions dirs (len(dirs)/dim of them):
//
//	SW₁ = (1/L) Σ_l W₁(θ_l·x, θ_l·y),   W₁(a, b) = (1/n) Σ_i |a_(i) − b_(i)|
//
// where a_(i) are the sorted projections. In 1-D with dirs = {1} it is
// the exact W₁. For two Gaussians N(0, I) and N(μ, I) in 2-D with
// uniformly spread directions it tends to 2‖μ‖/π.
func SlicedWasserstein(x, y []float64, dim int, dirs []float64) float64 {
	return NewSWDRef(y, dim, dirs).Distance(x)
}

// SWDRef holds a reference sample's sorted projections, so that a trial
// sorts them once instead of at every evaluation.
//
// An SWDRef keeps its scratch between evaluations, so one value must not
// be used by two goroutines at once (a trial's evaluator is one).
type SWDRef struct {
	dim  int
	dirs []float64
	proj [][]float64 // per direction, sorted
	a    []float64   // scratch: one direction's projections
	s    sorter
}

// NewSWDRef projects y onto each direction and sorts the projections.
func NewSWDRef(y []float64, dim int, dirs []float64) *SWDRef {
	r := &SWDRef{dim: dim, dirs: dirs}
	var s sorter
	for l := 0; l+dim <= len(dirs); l += dim {
		p := make([]float64, len(y)/dim)
		project(p, y, dirs[l:l+dim])
		s.sort(p)
		r.proj = append(r.proj, p)
	}
	return r
}

// Distance is SlicedWasserstein(x, y) for the reference y.
func (r *SWDRef) Distance(x []float64) float64 {
	n := len(x) / r.dim
	if len(r.proj) == 0 || len(r.proj[0]) != n {
		panic("metrics: SlicedWasserstein needs samples of equal size")
	}
	if len(r.a) != n {
		r.a = make([]float64, n)
	}
	a := r.a
	total := 0.0
	for l, b := range r.proj {
		project(a, x, r.dirs[l*r.dim:(l+1)*r.dim])
		r.s.sort(a)
		w := 0.0
		for i := range a {
			w += math.Abs(a[i] - b[i])
		}
		total += w / float64(n)
	}
	return total / float64(len(r.proj))
}

func project(dst, x, theta []float64) {
	dim := len(theta)
	if dim == 2 {
		t0, t1 := theta[0], theta[1]
		x = x[:2*len(dst)]
		for i := range dst {
			dst[i] = float64(x[2*i]*t0) + float64(x[2*i+1]*t1) // the loop's sum, unfused
		}
		return
	}
	for i := range dst {
		s := 0.0
		for j, t := range theta {
			s += float64(x[i*dim+j] * t)
		}
		dst[i] = s
	}
}

// Directions returns L unit vectors in dim dimensions, row-major: evenly
// spaced angles in 2-D (so the 2-D slicing has no sampling noise), the
// single direction 1 in 1-D, and normalised Gaussian vectors from draw
// otherwise.
func Directions(dim, l int, draw func() float64) []float64 {
	switch dim {
	case 1:
		return []float64{1}
	case 2:
		out := make([]float64, 2*l)
		for i := 0; i < l; i++ {
			a := math.Pi * float64(i) / float64(l)
			out[2*i], out[2*i+1] = math.Cos(a), math.Sin(a)
		}
		return out
	}
	out := make([]float64, dim*l)
	for i := 0; i < l; i++ {
		v := out[i*dim : (i+1)*dim]
		norm := 0.0
		for j := range v {
			v[j] = draw()
			norm += v[j] * v[j]
		}
		norm = math.Sqrt(norm)
		for j := range v {
			v[j] /= norm
		}
	}
	return out
}
