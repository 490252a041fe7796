package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestKNNRadii(t *testing.T) {
	// 1-D points 0, 1, 3, 7. Distances from 0: 1, 3, 7; from 1: 1, 2, 6;
	// from 3: 2, 3, 4; from 7: 4, 6, 7. By hand:
	x := []float64{0, 1, 3, 7}
	tests := []struct {
		k    int
		want []float64
	}{
		{1, []float64{1, 1, 2, 4}},
		{2, []float64{3, 2, 3, 6}},
		{3, []float64{7, 6, 4, 7}},
	}
	for _, tt := range tests {
		if got := KNNRadii(x, 1, tt.k); !slices.Equal(got, tt.want) {
			t.Errorf("k=%d: got %v, want %v", tt.k, got, tt.want)
		}
	}
}

func TestPrecisionRecall(t *testing.T) {
	// Real {0, 1, 2, 3} with k = 1: every radius is 1, so manifold(real) =
	// [−1, 4]. Fake {0.5, 5}: 0.5 inside, 5 outside → precision ½. Fake
	// radii (k = 1) are both 4.5, so manifold(fake) = [−4, 9.5] holds all
	// of real → recall 1.
	real := []float64{0, 1, 2, 3}
	fake := []float64{0.5, 5}
	f := NewFidelity(real, fake, 1, KNNRadii(real, 1, 1), KNNRadii(fake, 1, 1), KNNRadii(real, 1, 1), 1)
	if f.Precision != 0.5 || f.Recall != 1 {
		t.Errorf("got precision %v recall %v, want 0.5 and 1", f.Precision, f.Recall)
	}
	// Collapse: every fake on the real point 0, which is its own ball;
	// manifold(fake) has radius 0, so recall counts only the real 0: ¼.
	collapsed := []float64{0, 0, 0}
	f = NewFidelity(real, collapsed, 1, KNNRadii(real, 1, 1), KNNRadii(collapsed, 1, 1), KNNRadii(real, 1, 1), 1)
	if f.Precision != 1 || f.Recall != 0.25 {
		t.Errorf("collapsed: got precision %v recall %v, want 1 and 0.25", f.Precision, f.Recall)
	}
}

func TestDensityCoverage(t *testing.T) {
	// Real {0, 1, 2, 3}, k = 1, balls of radius 1: [−1,1], [0,2], [1,3], [2,4].
	// Fake {1, 1.5, 10}: 1 is in balls 0, 1, 2 (3 hits); 1.5 in 1, 2 (2);
	// 10 in none. density = 5/(1·3); balls 0, 1, 2 covered, 3 not:
	// coverage = 3/4.
	real := []float64{0, 1, 2, 3}
	fake := []float64{1, 1.5, 10}
	f := NewFidelity(real, fake, 1, KNNRadii(real, 1, 1), KNNRadii(fake, 1, 1), KNNRadii(real, 1, 1), 1)
	if d, c := f.Density, f.Coverage; math.Abs(d-5.0/3) > 1e-12 || c != 0.75 {
		t.Errorf("got density %v coverage %v, want 5/3 and 3/4", f.Density, f.Coverage)
	}
}

func TestDensityCoverageExpectations(t *testing.T) {
	// Naeem et al. 2020, §3.2: for fake and real from the same distribution,
	// E[density] = 1 and E[coverage] = 1 − Π_{l=1..k} (N−l)/(N+M−l); with
	// N = M = 2000 and k = 5 that is 0.96887 (≈ 1 − 2⁻⁵).
	r := rand.New(rand.NewPCG(5, 5))
	const n, k = 2000, 5
	real, fake := gaussian(r, n), gaussian(r, n)
	want := 1.0
	for l := 1; l <= k; l++ {
		want *= float64(n-l) / float64(2*n-l)
	}
	want = 1 - want
	fid := func() Fidelity {
		return NewFidelity(real, fake, 2, KNNRadii(real, 2, 3), KNNRadii(fake, 2, 3), KNNRadii(real, 2, k), k)
	}
	f := fid()
	d, c := f.Density, f.Coverage
	// Measured over 12 seeds: sd 0.010 for density, 0.0035 for coverage;
	// the tolerances are about three of them.
	if math.Abs(d-1) > 0.03 || math.Abs(c-want) > 0.012 {
		t.Errorf("got density %.4f coverage %.4f, want 1 ± 0.03 and %.4f ± 0.012", d, c, want)
	}
	// Half of G's mass on a copy of one real point: coverage drops. (Recall
	// barely moves: the other half, with larger k-NN balls, still spans the
	// real sample.)
	for i := 0; i < n/2; i++ {
		fake[2*i], fake[2*i+1] = real[0], real[1]
	}
	f2 := fid()
	if c2 := f2.Coverage; c2 > c-0.08 {
		t.Errorf("with half the samples collapsed: coverage %v, was %v; want it well lower", f2.Coverage, c)
	}
}

