//go:build openblas

package gan

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ganexp/ganexp/gan/internal/simd"
	"gonum.org/v1/gonum/blas"
)

// BenchmarkSgemmVsOpenBLAS times ganexp's kernels beside OpenBLAS's
// single-thread sgemm on the products of the pinned protocols: the
// practical limit of a CPU core. Each iteration runs the product once
// with each, in alternating order and timed apart, so that the VM's drift
// hits both alike; the ratio is ganexp's GFLOPS over OpenBLAS's. Run it
// with one thread each and OpenBLAS on its best kernels for this CPU
// (OpenBLAS 0.3.21 falls back to SSE3 "Prescott" kernels on CPUs newer
// than itself, so name them; the log line says which ran):
//
//	OPENBLAS_CORETYPE=SkylakeX GOMAXPROCS=1 OPENBLAS_NUM_THREADS=1 \
//	  go test -tags openblas -run XXX -bench SgemmVsOpenBLAS ./gan/
func BenchmarkSgemmVsOpenBLAS(b *testing.B) {
	b.Logf("OpenBLAS core: %s, %d thread(s); ganexp kernels: %v", OpenBLASCore(), BLASThreads(), kernelsHere())
	shapes := []struct {
		name    string
		tA, tB  bool
		m, n, k int
	}{
		{"hidden-fwd/256x128x128", false, false, 256, 128, 128},
		{"hidden-dW/128x128x256", true, false, 128, 128, 256},
		{"hidden-dx/256x128x128", false, true, 256, 128, 128},
		{"wide-fwd/256x512x512", false, false, 256, 512, 512},
		{"wide-dW/512x512x256", true, false, 512, 512, 256},
		{"wide-dx/256x512x512", false, true, 256, 512, 512},
		{"cube/1024x1024x1024", false, false, 1024, 1024, 1024},
	}
	r := rand.New(rand.NewPCG(1, 2))
	tr := func(t bool) blas.Transpose {
		if t {
			return blas.Trans
		}
		return blas.NoTrans
	}
	for _, s := range shapes {
		ra, ca := s.m, s.k
		if s.tA {
			ra, ca = s.k, s.m
		}
		rb, cb := s.k, s.n
		if s.tB {
			rb, cb = s.n, s.k
		}
		x, y, c := rnd(r, ra*ca), rnd(r, rb*cb), make([]float32, s.m*s.n)
		flops := float64(2 * s.m * s.n * s.k)
		for _, k := range kernelsHere() {
			b.Run(s.name+"/"+k, func(b *testing.B) {
				defer func(old string) { simd.Kernel = old }(simd.Kernel)
				simd.Kernel = k
				var ours, theirs time.Duration
				i := 0
				for b.Loop() {
					for turn := range 2 {
						t0 := time.Now()
						if (i+turn)%2 == 0 {
							simd.Gemm(s.tA, s.tB, s.m, s.n, s.k, 1, x, ca, y, cb, 0, c, s.n, 1)
							ours += time.Since(t0)
						} else {
							openBLAS{}.Sgemm(tr(s.tA), tr(s.tB), s.m, s.n, s.k, 1, x, ca, y, cb, 0, c, s.n)
							theirs += time.Since(t0)
						}
					}
					i++
				}
				n := float64(b.N)
				b.ReportMetric(flops*n/ours.Seconds()/1e9, "GFLOPS")
				b.ReportMetric(flops*n/theirs.Seconds()/1e9, "openblas-GFLOPS")
				b.ReportMetric(theirs.Seconds()/ours.Seconds(), "ratio")
			})
		}
	}
}

func kernelsHere() []string {
	var ks []string
	if simd.HasAVX512 {
		ks = append(ks, simd.KernelAVX512)
	}
	if simd.Available {
		ks = append(ks, simd.KernelAVX2)
	}
	return ks
}

func rnd(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}
