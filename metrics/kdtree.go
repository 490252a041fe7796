package metrics

import "math"

// kdTree indexes a point set for the k-NN and ball queries of KNNRadii and
// NewFidelity. In the low dimensions of toy GAN data it turns their
// O(n·m) pair loops into roughly O((n+m) log n) work. Each node also keeps
// the largest radius of the balls centred in it, so that "which balls hold
// this point" can skip whole subtrees.
type kdTree struct {
	pts   []float64
	dim   int
	idx   []int     // point indices, grouped by node
	nodes []kdNode  // nodes[0] is the root
	box   []float64 // per node: dim minima, then dim maxima
	maxR2 []float64 // per node: largest squared ball radius (ball queries)
	r2    []float64 // per point squared ball radius, or nil
}

type kdNode struct {
	lo, hi      int // range of idx
	left, right int // children, −1 for a leaf
}

const kdLeaf = 16

// useTree says whether a tree beats brute force: low dimensions and
// enough points.
func useTree(n, dim int) bool { return dim <= 8 && n > 4*kdLeaf }

// newKDTree builds a tree over x (n×dim). radii, when not nil, are the
// per-point ball radii for ball queries.
func newKDTree(x []float64, dim int, radii []float64) *kdTree {
	n := len(x) / dim
	t := &kdTree{pts: x, dim: dim, idx: make([]int, n)}
	for i := range t.idx {
		t.idx[i] = i
	}
	if radii != nil {
		t.r2 = squares(radii)
	}
	t.build(0, n)
	return t
}

func (t *kdTree) build(lo, hi int) int {
	id := len(t.nodes)
	t.nodes = append(t.nodes, kdNode{lo: lo, hi: hi, left: -1, right: -1})
	d := t.dim
	box := make([]float64, 2*d)
	for j := 0; j < d; j++ {
		box[j], box[d+j] = math.Inf(1), math.Inf(-1)
	}
	maxR2 := 0.0
	for _, i := range t.idx[lo:hi] {
		p := t.pts[i*d : (i+1)*d]
		for j, v := range p {
			box[j] = math.Min(box[j], v)
			box[d+j] = math.Max(box[d+j], v)
		}
		if t.r2 != nil {
			maxR2 = math.Max(maxR2, t.r2[i])
		}
	}
	t.box = append(t.box, box...)
	t.maxR2 = append(t.maxR2, maxR2)
	if hi-lo <= kdLeaf {
		return id
	}
	axis, width := 0, -1.0
	for j := 0; j < d; j++ {
		if w := box[d+j] - box[j]; w > width {
			axis, width = j, w
		}
	}
	if width == 0 {
		return id // all points equal: keep them in one leaf
	}
	mid := (lo + hi) / 2
	t.selectAxis(lo, hi, mid, axis)
	left := t.build(lo, mid)
	right := t.build(mid, hi)
	t.nodes[id].left, t.nodes[id].right = left, right
	return id
}

// selectAxis reorders idx[lo:hi] so that idx[k] has the k-th smallest
// coordinate on axis, smaller ones before it.
func (t *kdTree) selectAxis(lo, hi, k, axis int) {
	quickselect(lo, hi, k,
		func(i int) float64 { return t.pts[t.idx[i]*t.dim+axis] },
		func(i, j int) { t.idx[i], t.idx[j] = t.idx[j], t.idx[i] })
}

// boxDist2 is the squared distance from p to node's bounding box.
func (t *kdTree) boxDist2(node int, p []float64) float64 {
	d := t.dim
	box := t.box[node*2*d : (node+1)*2*d]
	s := 0.0
	for j, v := range p {
		if v < box[j] {
			s += (box[j] - v) * (box[j] - v)
		} else if v > box[d+j] {
			s += (v - box[d+j]) * (v - box[d+j])
		}
	}
	return s
}

// kNearest fills best (ascending, len k, +Inf padded) with the k smallest
// squared distances from p to tree points other than skip.
func (t *kdTree) kNearest(node int, p []float64, skip int, best []float64) {
	if t.boxDist2(node, p) >= best[len(best)-1] {
		return
	}
	nd := t.nodes[node]
	if nd.left < 0 {
		for _, i := range t.idx[nd.lo:nd.hi] {
			if i == skip {
				continue
			}
			if d := sqDist(p, t.pts[i*t.dim:(i+1)*t.dim]); d < best[len(best)-1] {
				insert(best, d)
			}
		}
		return
	}
	// Nearer child first, so the bound tightens sooner.
	a, b := nd.left, nd.right
	if t.boxDist2(b, p) < t.boxDist2(a, p) {
		a, b = b, a
	}
	t.kNearest(a, p, skip, best)
	t.kNearest(b, p, skip, best)
}

// ballsHolding calls fn(i, d2) for each point i whose ball holds p
// (squared distance d2 ≤ r_i²) until fn returns false. It reports whether
// it ran to the end.
func (t *kdTree) ballsHolding(node int, p []float64, fn func(i int, d2 float64) bool) bool {
	if t.boxDist2(node, p) > t.maxR2[node] {
		return true
	}
	nd := t.nodes[node]
	if nd.left < 0 {
		for _, i := range t.idx[nd.lo:nd.hi] {
			if d := sqDist(p, t.pts[i*t.dim:(i+1)*t.dim]); d <= t.r2[i] {
				if !fn(i, d) {
					return false
				}
			}
		}
		return true
	}
	return t.ballsHolding(nd.left, p, fn) && t.ballsHolding(nd.right, p, fn)
}