func TestSlicedWasserstein(t *testing.T) {
	// 1-D: {0, 1, 2} against {1, 2, 3}: sorted pairs differ by 1 → W₁ = 1.
	if got := SlicedWasserstein([]float64{2, 0, 1}, []float64{3, 1, 2}, 1, Directions(1, 0, nil)); got != 1 {
		t.Errorf("1-D: got %v, want 1", got)
	}
	// 2-D: a sample against itself shifted by (1, 0). Along direction θ
	// every projection moves by cos θ, so W₁ = |cos θ| exactly, and the
	// mean over evenly spread θ is 2/π = 0.6366 up to the discretisation
	// (64 angles: 0.63683).
	r := rand.New(rand.NewPCG(8, 8))
	x := gaussian(r, 1000)
	y := slices.Clone(x)
	for i := 0; i < 1000; i++ {
		y[2*i]++
	}
	got := SlicedWasserstein(x, y, 2, Directions(2, 64, nil))
	if math.Abs(got-2/math.Pi) > 1e-3 {
		t.Errorf("2-D shift: got %v, want 2/π = %.4f ± 0.001", got, 2/math.Pi)
	}
	// Two independent samples of N(0, I) and N((1, 0), I): the same limit,
	// plus the empirical W₁'s small-sample bias (about 0.03 at n = 4000).
	x, y = gaussian(r, 4000), gaussian(r, 4000)
	for i := 0; i < 4000; i++ {
		y[2*i]++
	}
	if got := SlicedWasserstein(x, y, 2, Directions(2, 64, nil)); got < 2/math.Pi || got > 2/math.Pi+0.05 {
		t.Errorf("2-D Gaussians: got %v, want in [2/π, 2/π + 0.05]", got)
	}
	// Directions in higher dimensions are unit vectors.
	dirs := Directions(5, 3, r.NormFloat64)
	for l := 0; l < 3; l++ {
		if n := math.Sqrt(sqDist(dirs[5*l:5*l+5], make([]float64, 5))); math.Abs(n-1) > 1e-12 {
			t.Errorf("direction %d has norm %v", l, n)
		}
	}
}

func TestNDB(t *testing.T) {
	// Two bins at 0 and 10, real shares ½ and ½ from N = 100 points.
	bins := Bins{Centres: []float64{0, 10}, Dim: 1, Props: []float64{0.5, 0.5}, N: 100}
	fake := func(atZero, total int) []float64 {
		f := make([]float64, total)
		for i := atZero; i < total; i++ {
			f[i] = 10
		}
		return f
	}
	// All 100 fakes at 0: p̂ = 0.75, se = √(0.75·0.25·0.02) = 0.0612,
	// z = 0.5/0.0612 = 8.2 in both bins → 2 different bins.
	if got := bins.NDB(fake(100, 100), 0.05); got != 2 {
		t.Errorf("collapsed: NDB %d, want 2", got)
	}
	// 52 of 100 at 0: p̂ = 0.51, se = 0.0707, z = 0.28 < 1.96 → 0.
	if got := bins.NDB(fake(52, 100), 0.05); got != 0 {
		t.Errorf("balanced: NDB %d, want 0", got)
	}
	// 65 of 100: p̂ = 0.575, se = 0.0699, z = 2.15 > 1.96 → both bins.
	if got := bins.NDB(fake(65, 100), 0.05); got != 2 {
		t.Errorf("skewed: NDB %d, want 2", got)
	}
}

