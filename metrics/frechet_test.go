package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestFrechetClosedForms: between Gaussians with commuting covariances the
// trace term is Σ (√a_i − √b_i)², so
//   - equal Gaussians are 0 apart;
//   - diag(4, 9) and diag(1, 1), means 1 apart on one axis: 1 + (2−1)² +
//     (3−1)² = 6;
//   - a rotation of both leaves the distance alone;
//   - in 1-D, (μ₁ − μ₂)² + (σ₁ − σ₂)².
func TestFrechetClosedForms(t *testing.T) {
	sym := func(v ...float64) *mat.SymDense { return mat.NewSymDense(2, v) }
	tests := []struct {
		name   string
		mx, my []float64
		cx, cy *mat.SymDense
		want   float64
	}{
		{"equal", []float64{1, 2}, []float64{1, 2}, sym(2, 0.5, 0.5, 1), sym(2, 0.5, 0.5, 1), 0},
		{"diagonal", []float64{1, 0}, []float64{0, 0}, sym(4, 0, 0, 9), sym(1, 0, 0, 1), 6},
		// diag(4, 9) and diag(1, 1) rotated by 30°: R·D·Rᵀ.
		{"rotated", []float64{0, 1}, []float64{0, 0}, rotated(4, 9), rotated(1, 1), 6},
	}
	for _, tt := range tests {
		if got := FrechetMoments(tt.mx, tt.cx, tt.my, tt.cy); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	one := func(v float64) *mat.SymDense { return mat.NewSymDense(1, []float64{v}) }
	if got := FrechetMoments([]float64{3}, one(4), []float64{1}, one(1)); math.Abs(got-(4+1)) > 1e-12 {
		t.Errorf("1-D: got %v, want 5", got)
	}
}

func rotated(a, b float64) *mat.SymDense {
	c, s := math.Cos(math.Pi/6), math.Sin(math.Pi/6)
	r := mat.NewDense(2, 2, []float64{c, -s, s, c})
	var m mat.Dense
	m.Mul(r, mat.NewDiagDense(2, []float64{a, b}))
	m.Mul(&m, r.T())
	return mat.NewSymDense(2, []float64{m.At(0, 0), m.At(0, 1), m.At(1, 0), m.At(1, 1)})
}

// TestFrechetOfSamples: two large samples of the same Gaussian are close;
// of N(0, I) and N(μ, 4I) in 3-D, about ‖μ‖² + 3·(2−1)².
func TestFrechetOfSamples(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	draw := func(n int, mu []float64, sd float64) []float64 {
		x := make([]float64, n*3)
		for i := range x {
			x[i] = mu[i%3] + sd*r.NormFloat64()
		}
		return x
	}
	zero := []float64{0, 0, 0}
	if d := Frechet(draw(20000, zero, 1), draw(20000, zero, 1), 3); d > 0.01 {
		t.Errorf("same Gaussian: %v", d)
	}
	mu := []float64{1, 2, 0}
	if d := Frechet(draw(20000, zero, 1), draw(20000, mu, 2), 3); math.Abs(d-8) > 0.2 {
		t.Errorf("N(0, I) and N((1,2,0), 4I): %v, want about 8", d)
	}
}

// TestEigenvaluesOfATinyBlock: a symmetric matrix whose tridiagonal form
// splits off a 2×2 block of norm 1e-130 (below gonum's Dsterf rescaling
// threshold of about 1e-122), the shape that crashed Dsterf on generated
// images' features. By hand: diag(1, [[a, b], [b, a]]) has eigenvalues 1
// and a ± b.
func TestEigenvaluesOfATinyBlock(t *testing.T) {
	const a, b = 2e-130, 1e-130
	m := mat.NewSymDense(3, []float64{1, 0, 0, 0, a, b, 0, b, a})
	got, ok := eigenvalues(m)
	if !ok {
		t.Fatal("no factorisation")
	}
	slices.Sort(got)
	want := []float64{a - b, a + b, 1}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12*math.Abs(want[i]) {
			t.Errorf("eigenvalues %v, want %v", got, want)
		}
	}
}
