package metrics

import (
	"math"
	"slices"

	"github.com/ganexp/ganexp/metrics/internal/vec"
)

// kdTree indexes a point set for the k-NN and range queries of KNNRadii
// and Fidelity. In the low dimensions of toy GAN data it turns their
// O(n·m) pair loops into roughly O((n+m) log n) work.
//
// The tree keeps its own copy of the points in tree order, so that a leaf
// is one contiguous run of memory and a query reads no index on its way
// to a coordinate; orig maps a tree position back to the caller's index.
// Each evaluation builds one tree over 2,500 generated points and asks it
// 7,500 questions, so these constant factors are most of its cost.
type kdTree struct {
	dim   int
	pts   []float64 // points in tree order, row-major
	orig  []int     // orig[p] is the caller's index of tree point p
	nodes []kdNode  // nodes[0] is the root
	box   []float64 // per node: dim minima, then dim maxima
	leaf  []int     // the leaves' node ids
	// xs and ys are the points again as two columns, in 2-D, for the
	// vector loops (vec).
	xs, ys []float64
	// scratch is build2's memory, kept for the next reset.
	scratch builder2
}

type kdNode struct {
	lo, hi      int // tree positions [lo, hi)
	left, right int // children, −1 for a leaf
}

const kdLeaf = 16

// useTree says whether a tree beats brute force: low dimensions and
// enough points.
func useTree(n, dim int) bool { return dim <= 8 && n > 4*kdLeaf }

// newKDTree builds a tree over x (n×dim), which it does not keep.
func newKDTree(x []float64, dim int) *kdTree {
	t := &kdTree{}
	t.reset(x, dim)
	return t
}

// reset makes t a tree over x (n×dim), reusing t's memory: an evaluator
// builds a tree over its samples at every evaluation, and reusing it
// spares the collector a few hundred kilobytes each time.
func (t *kdTree) reset(x []float64, dim int) {
	n := len(x) / dim
	t.dim = dim
	t.pts = grow(t.pts, len(x))
	t.orig = growInts(t.orig, n)
	t.nodes = t.nodes[:0]
	t.box = t.box[:0]
	t.leaf = t.leaf[:0]
	if dim != 2 {
		copy(t.pts, x)
		for i := range t.orig {
			t.orig[i] = i
		}
		t.build(0, n)
		return
	}
	t.build2(x)
	t.xs, t.ys = grow(t.xs, n), grow(t.ys, n)
	for p, i := range t.orig {
		t.xs[p], t.ys[p] = x[2*i], x[2*i+1]
		t.pts[2*p], t.pts[2*p+1] = x[2*i], x[2*i+1]
	}
}

// grow returns s with length n, reallocated only when too short.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

func growInts(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}

func growInt32s(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}

// build2 builds a tree over 2-D points from their orders by x and by y,
// sorted once: a node's box is then the ends of its two runs, and a split
// at the median of one axis keeps both runs sorted by a stable partition
// of the other. Selecting a median at every node with comparisons, as
// build does, mispredicted about every other branch and took twice as
// long as the queries that followed.
func (t *kdTree) build2(x []float64) {
	n := len(x) / 2
	b := &t.scratch
	order := func(axis int) {
		b.by[axis], b.keys[axis] = growInt32s(b.by[axis], n), grow(b.keys[axis], n)
		idx, keys := b.by[axis], b.keys[axis]
		for i := range n {
			idx[i], keys[i] = int32(i), x[2*i+axis]
		}
		b.s.sortWith(keys, idx)
	}
	order(0)
	order(1)
	if cap(b.left) < n {
		b.left = make([]bool, n)
	}
	b.left = b.left[:n]
	b.tmp, b.tmp2 = growInt32s(b.tmp, n+1), growInt32s(b.tmp2, n+1)
	b.tmpK, b.tmpK2 = grow(b.tmpK, n+1), grow(b.tmpK2, n+1)
	b.node(t, 0, n)
	for p, i := range b.by[0] {
		t.orig[p] = int(i)
	}
}