func TestNewBins(t *testing.T) {
	// Three tight, well separated 1-D clusters of sizes 100, 200, 100:
	// k-means with k = 3 finds them.
	r := rand.New(rand.NewPCG(2, 2))
	var x []float64
	for c, size := range map[float64]int{-5: 100, 0: 200, 5: 100} {
		for i := 0; i < size; i++ {
			x = append(x, c+0.1*r.NormFloat64())
		}
	}
	bins := NewBins(x, 1, 3, r)
	got := map[int]float64{}
	for b, c := range bins.Centres {
		got[int(math.Round(c))] = bins.Props[b]
	}
	want := map[int]float64{-5: 0.25, 0: 0.5, 5: 0.25}
	for c, p := range want {
		if math.Abs(got[c]-p) > 1e-12 {
			t.Errorf("bins %v, want centres and shares %v", got, want)
			break
		}
	}
	if bins.NDB(x, 0.05) != 0 {
		t.Error("the real sample differs from its own bins")
	}
}

// plainBins is k-means++ and Lloyd's iterations as the definition
// states them, every distance to every centre recomputed at each seeding
// step, for comparison with NewBins' shortcuts.
func plainBins(real []float64, dim, k int, r *rand.Rand) []float64 {
	n := len(real) / dim
	near := func(p, c []float64) (int, float64) {
		best, bestD := 0, math.Inf(1)
		for b := 0; b*dim < len(c); b++ {
			if d := sqDist(p, c[b*dim:(b+1)*dim]); d < bestD {
				best, bestD = b, d
			}
		}
		return best, bestD
	}
	first := r.IntN(n)
	c := slices.Clone(real[first*dim : (first+1)*dim])
	d2 := make([]float64, n)
	for len(c) < k*dim {
		total := 0.0
		for i := range d2 {
			_, d2[i] = near(real[i*dim:(i+1)*dim], c)
			total += d2[i]
		}
		u, pick := r.Float64()*total, n-1
		for i, v := range d2 {
			if u -= v; u < 0 {
				pick = i
				break
			}
		}
		c = append(c, real[pick*dim:(pick+1)*dim]...)
	}
	assign := make([]int, n)
	for iter := 0; iter < 100; iter++ {
		moved := false
		for i := range assign {
			if b, _ := near(real[i*dim:(i+1)*dim], c); b != assign[i] || iter == 0 {
				assign[i], moved = b, true
			}
		}
		if !moved {
			break
		}
		sums, counts := make([]float64, k*dim), make([]int, k)
		for i, b := range assign {
			counts[b]++
			for j := 0; j < dim; j++ {
				sums[b*dim+j] += real[i*dim+j]
			}
		}
		for b := range counts {
			for j := 0; counts[b] > 0 && j < dim; j++ {
				c[b*dim+j] = sums[b*dim+j] / float64(counts[b])
			}
		}
	}
	return c
}

// TestNewBinsMatchesThePlainAlgorithm: NewBins' incremental seeding and
// 2-D loops give exactly the centres of the plain algorithm, on the ring
// in 2-D and on Gaussian data in 3-D.
func TestNewBinsMatchesThePlainAlgorithm(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	gauss := make([]float64, 3*900)
	for i := range gauss {
		gauss[i] = r.NormFloat64()
	}
	for _, c := range []struct {
		x   []float64
		dim int
	}{{ring(r, 2500), 2}, {gauss, 3}} {
		got := NewBins(c.x, c.dim, 20, rand.New(rand.NewPCG(8, 8))).Centres
		want := plainBins(c.x, c.dim, 20, rand.New(rand.NewPCG(8, 8)))
		if !slices.Equal(got, want) {
			t.Errorf("dim %d: centres differ from the plain algorithm's", c.dim)
		}
	}
}

