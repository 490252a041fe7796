//go:build amd64 && !purego

package simd

import "golang.org/x/sys/cpu"

// Available reports whether this CPU runs the AVX2/FMA kernel; without
// it, callers keep gonum's matrix multiply.
var Available = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// HasAVX512 reports whether this CPU runs the AVX-512 kernel.
var HasAVX512 = Available && cpu.X86.HasAVX512F

// Kernel is the micro-kernel Gemm uses: the widest this CPU runs.
var Kernel = defaultKernel()

func defaultKernel() string {
	switch {
	case HasAVX512:
		return KernelAVX512
	case Available:
		return KernelAVX2
	}
	return ""
}

// kern12x32 adds the product of a 12×k block of A (element (i, p) at
// a[i*rs+p*cs]) and a packed k×32 panel of B (element (p, j) at
// b[p*32+j]) to the 12×32 block of C at c (row stride ldc), all strides
// in elements; with acc 0 it overwrites the block instead.
//
//go:noescape
func kern12x32(k int, a *float32, rs, cs int, b, c *float32, ldc int, acc int)

// kern6x16 adds the product of a 6×k block of A (element (i, p) at
// a[i*rs+p*cs]) and a k×16 block of B (row p at b[p*bs]) to the 6×16
// block of C at c (row stride ldc), all strides in elements; with acc 0 it
// overwrites the block instead.
//
//go:noescape
func kern6x16(k int, a *float32, rs, cs int, b *float32, bs int, c *float32, ldc int, acc int)

// relu8 sets dst = max(0, x) for n, a multiple of 8, values.
//
//go:noescape
func relu8(dst, x *float32, n int)

// reluGrad8 sets dst = gr where y > 0 and 0 elsewhere, for n, a multiple
// of 8, values.
//
//go:noescape
func reluGrad8(dst, y, gr *float32, n int)

// adam8 is Adam's update on n, a multiple of 8, parameters.
//
//go:noescape
func adam8(w, gr, m, v *float32, n int, k *AdamConsts)

// add8 sets dst += x for n, a multiple of 8, values.
//
//go:noescape
func add8(dst, x *float32, n int)

// copyRows copies rows rows of w (16 or 32) floats, row r from
// src[r*ld:], to dst one after another.
//
//go:noescape
func copyRows(dst, src *float32, ld, rows, w int)
