package simd

import (
	"math"
	"testing"
)

// TestRelu checks hand values on lengths that exercise the 8-wide kernel
// and the scalar tail, in both orders of placement.
func TestRelu(t *testing.T) {
	nan := float32(math.NaN())
	in := []float32{-2, -0.5, 0, 0.5, 3, nan, -1e-30, 1e-30, -7, 7, float32(math.Inf(-1)), float32(math.Inf(1)), 2, -2, 4, -4, 1, -1, 9}
	// By hand: max(0, x), NaN kept.
	want := []float32{0, 0, 0, 0.5, 3, nan, 0, 1e-30, 0, 7, 0, float32(math.Inf(1)), 2, 0, 4, 0, 1, 0, 9}
	// Gradient from the output y = relu(x): g where y > 0.
	g := make([]float32, len(in))
	for i := range g {
		g[i] = float32(i + 1)
	}
	wantGrad := []float32{0, 0, 0, 4, 5, 0, 0, 8, 0, 10, 0, 12, 13, 0, 15, 0, 17, 0, 19}
	for _, n := range []int{0, 3, 8, 16, len(in)} {
		got := make([]float32, n)
		Relu(got, in[:n])
		for i := range got {
			if !same(got[i], want[i]) {
				t.Fatalf("n=%d: relu(%v) = %v, want %v", n, in[i], got[i], want[i])
			}
		}
		gotGrad := make([]float32, n)
		ReluGrad(gotGrad, want[:n], g[:n])
		for i := range gotGrad {
			if gotGrad[i] != wantGrad[i] {
				t.Fatalf("n=%d: grad at y=%v = %v, want %v", n, want[i], gotGrad[i], wantGrad[i])
			}
		}
	}
}

func same(a, b float32) bool { return a == b || (a != a && b != b) }
