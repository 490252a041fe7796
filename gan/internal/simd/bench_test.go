package simd

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// BenchmarkGemm compares the kernel with gonum's Sgemm (run it with
// GOMAXPROCS=1 for one thread each: gonum splits over GOMAXPROCS) on the
// products of a ring8-mlp step (batch 256, hidden 128) and of ring8-mlp512.
func BenchmarkGemm(b *testing.B) {
	shapes := []struct {
		name    string
		tA, tB  bool
		m, n, k int
	}{
		{"hidden-fwd/256x128x128", false, false, 256, 128, 128},
		{"hidden-dW/128x128x256", true, false, 128, 128, 256},
		{"hidden-dx/256x128x128", false, true, 256, 128, 128},
		{"input-fwd/256x128x2", false, false, 256, 128, 2},
		{"output-fwd/256x1x128", false, false, 256, 1, 128},
		{"output-dx/256x128x1", false, true, 256, 128, 1},
		{"wide-fwd/256x512x512", false, false, 256, 512, 512},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range shapes {
		ra, ca := s.m, s.k
		if s.tA {
			ra, ca = s.k, s.m
		}
		rb, cb := s.k, s.n
		if s.tB {
			rb, cb = s.n, s.k
		}
		x, y, c := randSlice(r, ra*ca), randSlice(r, rb*cb), make([]float32, s.m*s.n)
		flops := float64(2 * s.m * s.n * s.k)
		for _, k := range kernels() {
			b.Run(s.name+"/"+k, func(b *testing.B) {
				defer func(old string) { Kernel = old }(Kernel)
				Kernel = k
				for b.Loop() {
					Gemm(s.tA, s.tB, s.m, s.n, s.k, 1, x, ca, y, cb, 0, c, s.n, 1)
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
			})
		}
		b.Run(s.name+"/gonum", func(b *testing.B) {
			tr := func(t bool) blas.Transpose {
				if t {
					return blas.Trans
				}
				return blas.NoTrans
			}
			for b.Loop() {
				gonum.Implementation{}.Sgemm(tr(s.tA), tr(s.tB), s.m, s.n, s.k, 1, x, ca, y, cb, 0, c, s.n)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
		})
	}
}