// b2i is 1 for true and 0 for false, without a branch.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// builder2 holds build2's runs: the points of each node by x and by y,
// with their coordinates on that axis, and scratch for the partitions.
type builder2 struct {
	s           sorter
	by          [2][]int32
	keys        [2][]float64
	left        []bool
	tmp, tmp2   []int32
	tmpK, tmpK2 []float64
}

func (b *builder2) node(t *kdTree, lo, hi int) int {
	id := len(t.nodes)
	t.nodes = append(t.nodes, kdNode{lo: lo, hi: hi, left: -1, right: -1})
	kx, ky := b.keys[0], b.keys[1]
	t.box = append(t.box, kx[lo], ky[lo], kx[hi-1], ky[hi-1])
	wx, wy := kx[hi-1]-kx[lo], ky[hi-1]-ky[lo]
	if hi-lo <= kdLeaf || (wx == 0 && wy == 0) {
		t.leaf = append(t.leaf, id)
		return id
	}
	axis := 0
	if wy > wx {
		axis = 1
	}
	mid := (lo + hi) / 2
	// The first half of the axis's run goes left; the other run keeps
	// its order within each side.
	for i, p := range b.by[axis][lo:hi] {
		b.left[p] = lo+i < mid
	}
	other := 1 - axis
	run, keys := b.by[other][lo:hi], b.keys[other][lo:hi]
	// Each point is written to the next slot of both sides and kept by
	// one (its side's position moves on): no branch on the data. The
	// sides are apart, so a point kept by one is never overwritten.
	nl := mid - lo
	ls, lk := b.tmp[:hi-lo+1], b.tmpK[:hi-lo+1]
	rs, rk := b.tmp2[:hi-lo+1], b.tmpK2[:hi-lo+1]
	l, r := 0, 0
	for i, p := range run {
		k := keys[i]
		ls[l], lk[l] = p, k
		rs[r], rk[r] = p, k
		m := b2i(b.left[p])
		l += m
		r += 1 - m
	}
	copy(run, ls[:nl])
	copy(run[nl:], rs[:hi-mid])
	copy(keys, lk[:nl])
	copy(keys[nl:], rk[:hi-mid])
	left := b.node(t, lo, mid)
	right := b.node(t, mid, hi)
	t.nodes[id].left, t.nodes[id].right = left, right
	return id
}

// build makes the node over tree positions [lo, hi), reordering the
// points (and orig with them) as it splits.
func (t *kdTree) build(lo, hi int) int {
	id := len(t.nodes)
	t.nodes = append(t.nodes, kdNode{lo: lo, hi: hi, left: -1, right: -1})
	d := t.dim
	at := len(t.box)
	for range d {
		t.box = append(t.box, math.Inf(1))
	}
	for range d {
		t.box = append(t.box, math.Inf(-1))
	}
	box := t.box[at : at+2*d]
	// Plain comparisons, not math.Min and math.Max, whose NaN and
	// signed-zero rules cost a call each: the evaluator passes only
	// finite samples.
	pts := t.pts[lo*d : hi*d]
	for j := 0; j < d; j++ {
		mn, mx := box[j], box[d+j]
		for p := j; p < len(pts); p += d {
			v := pts[p]
			if v < mn {
				mn = v
			}
			if v > mx {
				mx = v
			}
		}
		box[j], box[d+j] = mn, mx
	}
	if hi-lo <= kdLeaf {
		t.leaf = append(t.leaf, id)
		return id
	}
	axis, width := 0, -1.0
	for j := 0; j < d; j++ {
		if w := box[d+j] - box[j]; w > width {
			axis, width = j, w
		}
	}
	if width == 0 {
		t.leaf = append(t.leaf, id)
		return id // all points equal: keep them in one leaf
	}
	mid := (lo + hi) / 2
	t.selectAxis(lo, hi, mid, axis)
	left := t.build(lo, mid)
	right := t.build(mid, hi)
	t.nodes[id].left, t.nodes[id].right = left, right
	return id
}

