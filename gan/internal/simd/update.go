package simd

import "math"

// AdamConsts are the constants of one Adam step, as float32: β1 and 1−β1,
// β2 and 1−β2, the step size lr/(1−β1ᵗ), 1/√(1−β2ᵗ) and ε.
type AdamConsts struct {
	B1, OneMinusB1, B2, OneMinusB2, StepSize, InvSqrtC2, Eps float32
}

// Adam updates w, m and v in place from the gradient g, elementwise:
//
//	m ← β1·m + (1−β1)·g
//	v ← β2·v + ((1−β2)·g)·g
//	w ← w − (stepSize·m) / (√v·invSqrtC2 + ε)
//
// each product, sum, square root and quotient rounded to float32 in that
// order (no fused multiply-add), so the vector path and the scalar loop
// give the same bits. The slices have the same length.
func Adam(w, g, m, v []float32, k *AdamConsts) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	n := 0
	if Available {
		n = len(w) &^ 7
		if n > 0 {
			adam8(&w[0], &g[0], &m[0], &v[0], n, k)
		}
	}
	for j := n; j < len(w); j++ {
		m[j] = k.B1*m[j] + k.OneMinusB1*g[j]
		v[j] = k.B2*v[j] + k.OneMinusB2*g[j]*g[j]
		w[j] -= k.StepSize * m[j] / (sqrt32(v[j])*k.InvSqrtC2 + k.Eps)
	}
}

// AddTo sets dst += x elementwise; the slices have the same length.
func AddTo(dst, x []float32) {
	x = x[:len(dst)]
	n := 0
	if Available {
		n = len(dst) &^ 7
		if n > 0 {
			add8(&dst[0], &x[0], n)
		}
	}
	for j := n; j < len(dst); j++ {
		dst[j] += x[j]
	}
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
