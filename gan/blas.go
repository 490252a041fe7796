package gan

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
)

// checkGemm panics when slices are too short for a matrix product, as
// gonum does, so that a C BLAS never reads or writes past them. A
// mismatch is a broken invariant of gorgonia's shapes.
func checkGemm(tA, tB blas.Transpose, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	ra, ca := m, k
	if tA != blas.NoTrans {
		ra, ca = k, m
	}
	rb, cb := k, n
	if tB != blas.NoTrans {
		rb, cb = n, k
	}
	short := func(l, rows, cols, ld int) bool { return ld < max(1, cols) || (rows > 0 && l < (rows-1)*ld+cols) }
	if short(la, ra, ca, lda) || short(lb, rb, cb, ldb) || short(lc, m, n, ldc) {
		panic(fmt.Sprintf("sgemm: slices too short for %dx%dx%d (lda %d ldb %d ldc %d)", m, n, k, lda, ldb, ldc))
	}
}
