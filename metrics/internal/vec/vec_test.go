package vec

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// ran names the loops that ran, so that a CI log says whether the
// AVX-512 ones were compared or only the Go ones exist here.
func ran(t *testing.T) {
	t.Helper()
	if hasAVX512 {
		t.Log("comparing the AVX-512 loops with the Go loops")
	} else {
		t.Log("no AVX-512 here: only the Go loops run")
	}
}

// TestWithin2 checks Within2 against the definition, term by term, at
// every length from 0 to 40 (each tail of the 8-wide loop), with points
// exactly on the radius (taken from the distances themselves: ≤ keeps
// them), NaNs (never within) and radius 0 and +Inf; and with AVX-512,
// that both loops write the same bits.
func TestWithin2(t *testing.T) {
	ran(t)
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 40; n++ {
		xs, ys := make([]float64, n), make([]float64, n)
		for i := range xs {
			xs[i], ys[i] = r.NormFloat64(), r.NormFloat64()
			if i%11 == 5 {
				xs[i] = math.NaN()
			}
		}
		x, y := 0.3, -0.2
		radii := []float64{0, 0.5, 1, math.Inf(1)}
		if n > 2 {
			dx, dy := x-xs[2], y-ys[2]
			radii = append(radii, dx*dx+dy*dy) // point 2 on the boundary
		}
		for _, r2 := range radii {
			var wantD []float64
			var wantI []int32
			for j := range xs {
				dx, dy := x-xs[j], y-ys[j]
				if d := float64(dx*dx) + float64(dy*dy); d <= r2 {
					wantD, wantI = append(wantD, d), append(wantI, int32(j))
				}
			}
			for _, asm := range []bool{false, true} {
				if asm && !hasAVX512 {
					continue
				}
				HasAVX512 = asm
				d2, idx := make([]float64, n), make([]int32, n)
				c := Within2(x, y, r2, xs, ys, d2, idx)
				if !slices.Equal(d2[:c], wantD) || !slices.Equal(idx[:c], wantI) {
					t.Errorf("n=%d r2=%v asm=%v: got %v %v, want %v %v", n, r2, asm, d2[:c], idx[:c], wantD, wantI)
				}
			}
			HasAVX512 = hasAVX512
		}
	}
}

// TestTriangle checks Triangle against the moments' rows written out
// term by term, for degrees 0 to 40 (every row length modulo 8), with
// padding that is NaN (which must not reach an entry), and that both
// loops give the same bits.
func TestTriangle(t *testing.T) {
	ran(t)
	r := rand.New(rand.NewPCG(3, 4))
	for p := 0; p <= 40; p++ {
		stride := TriangleStride(p)
		if stride%8 != 0 || stride < p+1 || stride > p+8 {
			t.Fatalf("p=%d: stride %d", p, stride)
		}
		rev1, pow2 := make([]float64, p+1+Pad), make([]float64, p+1+Pad)
		for i := range rev1 {
			rev1[i], pow2[i] = r.NormFloat64(), r.NormFloat64()
			if i > p {
				rev1[i], pow2[i] = math.NaN(), math.NaN()
			}
		}
		start := make([]float64, (p+1)*stride)
		for i := range start {
			start[i] = r.NormFloat64()
		}
		want := slices.Clone(start)
		for n := 0; n <= p; n++ {
			for b := 0; b <= n; b++ {
				want[n*stride+b] += float64(rev1[p-n+b] * pow2[b])
			}
		}
		for _, asm := range []bool{false, true} {
			if asm && !hasAVX512 {
				continue
			}
			HasAVX512 = asm
			got := slices.Clone(start)
			Triangle(got, stride, rev1, pow2, p)
			for n := 0; n <= p; n++ {
				if row := got[n*stride : n*stride+n+1]; !slices.Equal(row, want[n*stride:n*stride+n+1]) {
					t.Errorf("p=%d asm=%v: row %d differs from the terms", p, asm, n)
				}
			}
		}
		HasAVX512 = hasAVX512
	}
}

// TestLeafKth checks LeafKth against sorting each point's distances to
// the others, for leaves of 0 to 40 points (each tail of the 8-lane
// blocks), every k from 1 to MaxLeafK (+Inf where a point has fewer
// than k others), with repeated points (zero distances).
func TestLeafKth(t *testing.T) {
	ran(t)
	r := rand.New(rand.NewPCG(5, 6))
	for n := 0; n <= 40; n++ {
		xs, ys := make([]float64, n), make([]float64, n)
		for i := range xs {
			xs[i], ys[i] = r.NormFloat64(), r.NormFloat64()
			if i%7 == 3 && i > 0 {
				xs[i], ys[i] = xs[i-1], ys[i-1]
			}
		}
		for k := 1; k <= MaxLeafK; k++ {
			want := make([]float64, n)
			for i := range xs {
				var d []float64
				for j := range xs {
					if j != i {
						dx, dy := xs[i]-xs[j], ys[i]-ys[j]
						d = append(d, float64(dx*dx)+float64(dy*dy))
					}
				}
				slices.Sort(d)
				want[i] = math.Inf(1)
				if len(d) >= k {
					want[i] = d[k-1]
				}
			}
			for _, asm := range []bool{false, true} {
				if asm && !hasAVX512 {
					continue
				}
				HasAVX512 = asm
				got := make([]float64, n)
				LeafKth(xs, ys, k, got)
				if !slices.Equal(got, want) {
					t.Errorf("n=%d k=%d asm=%v: got %v, want %v", n, k, asm, got, want)
				}
			}
			HasAVX512 = hasAVX512
		}
	}
}
