//go:build !amd64 || purego

package simd

// Available is false where there is no assembly kernel.
var Available = false

// HasAVX512 is false where there is no assembly kernel.
var HasAVX512 = false

// Kernel is empty where there is no assembly kernel.
var Kernel = ""

func kern12x32(k int, a *float32, rs, cs int, b, c *float32, ldc int, acc int) {
	panic("sgemm: no kernel on this architecture")
}

func kern6x16(k int, a *float32, rs, cs int, b *float32, bs int, c *float32, ldc int, acc int) {
	panic("sgemm: no kernel on this architecture")
}

func relu8(dst, x *float32, n int) { panic("simd: no kernel on this architecture") }

func reluGrad8(dst, y, gr *float32, n int) { panic("simd: no kernel on this architecture") }

func adam8(w, gr, m, v *float32, n int, k *AdamConsts) { panic("simd: no kernel on this architecture") }

func add8(dst, x *float32, n int) { panic("simd: no kernel on this architecture") }

func copyRows(dst, src *float32, ld, rows, w int) { panic("simd: no kernel on this architecture") }
