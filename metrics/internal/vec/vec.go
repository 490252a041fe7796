// Package vec holds the inner loops of the metrics' hottest paths, with
// AVX-512 versions where the CPU has it and the same loops in Go
// elsewhere. Both give the same bits: every product and sum is rounded
// separately, as the Go loops write them (their float64 conversions stop
// the compiler from fusing a multiply and an add, which it does when
// GOAMD64 is v3 or above).
package vec

import "math"

// HasAVX512 says the AVX-512 loops run; tests turn it off to compare the
// Go loops with them.
var HasAVX512 = hasAVX512

// Within2 writes, for each 2-D point j of (xs[j], ys[j]) within squared
// distance r2 of (x, y), its squared distance (x−xs[j])² + (y−ys[j])² to
// d2 and j to idx, in the order of j, and returns how many it wrote. d2
// and idx need room for len(xs) values.
func Within2(x, y, r2 float64, xs, ys, d2 []float64, idx []int32) int {
	n := len(xs)
	if len(ys) < n || len(d2) < n || len(idx) < n {
		panic("vec: Within2 needs ys, d2 and idx as long as xs")
	}
	if n == 0 {
		return 0
	}
	if HasAVX512 {
		return within2AVX512(x, y, r2, &xs[0], &ys[0], n, &d2[0], &idx[0])
	}
	return within2Go(x, y, r2, xs, ys[:n], d2, idx)
}

func within2Go(x, y, r2 float64, xs, ys, d2 []float64, idx []int32) int {
	c := 0
	for j, a := range xs {
		dx, dy := x-a, y-ys[j]
		if d := float64(dx*dx) + float64(dy*dy); d <= r2 {
			d2[c], idx[c] = d, int32(j)
			c++
		}
	}
	return c
}

// Pad is how far past the last power Triangle may read rev1 and pow2.
const Pad = 7

// TriangleStride is the spacing of Triangle's rows for degree p: p+1
// rounded up to a multiple of 8, so that every row starts a vector and
// none needs a masked tail, whose stores the next row's loads would wait
// for.
func TriangleStride(p int) int { return (p + 8) &^ 7 }

// Triangle adds one point's terms to 2-D Taylor moments up to degree p:
// for each degree n = 0…p, values[n·stride + b] += rev1[p−n+b] · pow2[b]
// for b = 0…n. The rest of each row is scratch: it gets whatever the
// padding of rev1 and pow2 (Pad values each past index p) makes of it.
// stride is TriangleStride(p); values needs (p+1)·stride entries.
func Triangle(values []float64, stride int, rev1, pow2 []float64, p int) {
	if stride != TriangleStride(p) || len(values) < (p+1)*stride || len(rev1) < p+1+Pad || len(pow2) < p+1+Pad {
		panic("vec: Triangle's slices do not fit degree p")
	}
	if HasAVX512 {
		triangleAVX512(&values[0], stride, &rev1[0], &pow2[0], p)
		return
	}
	triangleGo(values, stride, rev1, pow2, p)
}

func triangleGo(values []float64, stride int, rev1, pow2 []float64, p int) {
	for n := 0; n <= p; n++ {
		dst, a, b := values[n*stride:n*stride+n+1], rev1[p-n:p+1], pow2[:n+1]
		for i := range dst {
			dst[i] += float64(a[i] * b[i])
		}
	}
}

// MaxLeafK is the largest k LeafKth takes.
const MaxLeafK = 8

// LeafKth writes to kth[i], for each 2-D point i of (xs, ys), the k-th
// smallest squared distance from it to the other points, or +Inf where
// there are fewer than k others (1 ≤ k ≤ MaxLeafK). It is the start of
// each k-NN search of a k-d tree leaf: the AVX-512 loop takes eight
// points at once, one per lane, and keeps each lane's k smallest with a
// network of min and max. kth needs room for len(xs) values.
func LeafKth(xs, ys []float64, k int, kth []float64) {
	n := len(xs)
	if k < 1 || k > MaxLeafK || len(ys) < n || len(kth) < n {
		panic("vec: LeafKth needs 1 ≤ k ≤ MaxLeafK and ys, kth as long as xs")
	}
	if n == 0 {
		return
	}
	if HasAVX512 {
		leafKthAVX512(&xs[0], &ys[0], n, k, &kth[0])
		return
	}
	leafKthGo(xs, ys[:n], k, kth)
}

func leafKthGo(xs, ys []float64, k int, kth []float64) {
	var best [MaxLeafK]float64
	for i := range xs {
		b := best[:k]
		for j := range b {
			b[j] = math.Inf(1)
		}
		for j := range xs {
			if j == i {
				continue
			}
			dx, dy := xs[i]-xs[j], ys[i]-ys[j]
			v := float64(dx*dx) + float64(dy*dy)
			for l := k - 1; l > 0; l-- {
				b[l] = min(b[l], max(b[l-1], v))
			}
			b[0] = min(b[0], v)
		}
		kth[i] = b[k-1]
	}
}
