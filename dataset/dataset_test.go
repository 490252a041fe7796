package dataset

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ganexp/ganexp"
)

func centres(t *testing.T, d ganexp.Dataset) [][]float64 {
	t.Helper()
	src, err := New(Defaults(d))
	if err != nil {
		t.Fatal(err)
	}
	var out [][]float64
	for _, m := range src.Modes() {
		out = append(out, m.Centre)
	}
	return out
}

func near(a, b []float64) bool {
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-12 {
			return false
		}
	}
	return true
}

func TestRingModes(t *testing.T) {
	// The ring of README § Sweep files: means at radius 2 and angles 2πk/8, k = 0..7, with no
	// repeated endpoint.
	cs := centres(t, ganexp.Dataset{Kind: "ring"})
	if len(cs) != 8 {
		t.Fatalf("%d modes, want 8", len(cs))
	}
	want := map[int][]float64{0: {2, 0}, 2: {0, 2}, 4: {-2, 0}, 6: {0, -2}, 1: {math.Sqrt2, math.Sqrt2}}
	for k, w := range want {
		if !near(cs[k], w) {
			t.Errorf("mode %d at %v, want %v", k, cs[k], w)
		}
	}
}

func TestGridModes(t *testing.T) {
	// The grid of README § Sweep files: 5×5 means at {−4,−2,0,2,4}².
	cs := centres(t, ganexp.Dataset{Kind: "grid"})
	if len(cs) != 25 {
		t.Fatalf("%d modes, want 25", len(cs))
	}
	var xs []float64
	for _, c := range cs {
		if !slices.Contains(xs, c[0]) {
			xs = append(xs, c[0])
		}
	}
	slices.Sort(xs)
	if !slices.Equal(xs, []float64{-4, -2, 0, 2, 4}) {
		t.Errorf("x coordinates %v", xs)
	}
}

func TestSampleStatistics(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name     string
		d        ganexp.Dataset
		wantMean float64 // of the first coordinate
		wantSD   float64
	}{
		// N(3, 0.5²): mean 3, sd 0.5.
		{"Gaussian1D", ganexp.Dataset{Kind: "gaussian1d", Mean: 3, Std: 0.5}, 3, 0.5},
		// Weights 3:1 on means −2 and 2 with std 0.1: mean = (3·(−2) + 2)/4 = −1,
		// variance = 0.01 + E[m²] − 1 = 0.01 + 4 − 1 = 3.01.
		{"Mixture1D", ganexp.Dataset{Kind: "mixture1d", Means: []float64{-2, 2}, Weights: []float64{3, 1}, Std: 0.1}, -1, math.Sqrt(3.01)},
		// Ring x = 2cos θ over 8 equally likely angles: mean 0, E[x²] = 2,
		// plus 0.02² noise.
		{"Ring", ganexp.Dataset{Kind: "ring"}, 0, math.Sqrt(2 + 0.0004)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := New(Defaults(tt.d))
			if err != nil {
				t.Fatal(err)
			}
			const n = 200000
			buf := make([]float32, n*src.Dim())
			src.Sample(r, buf)
			sum, sq := 0.0, 0.0
			for i := 0; i < n; i++ {
				x := float64(buf[i*src.Dim()])
				sum += x
				sq += x * x
			}
			mean := sum / n
			sd := math.Sqrt(sq/n - mean*mean)
			// Standard errors at n = 200000 are below 0.005 here.
			if math.Abs(mean-tt.wantMean) > 0.02 || math.Abs(sd-tt.wantSD) > 0.02 {
				t.Errorf("mean %.4f sd %.4f, want %.4f and %.4f", mean, sd, tt.wantMean, tt.wantSD)
			}
		})
	}
}

func TestLoadCSV(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "p.csv")
	os.WriteFile(p, []byte("# a comment\nx, y, z\n1, 2, 3\n\n4 ,5,6\n"), 0o644)
	pts, err := LoadCSV(p)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := pts.Data, []float32{1, 2, 3, 4, 5, 6}; !slices.Equal(got, want) || pts.Dim() != 3 {
		t.Errorf("got %v dim %d, want %v dim 3", got, pts.Dim(), want)
	}
	ws := filepath.Join(dir, "w.txt")
	os.WriteFile(ws, []byte("1 2\n3 4\n"), 0o644)
	if pts, err := LoadCSV(ws); err != nil || pts.Dim() != 2 || pts.Len() != 2 {
		t.Errorf("whitespace separated: %v %v", pts, err)
	}
	// Sampling draws whole rows.
	buf := make([]float32, 30)
	pts.Sample(rand.New(rand.NewPCG(1, 1)), buf)
	for i := 0; i < 30; i += 3 {
		if row := buf[i : i+3]; !slices.Equal(row, []float32{1, 2, 3}) && !slices.Equal(row, []float32{4, 5, 6}) {
			t.Errorf("sampled row %v is not a row of the file", row)
		}
	}
}

func TestDensity(t *testing.T) {
	// N(0, 1) at 0 is 1/√(2π) = 0.398942; the mixture ¾N(−2, 0.5²) +
	// ¼N(2, 0.5²) at −2 is ¾·0.797885 + ¼·0.797885·e^{−32} = 0.598413.
	if got := Density(ganexp.Dataset{Kind: "gaussian1d", Std: 1})(0); math.Abs(got-0.398942) > 1e-6 {
		t.Errorf("gaussian: %v", got)
	}
	mix := ganexp.Dataset{Kind: "mixture1d", Means: []float64{-2, 2}, Weights: []float64{3, 1}, Std: 0.5}
	if got := Density(mix)(-2); math.Abs(got-0.598413) > 1e-6 {
		t.Errorf("mixture: %v", got)
	}
	if Density(ganexp.Dataset{Kind: "ring"}) != nil {
		t.Error("ring has a 1-D density")
	}
}
