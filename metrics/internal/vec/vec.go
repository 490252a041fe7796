// Package vec holds the inner loops of the metrics' hottest paths, with
// AVX-512 versions where the CPU has it and the same loops in Go
// elsewhere. Both give the same bits: every product and sum is rounded
// separately, as the Go loops write them (their float64 conversions stop
// the compiler from fusing a multiply and an add, which it does when
// GOAMD64 is v3 or above).
package vec

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

// Triangle adds one point's terms to 2-D Taylor moments up to degree p:
// for each degree n = 0…p, values[row n][b] += rev1[p−n+b] · pow2[b] for
// b = 0…n, the rows stored one after another (row n starts at
// n(n+1)/2). values needs (p+1)(p+2)/2 entries, rev1 and pow2 p+1.
func Triangle(values, rev1, pow2 []float64, p int) {
	if len(values) < (p+1)*(p+2)/2 || len(rev1) < p+1 || len(pow2) < p+1 {
		panic("vec: Triangle's slices are too short for degree p")
	}
	if HasAVX512 {
		triangleAVX512(&values[0], &rev1[0], &pow2[0], p)
		return
	}
	triangleGo(values, rev1, pow2, p)
}

func triangleGo(values, rev1, pow2 []float64, p int) {
	off := 0
	for n := 0; n <= p; n++ {
		dst, a, b := values[off:off+n+1], rev1[p-n:p+1], pow2[:n+1]
		for i := range dst {
			dst[i] += float64(a[i] * b[i])
		}
		off += n + 1
	}
}
