//go:build !openblas

package gan

import (
	"os"
	"runtime"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"

	"github.com/ganexp/ganexp/gan/internal/simd"
)

// BLAS names the matrix multiply behind training, for benchmarks,
// `ganexp version` and each trial's record: ganexp's AVX-512 or AVX2/FMA
// kernel, the widest the CPU has, else gonum's pure-Go BLAS; -tags
// openblas selects OpenBLAS. GANEXP_KERNEL=avx2 or =gonum, set before
// ganexp starts, picks a narrower one (to compare kernels on one machine).
var BLAS = "gonum"

// goBLAS sends gorgonia's float32 matrix products to the AVX2 kernel and
// keeps gonum for everything else (vector ops, float64).
type goBLAS struct{ gonum.Implementation }

// init hands gorgonia the BLAS before any graph exists: G.Use sets a
// process-wide variable without a lock.
func init() {
	switch want := os.Getenv("GANEXP_KERNEL"); {
	case want == "gonum" || simd.Kernel == "":
		simd.Kernel = ""
		return
	case want == simd.KernelAVX2:
		simd.Kernel = simd.KernelAVX2
	}
	BLAS = "go-" + simd.Kernel
	G.Use(goBLAS{})
}

// Sgemm splits large products over GOMAXPROCS goroutines, which the sweep
// sets to cores / --parallel, so trials never oversubscribe the cores.
func (goBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	simd.Gemm(tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, runtime.GOMAXPROCS(0))
}

// BLASThreads is how many cores the matrix multiply can use: both kernels
// split large products over goroutines, which run on GOMAXPROCS threads.
func BLASThreads() int { return runtime.GOMAXPROCS(0) }
