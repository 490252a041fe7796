package gan

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestOptimizers(t *testing.T) {
	// Two parameters, both starting at 1, two steps each. Expected values
	// worked by hand from the formulas in optim.go (ε ignored: 1e-8).
	tests := []struct {
		name  string
		opt   optimizer
		grads [][2]float32 // per step: gradient of param 0 and param 1
		want  [2]float64
	}{
		{
			// lr 0.1: w ← w − 0.1·g twice. p0: 1 − 0.2 + 0.1 = 0.9;
			// p1: 1 − 0.1 − 0.1 = 0.8.
			name: "sgd", opt: sgd{lr: 0.1},
			grads: [][2]float32{{2, 1}, {-1, 1}}, want: [2]float64{0.9, 0.8},
		},
		{
			// lr 0.1, β1 0.5, β2 0.9. p0, g = 2 then −1:
			// t=1: m = 1, v = 0.4, step = (0.1/0.5)·1/(√0.4/√0.1) = 0.1 → 0.9;
			// t=2: m = 0.5 − 0.5 = 0 → no move, 0.9.
			// p1, constant g = 1: m̂ = v̂ = 1 each step, so it moves 0.1 per
			// step → 0.8.
			name: "adam", opt: &adam{lr: 0.1, beta1: 0.5, beta2: 0.9, eps: 1e-8},
			grads: [][2]float32{{2, 1}, {-1, 1}}, want: [2]float64{0.9, 0.8},
		},
		{
			// lr 0.1, ρ 0.9. p0: v = 0.4, w = 1 − 0.2/√0.4 = 0.683772;
			// v = 0.36 + 0.1 = 0.46, w = 0.683772 + 0.1/√0.46 = 0.831214.
			// p1: v = 0.1, w = 1 − 0.1/√0.1 = 0.683772;
			// v = 0.19, w = 0.683772 − 0.1/√0.19 = 0.454357.
			name: "rmsprop", opt: &rmsprop{lr: 0.1, rho: 0.9, eps: 1e-8},
			grads: [][2]float32{{2, 1}, {-1, 1}}, want: [2]float64{0.8312142, 0.4543565},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := [][]float32{{1}, {1}}
			for _, g := range tt.grads {
				tt.opt.step(params, [][]float32{{g[0]}, {g[1]}})
			}
			for i, want := range tt.want {
				if got := float64(params[i][0]); math.Abs(got-want) > 1e-6 {
					t.Errorf("param %d: got %.7f, want %.7f", i, got, want)
				}
			}
		})
	}
}

func TestClamp(t *testing.T) {
	got := [][]float32{{-0.5, 0.005, 0.02}, {0.01, -0.01}}
	clamp(got, 0.01)
	want := [][]float32{{-0.01, 0.005, 0.01}, {0.01, -0.01}}
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Errorf("[%d][%d]: got %v, want %v", i, j, got[i][j], want[i][j])
			}
		}
	}
}

// TestSqNorm: the squared norm of several gradients against hand-worked
// values ([3, 4] and [12] give 9 + 16 + 144 = 169) and, on random values
// of mixed sizes (every remainder of the eight-way split), against one
// running sum: the squares are exact in float64, so the two differ only
// by the order of the additions, a few ulps.
func TestSqNorm(t *testing.T) {
	if got := sqNorm([][]float32{{3, 4}, {12}}); got != 169 {
		t.Errorf("hand-worked: got %v, want 169", got)
	}
	r := rand.New(rand.NewPCG(4, 2))
	var grads [][]float32
	for n := 0; n <= 17; n++ {
		g := make([]float32, n*37)
		for i := range g {
			g[i] = float32(r.NormFloat64())
		}
		grads = append(grads, g)
	}
	want := 0.0
	for _, g := range grads {
		for _, x := range g {
			want += float64(x) * float64(x)
		}
	}
	if got := sqNorm(grads); math.Abs(got-want) > 1e-13*want {
		t.Errorf("got %v, want %v", got, want)
	}
}
