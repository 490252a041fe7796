//go:build !amd64 || purego

package vec

const hasAVX512 = false

func within2AVX512(x, y, r2 float64, xs, ys *float64, n int, d2 *float64, idx *int32) int {
	panic("vec: no AVX-512 here")
}

func triangleAVX512(values *float64, stride int, rev1, pow2 *float64, p int) {
	panic("vec: no AVX-512 here")
}

func leafKthAVX512(xs, ys *float64, n, k int, kth *float64) {
	panic("vec: no AVX-512 here")
}
