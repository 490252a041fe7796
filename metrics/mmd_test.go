package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestMMD2Hand(t *testing.T) {
	// x = {0, 1}, y = {0, 2} in 1-D, σ = 1, so k(a,b) = exp(−(a−b)²/2).
	// Kxx = k(0,1) = e^−0.5; Kyy = k(0,2) = e^−2;
	// Kxy = (1 + e^−2 + e^−0.5 + e^−0.5)/4.
	kxx := math.Exp(-0.5)
	kyy := math.Exp(-2)
	kxy := (1 + math.Exp(-2) + 2*math.Exp(-0.5)) / 4
	want := kxx + kyy - 2*kxy // −0.432332, by hand
	got := MMD2([]float64{0, 1}, []float64{0, 2}, 1, 1)
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestMMD2ClosedForm(t *testing.T) {
	// For X ~ N(0, s²I_d) and Y ~ N(μ, s²I_d) with an RBF kernel of width σ,
	// E k(X,X') = c and E k(X,Y) = c·exp(−‖μ‖²/(2(σ²+2s²))) with
	// c = (σ²/(σ²+2s²))^{d/2} (Gaussian integral), so
	// MMD² = 2c(1 − exp(−‖μ‖²/(2(σ²+2s²)))).
	// d = 2, s = σ = 1, μ = (1, 0): c = 1/3, MMD² = (2/3)(1 − e^{−1/6}) = 0.102345.
	r := rand.New(rand.NewPCG(1, 1))
	const n = 2000
	x := make([]float64, 2*n)
	y := make([]float64, 2*n)
	for i := range x {
		x[i] = r.NormFloat64()
		y[i] = r.NormFloat64()
	}
	for i := 0; i < n; i++ {
		y[2*i]++
	}
	tests := []struct {
		name string
		y    []float64
		want float64
	}{
		{"Shifted", y, 2.0 / 3 * (1 - math.Exp(-1.0/6))},
		{"Same", gaussian(r, n), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MMD2(x, tt.y, 2, 1)
			// The estimator's standard deviation at n = 2000 measured 0.0065
			// over 20 seeds; 0.02 is three of them.
			if math.Abs(got-tt.want) > 0.02 {
				t.Errorf("got %v, want %v ± 0.02", got, tt.want)
			}
		})
	}
}

func gaussian(r *rand.Rand, n int) []float64 {
	x := make([]float64, 2*n)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	return x
}

func TestMedianDistance(t *testing.T) {
	tests := []struct {
		name string
		x    []float64
		max  int
		want float64
	}{
		{"Odd", []float64{0, 1, 3}, 10, 2},          // distances 1, 3, 2
		{"Even", []float64{0, 1, 3, 7}, 10, 3.5},    // 1, 3, 7, 2, 6, 4
		{"Capped", []float64{0, 1, 3, 7}, 3, 2},     // only 0, 1, 3
		{"TwoD", []float64{0, 0, 3, 4, 0, 4}, 3, 4}, // 5, 4, 3
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dim := 1
			if tt.name == "TwoD" {
				dim = 2
			}
			if got := MedianDistance(tt.x, dim, tt.max); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSelectFrom(t *testing.T) {
	// Against sorting, on shapes that take each path: few values (sorted
	// directly), many distinct ones (several radix passes), many equal
	// ones (every digit, down to the last), and zeros.
	r := rand.New(rand.NewPCG(3, 3))
	for _, n := range []int{1, 2, 3, 10, 101, 1000, 20000, 4096} {
		for _, shape := range []string{"random", "ints", "sorted", "equal", "zeros", "clustered"} {
			d := make([]float64, n)
			for i := range d {
				switch shape {
				case "random":
					d[i] = r.ExpFloat64() * math.Pow(10, float64(r.IntN(10)-5))
				case "ints":
					d[i] = float64(r.IntN(50))
				case "sorted":
					d[i] = float64(i)
				case "equal":
					d[i] = 7
				case "zeros":
					d[i] = float64(r.IntN(2)) * 1e-300
				case "clustered":
					d[i] = 4 + 1e-12*float64(r.IntN(100))
				}
			}
			orig := slices.Clone(d)
			sorted := slices.Clone(d)
			slices.Sort(sorted)
			for _, k := range []int{0, n / 2, n - 1} {
				if got, want := selectFrom(d, k, 52), sorted[k]; got != want {
					t.Errorf("n=%d %s k=%d: got %v, want %v", n, shape, k, got, want)
				}
			}
			if !slices.Equal(d, orig) {
				t.Errorf("n=%d %s: the input changed", n, shape)
			}
		}
	}
}

// TestMedianDistanceMatchesSorting: the selection gives the median of
// the sorted pair distances exactly, for odd and even pair counts, on
// the ring (many equal exponents), on points with duplicates (zero
// distances, where the two middle values straddle buckets), and in 3-D;
// by the two passes over top bits (few points, or a bracket that misses
// because the first points are unlike the rest) and by the bracket.
func TestMedianDistanceMatchesSorting(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	unlike := ring(r, 1000)
	for i := range 2 * bracketPoints {
		unlike[i] = 0.001 * float64(i) // the first points in one clump
	}
	for _, c := range []struct {
		name      string
		x         []float64
		dim       int
		bracketed bool // the bracket holds the median
	}{
		{"ring", ring(r, 300), 2, false},
		{"ring-odd", ring(r, 7), 2, false}, // 21 pairs
		{"duplicates", []float64{0, 0, 0, 0, 1, 1, 2, 2}, 2, false},
		{"3d", gaussian(r, 150)[:3*99], 3, false}, // 4,851 pairs
		{"ring-1000", ring(r, 1000), 2, true},     // 499,500 pairs
		{"3d-999", gaussian(r, 1500)[:3*999], 3, true},
		{"first-unlike", unlike, 2, false},
	} {
		n := len(c.x) / c.dim
		rows := pairRows{x: c.x, dim: c.dim, buf: make([]float64, n)}
		if _, ok := selectBracketed(&rows, n, []int{n * (n - 1) / 4}); ok != c.bracketed {
			t.Errorf("%s: the bracket held the median: %v, want %v", c.name, ok, c.bracketed)
		}
		var d []float64
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				d = append(d, math.Sqrt(sqDist(c.x[i*c.dim:(i+1)*c.dim], c.x[j*c.dim:(j+1)*c.dim])))
			}
		}
		slices.Sort(d)
		want := d[len(d)/2]
		if len(d)%2 == 0 {
			want = (d[len(d)/2-1] + d[len(d)/2]) / 2
		}
		if got := MedianDistance(c.x, c.dim, 1000); got != want {
			t.Errorf("%s: got %v, want %v", c.name, got, want)
		}
	}
}
