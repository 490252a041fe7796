package metrics

import (
	"math"
	"slices"
	"sort"
)

// sorter sorts float64s by a key that places each value on a fine grid
// between the minimum and the maximum, with two passes of a radix sort
// over the key, reusing its buffers across calls. Sliced Wasserstein
// sorts 16 projections of 2,500 points at every evaluation, and the k-d
// tree sorts its points by x and by y: slices.Sort's comparisons took
// 2.9 ms for the first. A distribution sort with one bucket per value
// spent most of its time sorting the buckets by insertion, because GAN
// samples crowd into a few modes; the radix passes do not care how the
// values are spread.
type sorter struct {
	tmp       []float64
	tmpI      []int32
	key, tmpK []uint32
	count     [2][1 << radixBits]int32
}

// radixBits is the width of a radix pass: two passes give the key
// 2×11 bits, four million steps between the minimum and the maximum,
// with histograms that stay in the L1 cache.
const radixBits = 11

// sort sorts a ascending: the same values as slices.Sort (−0 and +0 are
// equal to both, in whatever order they come).
func (s *sorter) sort(a []float64) { s.sortWith(a, nil) }

// sortWith sorts a ascending and moves idx (when not nil, as long as a)
// with it: the order of a's values, for the k-d tree's build. The sort is
// stable: equal values keep their order.
//
// A value's key is ⌊(v − min)·2²²/(max − min)⌋, which never decreases as
// v grows (each floating-point step keeps the order), so key order is
// value order up to equal keys. The two passes sort by the key's low
// and high halves, each pass stable; what is left is runs of equal keys,
// values within a four-millionth of the range of each other, which are
// sorted in place. Data with NaNs or infinities goes to a comparison
// sort.
func (s *sorter) sortWith(a []float64, idx []int32) {
	n := len(a)
	if n <= 32 {
		insertionSortWith(a, idx)
		return
	}
	lo, hi := a[0], a[0]
	nan := false
	for _, v := range a {
		// Comparisons, not min and max, which order NaNs and signed
		// zeros and cost a quarter of the sort.
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
	const top = 1<<(2*radixBits) - 1
	scale := float64(top+1) / (hi - lo)
	if nan || math.IsInf(scale, 0) || scale == 0 || math.IsNaN(scale) {
		if idx == nil {
			slices.Sort(a)
			return
		}
		sort.Stable(pairs{a, idx})
		return
	}
	if len(s.tmp) < n {
		s.tmp, s.tmpI = make([]float64, n), make([]int32, n)
		s.key, s.tmpK = make([]uint32, n), make([]uint32, n)
	}
	key, tmpK, tmp := s.key[:n], s.tmpK[:n], s.tmp[:n]
	lowC, highC := &s.count[0], &s.count[1]
	clear(lowC[:])
	clear(highC[:])
	const mask = 1<<radixBits - 1
	for i, v := range a {
		f := (v - lo) * scale
		if f > top {
			f = top // hi's own key can round up to 2²²
		}
		k := uint32(f)
		key[i] = k
		lowC[k&mask]++
		highC[k>>radixBits]++
	}
	startsOf(lowC)
	startsOf(highC)
	// Low half: a, key, idx → tmp, tmpK, tmpI.
	var tmpI []int32
	if idx != nil {
		tmpI = s.tmpI[:n]
	}
	for i, k := range key {
		p := lowC[k&mask]
		lowC[k&mask]++
		tmp[p], tmpK[p] = a[i], k
		if idx != nil {
			tmpI[p] = idx[i]
		}
	}
	// High half: back into a, key, idx.
	for i, k := range tmpK {
		p := highC[k>>radixBits]
		highC[k>>radixBits]++
		a[p], key[p] = tmp[i], k
		if idx != nil {
			idx[p] = tmpI[i]
		}
	}
	// Runs of equal keys.
	for i := 0; i < n; {
		j := i + 1
		for j < n && key[j] == key[i] {
			j++
		}
		if j-i > 1 {
			var sub []int32
			if idx != nil {
				sub = idx[i:j]
			}
			switch {
			case j-i <= 32:
				insertionSortWith(a[i:j], sub)
			case idx == nil:
				slices.Sort(a[i:j])
			default:
				sort.Stable(pairs{a[i:j], sub})
			}
		}
		i = j
	}
}

// startsOf turns bucket counts into the buckets' first positions.
func startsOf(count *[1 << radixBits]int32) {
	var sum int32
	for b, c := range count {
		count[b] = sum
		sum += c
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