func TestNormalQuantile(t *testing.T) {
	// Φ⁻¹(0.025) = −1.959964 (standard tables).
	if got := normalQuantile(0.025); math.Abs(got+1.959964) > 1e-6 {
		t.Errorf("got %v", got)
	}
}

// bruteKNN is KNNRadii's pair loop, for comparison with the tree.
func bruteKNN(x []float64, dim, k int) []float64 {
	n := len(x) / dim
	r := make([]float64, n)
	for i := 0; i < n; i++ {
		var d []float64
		for j := 0; j < n; j++ {
			if j != i {
				d = append(d, sqDist(x[i*dim:(i+1)*dim], x[j*dim:(j+1)*dim]))
			}
		}
		slices.Sort(d)
		r[i] = math.Sqrt(d[k-1])
	}
	return r
}

func TestTreeMatchesBruteForce(t *testing.T) {
	// The k-d tree paths must give exactly what the pair loops give: on a
	// clustered ring, uniform points, duplicates, and in 1, 2 and 5 dims.
	r := rand.New(rand.NewPCG(6, 6))
	sets := map[string]func(n, dim int) []float64{
		"gaussian": func(n, dim int) []float64 {
			x := make([]float64, n*dim)
			for i := range x {
				x[i] = r.NormFloat64()
			}
			return x
		},
		"clustered": func(n, dim int) []float64 {
			x := make([]float64, n*dim)
			for i := 0; i < n; i++ {
				c := float64(r.IntN(4)) * 3
				for j := 0; j < dim; j++ {
					x[i*dim+j] = c + 0.01*r.NormFloat64()
				}
			}
			return x
		},
		"duplicates": func(n, dim int) []float64 {
			x := make([]float64, n*dim)
			for i := range x {
				x[i] = float64(r.IntN(3))
			}
			return x
		},
	}
	for name, gen := range sets {
		for _, dim := range []int{1, 2, 5} {
			real, fake := gen(300, dim), gen(250, dim)
			if got, want := KNNRadii(real, dim, 3), bruteKNN(real, dim, 3); !slices.Equal(got, want) {
				t.Errorf("%s dim %d: KNNRadii differs from brute force", name, dim)
			}
			rPR, fPR, rDC := KNNRadii(real, dim, 3), KNNRadii(fake, dim, 3), KNNRadii(real, dim, 5)
			got := fidelityTree(real, fake, dim, rPR, fPR, rDC, 5)
			// The pair loop, forced by a dimension the tree does not take.
			want := NewFidelity(spread(real, dim), spread(fake, dim), 9*dim, rPR, fPR, rDC, 5)
			if got != want {
				t.Errorf("%s dim %d: tree %+v, pairs %+v", name, dim, got, want)
			}
		}
	}
}

// spread pads each point with zeros to 9×dim coordinates, which keeps
// distances and sends NewFidelity down its pair loop.
func spread(x []float64, dim int) []float64 {
	n := len(x) / dim
	out := make([]float64, n*9*dim)
	for i := 0; i < n; i++ {
		copy(out[i*9*dim:], x[i*dim:(i+1)*dim])
	}
	return out
}

// TestFidelityRefMatchesNewFidelity: preparing the reference once gives
// exactly NewFidelity's numbers, with trees (2-D, many points) and by brute
// force (few points, or high dimension).
func TestFidelityRefMatchesNewFidelity(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, c := range []struct{ n, m, dim int }{{2500, 2500, 2}, {400, 300, 2}, {40, 40, 2}, {300, 300, 12}} {
		real, fake := make([]float64, c.n*c.dim), make([]float64, c.m*c.dim)
		for i := range real {
			real[i] = r.NormFloat64()
		}
		for i := range fake {
			fake[i] = 0.8*r.NormFloat64() + 0.3
		}
		ref := NewFidelityRef(real, c.dim, 3, 5)
		got := ref.Fidelity(fake)
		want := NewFidelity(real, fake, c.dim, KNNRadii(real, c.dim, 3), KNNRadii(fake, c.dim, 3), KNNRadii(real, c.dim, 5), 5)
		if got != want {
			t.Errorf("%+v: ref %+v, direct %+v", c, got, want)
		}
	}
}
