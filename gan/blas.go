package gan

import (
	"gonum.org/v1/gonum/blas"

	"github.com/ganexp/ganexp/gan/internal/simd"
)

// checkGemm panics when slices are too short for a matrix product, as
// gonum does, so that a C BLAS never reads or writes past them. A
// mismatch is a broken invariant of gorgonia's shapes.
func checkGemm(tA, tB blas.Transpose, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	simd.Check(tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, la, lda, lb, ldb, lc, ldc)
}
