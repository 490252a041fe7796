//go:build openblas

package gan

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
*/
import "C"

import (
	"runtime"
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"

	"github.com/ganexp/ganexp/gan/internal/simd"
)

// BLAS names the matrix multiply behind training, for benchmarks and
// `ganexp version`.
const BLAS = "openblas"

// openBLAS sends gorgonia's float32 matrix products to OpenBLAS and keeps
// gonum for everything else (vector ops, float64).
type openBLAS struct{ gonum.Implementation }

// init hands gorgonia the BLAS before any graph exists: G.Use sets a
// process-wide variable without a lock. OpenBLAS gets as many threads as
// the Go scheduler has Ps, which the sweep sets to cores / --parallel, so
// BLAS threads × parallel trials never exceed the cores.
func init() {
	C.openblas_set_num_threads(C.int(runtime.GOMAXPROCS(0)))
	G.Use(openBLAS{})
}

func cTrans(t blas.Transpose) C.enum_CBLAS_TRANSPOSE {
	if t == blas.Trans || t == blas.ConjTrans {
		return C.CblasTrans
	}
	return C.CblasNoTrans
}

func (openBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	// Short slices panic here, as gonum's would, so that C never reads or
	// writes past them: a broken invariant of gorgonia's shapes.
	simd.Check(tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	C.cblas_sgemm(C.CblasRowMajor, cTrans(tA), cTrans(tB), C.blasint(m), C.blasint(n), C.blasint(k),
		C.float(alpha), ptr(a), C.blasint(lda), ptr(b), C.blasint(ldb), C.float(beta), ptr(c), C.blasint(ldc))
}

func (openBLAS) Sgemv(tA blas.Transpose, m, n int, alpha float32, a []float32, lda int, x []float32, incX int, beta float32, y []float32, incY int) {
	if m == 0 || n == 0 || incX <= 0 || incY <= 0 {
		gonum.Implementation{}.Sgemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
		return
	}
	C.cblas_sgemv(C.CblasRowMajor, cTrans(tA), C.blasint(m), C.blasint(n), C.float(alpha), ptr(a), C.blasint(lda),
		ptr(x), C.blasint(incX), C.float(beta), ptr(y), C.blasint(incY))
}

func ptr(s []float32) *C.float {
	if len(s) == 0 {
		return nil
	}
	return (*C.float)(unsafe.Pointer(&s[0]))
}

// OpenBLASCore names the kernels OpenBLAS chose for this CPU (for
// example "SkylakeX" or "Haswell"; OPENBLAS_CORETYPE in the environment
// forces it).
func OpenBLASCore() string { return C.GoString(C.openblas_get_corename()) }

// BLASThreads is the number of threads OpenBLAS uses.
func BLASThreads() int { return int(C.openblas_get_num_threads()) }