// selectAxis reorders the points at positions [lo, hi) so that position
// k holds the k-th smallest coordinate on axis, smaller ones before it
// (quickselect on the coordinates in place).
func (t *kdTree) selectAxis(lo, hi, k, axis int) {
	pts, d := t.pts, t.dim
	swap := func(i, j int) {
		t.orig[i], t.orig[j] = t.orig[j], t.orig[i]
		if d == 2 {
			pts[2*i], pts[2*j] = pts[2*j], pts[2*i]
			pts[2*i+1], pts[2*j+1] = pts[2*j+1], pts[2*i+1]
			return
		}
		for c := 0; c < d; c++ {
			pts[i*d+c], pts[j*d+c] = pts[j*d+c], pts[i*d+c]
		}
	}
	quickselect(lo, hi, k, func(i int) float64 { return pts[i*d+axis] }, swap)
}

// boxDist2 is the squared distance from p to node's bounding box.
func (t *kdTree) boxDist2(node int, p []float64) float64 {
	d := t.dim
	if d == 2 {
		// The toy data's dimension, where most queries run: unrolled.
		box := t.box[node*4 : node*4+4 : node*4+4]
		x, y := p[0], p[1]
		s := 0.0
		if x < box[0] {
			s = float64((box[0] - x) * (box[0] - x))
		} else if x > box[2] {
			s = float64((x - box[2]) * (x - box[2]))
		}
		if y < box[1] {
			s += float64((box[1] - y) * (box[1] - y))
		} else if y > box[3] {
			s += float64((y - box[3]) * (y - box[3]))
		}
		return s
	}
	box := t.box[node*2*d : (node+1)*2*d]
	s := 0.0
	for j, v := range p {
		if v < box[j] {
			s += float64((box[j] - v) * (box[j] - v))
		} else if v > box[d+j] {
			s += float64((v - box[d+j]) * (v - box[d+j]))
		}
	}
	return s
}

// knnRadii is KNNRadii on the tree's own points, in the caller's order.
func (t *kdTree) knnRadii(k int) []float64 {
	return t.knnRadiiMany(k)[0]
}

// knnRadiiMany is knnRadii for several k at once, from one search for the
// largest: the k-th nearest is the k-th nearest whatever else is asked.
//
// It works a leaf at a time. Each point of a leaf first takes its k
// nearest within the leaf; the largest k-th distance among them, R,
// bounds every answer, so only leaves whose boxes come within R of the
// leaf's box can hold a nearer point. One walk of the tree finds those
// for all the leaf's points, instead of one walk per point; their points
// are copied into one run, and each point of the leaf scans that run.
func (t *kdTree) knnRadiiMany(ks ...int) [][]float64 {
	d := t.dim
	k := slices.Max(ks)
	out := make([][]float64, len(ks))
	for i := range out {
		out[i] = make([]float64, len(t.orig))
	}
	best := make([]float64, k)
	var own []float64 // each point's k-th nearest in its leaf
	var near []int
	var cand candidates
	for _, leaf := range t.leaf {
		nd := t.nodes[leaf]
		own = own[:0]
		bound := 0.0
		if d == 2 && k <= vec.MaxLeafK {
			own = slices.Grow(own, nd.hi-nd.lo)[:nd.hi-nd.lo]
			vec.LeafKth(t.xs[nd.lo:nd.hi], t.ys[nd.lo:nd.hi], k, own)
		} else {
			for p := nd.lo; p < nd.hi; p++ {
				fillInf(best)
				scanNearest(t.pts[p*d:(p+1)*d], t.pts[nd.lo*d:nd.hi*d], d, p-nd.lo, best)
				own = append(own, best[k-1])
			}
		}
		for _, o := range own {
			bound = max(bound, o)
		}
		near = t.nearLeaves(near[:0], t.box[leaf*2*d:(leaf+1)*2*d], bound)
		cand.gather(t, near, nd.lo, nd.hi)
		for p := nd.lo; p < nd.hi; p++ {
			fillInf(best)
			// The leaf's own points come first in the run (gather puts
			// them there), so the point itself is at p − lo.
			self := p - nd.lo
			q := t.pts[p*d : (p+1)*d]
			if d == 2 {
				// Every one of the k nearest is within the point's k-th
				// nearest in its own leaf: only those few are sorted in.
				c := vec.Within2(q[0], q[1], own[self], cand.xs, cand.ys, cand.d2, cand.idx)
				for j, dj := range cand.d2[:c] {
					if int(cand.idx[j]) != self && dj < best[k-1] {
						keepSmallest(best, dj)
					}
				}
			} else {
				scanNearest(q, cand.pts, d, self, best)
			}
			for i, ki := range ks {
				out[i][t.orig[p]] = math.Sqrt(best[ki-1])
			}
		}
	}
	return out
}

