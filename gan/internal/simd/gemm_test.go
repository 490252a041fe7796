package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// naive is the definition of sgemm, summed in float64.
func naive(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				ai, bi := i*lda+p, p*ldb+j
				if tA {
					ai = p*lda + i
				}
				if tB {
					bi = j*ldb + p
				}
				av, bv := a[ai], b[bi]
				s += float64(av) * float64(bv)
			}
			c[i*ldc+j] = float32(float64(alpha)*s + float64(beta)*float64(c[i*ldc+j]))
		}
	}
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// TestGemm compares every transpose case, edge tiles, strides wider than
// the matrix, several K blocks and the threaded split against the
// definition. C is surrounded by sentinel values that must survive.
func TestGemm(t *testing.T) {
	forEachKernel(t, testGemm)
}

// kernels lists the micro-kernels this CPU runs.
func kernels() []string {
	var ks []string
	if HasAVX512 {
		ks = append(ks, KernelAVX512)
	}
	if Available {
		ks = append(ks, KernelAVX2)
	}
	return ks
}

// forEachKernel runs test once with each micro-kernel this CPU supports,
// and logs which ran; a CPU without any skips.
func forEachKernel(t *testing.T, test func(t *testing.T)) {
	ks := kernels()
	if len(ks) == 0 {
		t.Skip("no AVX2/FMA on this CPU: gonum's Sgemm runs instead")
	}
	t.Logf("kernels on this CPU: %v", ks)
	defer func(k string) { Kernel = k }(Kernel)
	for _, k := range ks {
		Kernel = k
		t.Run(k, test)
	}
}

func testGemm(t *testing.T) {
	shapes := []struct{ m, n, k int }{
		{1, 1, 1}, {6, 16, 1}, {7, 17, 3}, {256, 128, 2}, {256, 1, 128}, {128, 1, 256},
		{2, 128, 256}, {256, 2, 128}, {256, 128, 128}, {5, 3, 600}, {97, 33, 257}, {300, 70, 520},
		// The AVX-512 tile's edges: 12 and 32, one short and one over.
		{12, 32, 5}, {11, 31, 9}, {13, 33, 300}, {24, 64, 256}, {25, 65, 513},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range shapes {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for _, threads := range []int{1, 3} {
					name := fmt.Sprintf("%dx%dx%d/tA=%v/tB=%v/threads=%d", s.m, s.n, s.k, tA, tB, threads)
					t.Run(name, func(t *testing.T) {
						ra, ca := s.m, s.k
						if tA {
							ra, ca = s.k, s.m
						}
						rb, cb := s.k, s.n
						if tB {
							rb, cb = s.n, s.k
						}
						lda, ldb, ldc := ca+3, cb+1, s.n+5
						a, b := randSlice(r, ra*lda), randSlice(r, rb*ldb)
						const pad = 40
						c := randSlice(r, s.m*ldc+pad)
						want := append([]float32(nil), c...)
						alpha, beta := float32(0.7), float32(-1.5)
						naive(tA, tB, s.m, s.n, s.k, alpha, a, lda, b, ldb, beta, want, ldc)
						// Work large enough to split even for small shapes.
						Gemm(tA, tB, s.m, s.n, s.k, alpha, a, lda, b, ldb, beta, c, ldc, threads)
						for i := range c {
							tol := 1e-4 * (1 + math.Sqrt(float64(s.k)))
							if d := math.Abs(float64(c[i] - want[i])); d > tol {
								t.Fatalf("c[%d] (row %d col %d) = %v, want %v", i, i/ldc, i%ldc, c[i], want[i])
							}
						}
					})
				}
			}
		}
	}
}

// TestGemmBetaZeroIgnoresNaN: with beta 0, C's old contents are not read,
// as BLAS specifies, so NaN garbage in a fresh buffer does not leak.
func TestGemmBetaZeroIgnoresNaN(t *testing.T) {
	forEachKernel(t, testBetaZero)
}

func testBetaZero(t *testing.T) {
	a := []float32{1, 2, 3, 4} // 2×2
	b := []float32{5, 6, 7, 8}
	c := []float32{float32(math.NaN()), 0, 0, float32(math.Inf(1))}
	Gemm(false, false, 2, 2, 2, 1, a, 2, b, 2, 0, c, 2, 1)
	// By hand: [1 2;3 4]·[5 6;7 8] = [19 22; 43 50].
	got, want := c, []float32{19, 22, 43, 50}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	// Full tiles, edge tiles and several K blocks: the first block
	// overwrites C, the others add to it.
	r := rand.New(rand.NewPCG(7, 8))
	for _, sh := range []struct{ m, n, k int }{{24, 64, 600}, {25, 65, 513}, {6, 16, 3}} {
		a, b := randSlice(r, sh.m*sh.k), randSlice(r, sh.k*sh.n)
		c := make([]float32, sh.m*sh.n)
		for i := range c {
			c[i] = float32(math.NaN())
		}
		want := make([]float32, len(c))
		naive(false, false, sh.m, sh.n, sh.k, 1, a, sh.k, b, sh.n, 0, want, sh.n)
		Gemm(false, false, sh.m, sh.n, sh.k, 1, a, sh.k, b, sh.n, 0, c, sh.n, 1)
		for i := range c {
			if d := math.Abs(float64(c[i] - want[i])); !(d <= 1e-3) {
				t.Fatalf("%v: c[%d] = %v, want %v", sh, i, c[i], want[i])
			}
		}
	}
}

// TestKernelsGiveTheSameBits: both micro-kernels sum each element of C in
// the same order with one FMA per product, over the same K blocks, so they
// agree to the last bit on every transpose case and shape; a trial's
// numbers do not depend on the CPU's vector width.
func TestKernelsGiveTheSameBits(t *testing.T) {
	if !HasAVX512 {
		t.Skip("no AVX-512 on this CPU: only one kernel to compare")
	}
	defer func(k string) { Kernel = k }(Kernel)
	r := rand.New(rand.NewPCG(3, 4))
	for _, s := range []struct{ m, n, k int }{{256, 128, 128}, {97, 33, 257}, {256, 512, 512}, {13, 70, 600}} {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				ra, ca := s.m, s.k
				if tA {
					ra, ca = s.k, s.m
				}
				rb, cb := s.k, s.n
				if tB {
					rb, cb = s.n, s.k
				}
				a, b, c0 := randSlice(r, ra*ca), randSlice(r, rb*cb), randSlice(r, s.m*s.n)
				out := map[string][]float32{}
				for _, k := range []string{KernelAVX512, KernelAVX2} {
					Kernel = k
					for _, alpha := range []float32{1, 0.7} {
						for _, beta := range []float32{0.5, 0} {
							c := append([]float32(nil), c0...)
							Gemm(tA, tB, s.m, s.n, s.k, alpha, a, ca, b, cb, beta, c, s.n, 1)
							out[k] = append(out[k], c...)
						}
					}
				}
				for i, v := range out[KernelAVX512] {
					if w := out[KernelAVX2][i]; math.Float32bits(v) != math.Float32bits(w) {
						t.Fatalf("%dx%dx%d tA=%v tB=%v: element %d is %v with AVX-512, %v with AVX2", s.m, s.n, s.k, tA, tB, i, v, w)
					}
				}
			}
		}
	}
}

func TestGemmPanicsOnShortSlices(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a C too short")
		}
	}()
	Gemm(false, false, 2, 2, 2, 1, make([]float32, 4), 2, make([]float32, 4), 2, 0, make([]float32, 3), 2, 1)
}
