package metrics

import (
	"math"
	"slices"
	"sort"
)

// sorter sorts float64s by spreading them over buckets by value (a
// distribution sort), reusing its buffers across calls. Sliced
// Wasserstein sorts 16 projections of 2,500 points at every evaluation,
// where slices.Sort's comparisons took 2.9 ms and this takes a small
// fraction of that.
type sorter struct {
	tmp   []float64
	tmpI  []int32
	count []int // a level's bucket counts, then its sub-levels'
}

// maxSpreadDepth is how many levels of buckets spread goes down before
// it leaves a bucket to a comparison sort.
const maxSpreadDepth = 4

// sort sorts a ascending: the same values as slices.Sort (−0 and +0 are
// equal to both, in whatever order they come).
func (s *sorter) sort(a []float64) { s.sortWith(a, nil) }

// sortWith sorts a ascending and moves idx (when not nil, as long as a)
// with it: the order of a's values, for the k-d tree's build.
func (s *sorter) sortWith(a []float64, idx []int32) {
	if len(s.tmp) < len(a) {
		s.tmp = make([]float64, len(a))
		s.tmpI = make([]int32, len(a))
		// Each level keeps its counts while the buckets below it are
		// spread, each with fewer values than it.
		s.count = make([]int, (maxSpreadDepth+1)*(len(a)+1))
	}
	s.spread(a, idx, 0, s.count)
}

// spread puts a's values into len(a) buckets of equal width between its
// minimum and maximum, in bucket order, and sorts each bucket: small ones
// by insertion, larger ones by spreading again. A value's bucket,
// ⌊(v − min)·scale⌋, never decreases as v grows (each floating-point step
// keeps the order), so bucket order is value order. Data that keeps
// piling into one bucket (or holds infinities or NaNs) goes to a
// comparison sort after a few levels.
func (s *sorter) spread(a []float64, idx []int32, depth int, counts []int) {
	n := len(a)
	if n <= 32 {
		insertionSortWith(a, idx)
		return
	}
	lo, hi := a[0], a[0]
	nan := false
	for _, v := range a {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
		nan = nan || v != v
	}
	if lo == hi && !nan {
		return // all equal
	}
	scale := float64(n) / (hi - lo)
	if depth >= maxSpreadDepth || nan || math.IsInf(scale, 0) || scale == 0 || math.IsNaN(scale) {
		if idx == nil {
			slices.Sort(a)
			return
		}
		sort.Stable(pairs{a, idx})
		return
	}
	count, below := counts[:n+1], counts[n+1:]
	clear(count)
	bucket := func(v float64) int {
		return min(int((v-lo)*scale), n-1)
	}
	for _, v := range a {
		count[bucket(v)+1]++
	}
	for b := 1; b <= n; b++ {
		count[b] += count[b-1]
	}
	tmp := s.tmp[:n]
	if idx == nil {
		for _, v := range a {
			b := bucket(v)
			tmp[count[b]] = v
			count[b]++
		}
	} else {
		tmpI := s.tmpI[:n]
		for i, v := range a {
			b := bucket(v)
			tmp[count[b]], tmpI[count[b]] = v, idx[i]
			count[b]++
		}
		copy(idx, tmpI)
	}
	copy(a, tmp)
	// count[b] is now where bucket b ends.
	start := 0
	for b := 0; b < n; b++ {
		end := count[b]
		if end-start > 1 {
			var sub []int32
			if idx != nil {
				sub = idx[start:end]
			}
			s.spread(a[start:end], sub, depth+1, below)
		}
		start = end
	}
}

// pairs sorts values with their indices (sort.Interface).
type pairs struct {
	v   []float64
	idx []int32
}

func (p pairs) Len() int           { return len(p.v) }
func (p pairs) Less(i, j int) bool { return p.v[i] < p.v[j] || (p.v[i] != p.v[i] && p.v[j] == p.v[j]) }
func (p pairs) Swap(i, j int) {
	p.v[i], p.v[j] = p.v[j], p.v[i]
	p.idx[i], p.idx[j] = p.idx[j], p.idx[i]
}

// insertionSortWith sorts a by insertion, moving idx (if not nil) with it.
func insertionSortWith(a []float64, idx []int32) {
	if idx == nil {
		insertionSort(a)
		return
	}
	for i := 1; i < len(a); i++ {
		v, x := a[i], idx[i]
		j := i
		for ; j > 0 && a[j-1] > v; j-- {
			a[j], idx[j] = a[j-1], idx[j-1]
		}
		a[j], idx[j] = v, x
	}
}

func insertionSort(a []float64) {
	for i := 1; i < len(a); i++ {
		v := a[i]
		j := i
		for ; j > 0 && a[j-1] > v; j-- {
			a[j] = a[j-1]
		}
		a[j] = v
	}
}

// selectFrom returns the k-th smallest (0-based) of the non-negative
// values d, which agree in every bit above shift+12, and leaves d as it
// is. Non-negative float64s order as their bit patterns do, so it is a
// radix selection, 12 bits at a time from the top: count each
// candidate's digit, keep the bucket that holds the k-th, and repeat on
// it; what is left at the end, or a few dozen values, is sorted.
func selectFrom(d []float64, k, shift int) float64 {
	if k < 0 || k >= len(d) {
		panic("metrics: selectFrom: k out of range")
	}
	var count [1 << 12]int
	cand := d
	var bufs [2][]float64
	for pass := 0; ; shift, pass = max(shift-12, 0), pass+1 {
		if len(cand) <= 64 {
			small := slices.Clone(cand)
			slices.Sort(small)
			return small[k]
		}
		clear(count[:])
		for _, v := range cand {
			count[(math.Float64bits(v)>>shift)&0xfff]++
		}
		b := 0
		for k >= count[b] {
			k -= count[b]
			b++
		}
		if shift == 0 {
			// Every bit is now decided: the bucket holds equal values.
			for _, v := range cand {
				if (math.Float64bits(v) & 0xfff) == uint64(b) {
					return v
				}
			}
		}
		if count[b] == len(cand) {
			continue // one bucket: the next digit splits them
		}
		// Gather the bucket without a branch per value: every value is
		// written, and the write position moves on only for a match
		// (a conditional move), since a mispredicted branch per value
		// cost more than everything else here.
		next := bufs[pass%2]
		if cap(next) < count[b]+1 {
			next = make([]float64, count[b]+1)
		}
		next = next[:count[b]+1]
		j, want := 0, uint64(b)
		for _, v := range cand {
			next[j] = v
			if (math.Float64bits(v)>>shift)&0xfff == want {
				j++
			}
		}
		next = next[:j]
		bufs[pass%2] = next
		cand = next
	}
}
