package sweep

import (
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestSobolMatchesSciPy: unscrambled, the first 64 points in 32
// dimensions equal SciPy's. testdata/sobol-scipy-32d-64.txt holds them
// times 2³², one point a line, from SciPy 1.10.1:
//
//	numpy.savetxt(f, qmc.Sobol(d=32, scramble=False).random(64) * 2**32, fmt="%d")
//
// By hand, the first three coordinates of the first four points are 0,
// then 1/2, then (3/4, 1/4, 1/4), then (1/4, 3/4, 3/4).
func TestSobolMatchesSciPy(t *testing.T) {
	raw, err := os.ReadFile("testdata/sobol-scipy-32d-64.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	s := newSobol(32, nil)
	u := make([]float64, 32)
	for i, line := range lines {
		s.next(u)
		for j, f := range strings.Fields(line) {
			want, err := strconv.ParseUint(f, 10, 32)
			if err != nil {
				t.Fatal(err)
			}
			if got := uint64(u[j] * (1 << 32)); got != want {
				t.Fatalf("point %d, dimension %d: got %d/2³², want %d/2³²", i, j, got, want)
			}
		}
		if i == 3 && (u[0] != 0.25 || u[1] != 0.75 || u[2] != 0.75) {
			t.Errorf("point 3: %v", u[:3])
		}
	}
	if len(lines) != 64 {
		t.Fatalf("%d golden points", len(lines))
	}
}

// TestScrambledSobolIsANet: scrambled, the first 2^m points still put
// exactly one point in each of the 2^m equal intervals of every
// coordinate, and in each 2^a × 2^(m−a) box of the first two coordinates
// (the sequence is a (0, m, 2)-net there); other seeds give other points,
// the same seed the same ones.
func TestScrambledSobolIsANet(t *testing.T) {
	const m, dims = 6, 8
	n := 1 << m
	points := func(seed uint64) [][]float64 {
		s := newSobol(dims, rand.New(rand.NewPCG(seed, 0)))
		out := make([][]float64, n)
		for i := range out {
			out[i] = make([]float64, dims)
			s.next(out[i])
		}
		return out
	}
	p := points(1)
	for j := range dims {
		hit := make([]int, n)
		for _, x := range p {
			hit[int(x[j]*float64(n))]++
		}
		for b, h := range hit {
			if h != 1 {
				t.Fatalf("dimension %d: interval %d holds %d points", j, b, h)
			}
		}
	}
	for a := 0; a <= m; a++ {
		boxes := map[[2]int]int{}
		for _, x := range p {
			boxes[[2]int{int(x[0] * float64(int(1)<<a)), int(x[1] * float64(int(1)<<(m-a)))}]++
		}
		if len(boxes) != n {
			t.Errorf("2^%d × 2^%d boxes: %d of %d hold a point", a, m-a, len(boxes), n)
		}
	}
	q, again := points(2), points(1)
	if q[0][0] == p[0][0] || again[5][3] != p[5][3] {
		t.Errorf("seed 2 starts at %v (seed 1: %v); seed 1 again gives %v, want %v", q[0][0], p[0][0], again[5][3], p[5][3])
	}
}
