//go:build amd64 && !purego

package vec

import "golang.org/x/sys/cpu"

var hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasPOPCNT

//go:noescape
func within2AVX512(x, y, r2 float64, xs, ys *float64, n int, d2 *float64, idx *int32) int

//go:noescape
func triangleAVX512(values *float64, stride int, rev1, pow2 *float64, p int)

//go:noescape
func leafKthAVX512(xs, ys *float64, n, k int, kth *float64)