func fillInf(b []float64) {
	for i := range b {
		b[i] = math.Inf(1)
	}
}

// candidates are the points of a set of leaves, copied into one run: in
// 2-D as a column of x and a column of y (what vec.Within2 reads), with
// room for its answers; otherwise row-major.
type candidates struct {
	pts    []float64 // row-major, above 2-D
	xs, ys []float64 // 2-D
	orig   []int     // the caller's index of each
	d2     []float64 // vec.Within2's distances
	idx    []int32   // and positions
}

// gather fills c with the points of the leaves near, those among
// positions [lo, hi) first, in their order.
func (c *candidates) gather(t *kdTree, near []int, lo, hi int) {
	d := t.dim
	c.pts, c.xs, c.ys, c.orig = c.pts[:0], c.xs[:0], c.ys[:0], c.orig[:0]
	add := func(leaf int) {
		nd := &t.nodes[leaf]
		if d == 2 {
			c.xs = append(c.xs, t.xs[nd.lo:nd.hi]...)
			c.ys = append(c.ys, t.ys[nd.lo:nd.hi]...)
		} else {
			c.pts = append(c.pts, t.pts[nd.lo*d:nd.hi*d]...)
		}
		c.orig = append(c.orig, t.orig[nd.lo:nd.hi]...)
	}
	inside := func(leaf int) bool { return t.nodes[leaf].lo >= lo && t.nodes[leaf].hi <= hi }
	for _, leaf := range near {
		if inside(leaf) {
			add(leaf)
		}
	}
	for _, leaf := range near {
		if !inside(leaf) {
			add(leaf)
		}
	}
	if n := len(c.orig); cap(c.d2) < n {
		c.d2, c.idx = make([]float64, n, 2*n), make([]int32, n, 2*n)
	} else {
		c.d2, c.idx = c.d2[:n], c.idx[:n]
	}
}

// scanNearest lowers best (ascending) with the squared distances from q
// to the points of pts (row-major), but for the point at index skip.
func scanNearest(q, pts []float64, d, skip int, best []float64) {
	if d == 2 {
		x, y := q[0], q[1]
		for j := 0; j+1 < len(pts); j += 2 {
			dx, dy := x-pts[j], y-pts[j+1]
			// The same sum as sqDist: (0 + dx²) + dy².
			if j != 2*skip {
				keepSmallest(best, float64(dx*dx)+float64(dy*dy))
			}
		}
		return
	}
	for p := 0; p*d < len(pts); p++ {
		if p != skip {
			keepSmallest(best, sqDist(q, pts[p*d:(p+1)*d]))
		}
	}
}

