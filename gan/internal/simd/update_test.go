package simd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAdamMatchesScalar: the vector update gives exactly the bits of the
// scalar formula (each operation rounded to float32 in order), on lengths
// with and without a tail, over a few steps.
func TestAdamMatchesScalar(t *testing.T) {
	if !Available {
		t.Skip("no AVX2 on this CPU: the scalar loop is all there is")
	}
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 7, 8, 9, 64, 100} {
		w, g := randSlice(r, n), randSlice(r, n)
		m, v := make([]float32, n), make([]float32, n)
		w2, m2, v2 := append([]float32(nil), w...), make([]float32, n), make([]float32, n)
		for step := 1; step <= 3; step++ {
			// torch.optim.Adam's constants at step t (lr 1e-3, β 0.5, 0.999).
			c1, c2 := 1-math.Pow(0.5, float64(step)), 1-math.Pow(0.999, float64(step))
			k := &AdamConsts{B1: 0.5, OneMinusB1: 0.5, B2: 0.999, OneMinusB2: 1 - 0.999,
				StepSize: float32(1e-3 / c1), InvSqrtC2: float32(1 / math.Sqrt(c2)), Eps: 1e-8}
			Adam(w, g, m, v, k)
			for j := range w2 {
				m2[j] = k.B1*m2[j] + k.OneMinusB1*g[j]
				v2[j] = k.B2*v2[j] + k.OneMinusB2*g[j]*g[j]
				w2[j] -= k.StepSize * m2[j] / (float32(math.Sqrt(float64(v2[j])))*k.InvSqrtC2 + k.Eps)
			}
			for j := range w {
				if math.Float32bits(w[j]) != math.Float32bits(w2[j]) || m[j] != m2[j] || v[j] != v2[j] {
					t.Fatalf("n %d step %d j %d: w %v m %v v %v, scalar %v %v %v", n, step, j, w[j], m[j], v[j], w2[j], m2[j], v2[j])
				}
			}
		}
	}
}

func TestAddTo(t *testing.T) {
	for _, n := range []int{0, 3, 8, 13} {
		dst, x := make([]float32, n), make([]float32, n)
		for i := range dst {
			dst[i], x[i] = float32(i), float32(10*i)+0.5
		}
		AddTo(dst, x)
		for i := range dst {
			if want := float32(11*i) + 0.5; dst[i] != want {
				t.Errorf("n %d: dst[%d] = %v, want %v", n, i, dst[i], want)
			}
		}
	}
}