// keepSmallest puts v into best, ascending, if it is among its len(best)
// smallest values so far. It is a sorting network of min and max, which
// compile to branch-free instructions: a point's nearest neighbours come
// in no order a branch could predict. The values are squared distances
// (or +Inf), never negative or NaN, and such float64s order as their bit
// patterns do: integer min and max are two instructions each, where the
// float64 ones take seven to order NaNs and signed zeros.
func keepSmallest(best []float64, v float64) {
	vb := math.Float64bits(v)
	for j := len(best) - 1; j > 0; j-- {
		b := min(math.Float64bits(best[j]), max(math.Float64bits(best[j-1]), vb))
		best[j] = math.Float64frombits(b)
	}
	best[0] = math.Float64frombits(min(math.Float64bits(best[0]), vb))
}

// nearLeaves appends to dst the leaves whose boxes come within squared
// distance r2 of the box b (dim minima, then dim maxima). Every point
// within r of a point in b lies in one of them: each per-axis gap between
// the boxes is at most the one between the points, and floating-point
// subtraction keeps that order.
func (t *kdTree) nearLeaves(dst []int, b []float64, r2 float64) []int {
	d := t.dim
	var stack [64]int
	top := 1
	for top > 0 {
		top--
		node := stack[top]
		s := 0.0
		if d == 2 {
			// The loop below, unrolled: most of a walk's time.
			box := t.box[node*4 : node*4+4 : node*4+4]
			// At most one of each axis's two gaps is positive, so the
			// gap is the sum of their positive parts: no branches, which
			// the boxes' order would make unpredictable.
			g0 := positive(b[0]-box[2]) + positive(box[0]-b[2])
			g1 := positive(b[1]-box[3]) + positive(box[1]-b[3])
			s = float64(g0*g0) + float64(g1*g1)
		} else {
			box := t.box[node*2*d : (node+1)*2*d]
			for j := range d {
				if g := b[j] - box[d+j]; g > 0 {
					s += float64(g * g)
				} else if g := box[j] - b[d+j]; g > 0 {
					s += float64(g * g)
				}
			}
		}
		if s > r2 {
			continue
		}
		nd := &t.nodes[node]
		if nd.left < 0 {
			dst = append(dst, node)
			continue
		}
		stack[top], stack[top+1] = nd.right, nd.left
		top += 2
	}
	return dst
}

// positive is max(x, 0) for finite x (−0 for negative zero): the sign
// bit, spread over the word, masks the value away.
func positive(x float64) float64 {
	b := math.Float64bits(x)
	return math.Float64frombits(b &^ uint64(int64(b)>>63))
}

// pairsWithin calls fn(i, j, d2) for every point i of the query tree qt
// and point j of t (the caller's indices of each) with squared distance
// d2 ≤ r2[i]: one range query per point of qt, each with its own radius.
// Like knnRadii it walks t once per leaf of qt, with the leaf's largest
// radius, and then each query scans the run of the candidates' points.
func (t *kdTree) pairsWithin(qt *kdTree, r2 []float64, fn func(i, j int, d2 float64)) {
	d := t.dim
	var near []int
	var cand candidates
	for _, leaf := range qt.leaf {
		nd := qt.nodes[leaf]
		bound := 0.0
		for p := nd.lo; p < nd.hi; p++ {
			bound = max(bound, r2[qt.orig[p]])
		}
		near = t.nearLeaves(near[:0], qt.box[leaf*2*d:(leaf+1)*2*d], bound)
		cand.gather(t, near, 0, 0)
		for p := nd.lo; p < nd.hi; p++ {
			q, i := qt.pts[p*d:(p+1)*d], qt.orig[p]
			rq := r2[i]
			if d == 2 {
				c := vec.Within2(q[0], q[1], rq, cand.xs, cand.ys, cand.d2, cand.idx)
				for j, dj := range cand.d2[:c] {
					fn(i, cand.orig[cand.idx[j]], dj)
				}
				continue
			}
			for j := 0; j*d < len(cand.pts); j++ {
				if d2 := sqDist(q, cand.pts[j*d:(j+1)*d]); d2 <= rq {
					fn(i, cand.orig[j], d2)
				}
			}
		}
	}
}
