package metrics

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Frechet is the Fréchet distance between Gaussians fitted to two samples
// x and y (n×dim and m×dim, row-major): the formula of FID (Heusel et al.
// 2017, eq. 6; Dowson & Landau 1982),
//
//	d² = ‖μ_x − μ_y‖² + Tr(Σ_x + Σ_y − 2 (Σ_x^{1/2} Σ_y Σ_x^{1/2})^{1/2}),
//
// with unbiased covariances. The trace of the square root is the sum of
// the square roots of the eigenvalues of the symmetric Σ_x^{1/2} Σ_y
// Σ_x^{1/2} (negative ones, rounding's, count as 0).
func Frechet(x, y []float64, dim int) float64 {
	mx, cx := MeanCov(x, dim)
	my, cy := MeanCov(y, dim)
	return FrechetMoments(mx, cx, my, cy)
}

// MeanCov is the mean and the unbiased covariance of a sample (n×dim).
func MeanCov(x []float64, dim int) ([]float64, *mat.SymDense) {
	n := len(x) / dim
	mean := make([]float64, dim)
	for i := 0; i < n; i++ {
		for j := range dim {
			mean[j] += x[i*dim+j]
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	centred := mat.NewDense(n, dim, nil)
	for i := 0; i < n; i++ {
		for j := range dim {
			centred.Set(i, j, x[i*dim+j]-mean[j])
		}
	}
	cov := mat.NewSymDense(dim, nil)
	cov.SymOuterK(1/float64(max(n-1, 1)), centred.T())
	return mean, cov
}

// FrechetMoments is Frechet from the Gaussians' means and covariances.
func FrechetMoments(mx []float64, cx *mat.SymDense, my []float64, cy *mat.SymDense) float64 {
	d := 0.0
	for j := range mx {
		diff := mx[j] - my[j]
		d += diff * diff
	}
	sx := symSqrt(cx)
	var m mat.Dense
	m.Mul(sx, cy)
	m.Mul(&m, sx)
	dim := len(mx)
	sym := mat.NewSymDense(dim, nil)
	for i := range dim {
		for j := i; j < dim; j++ {
			sym.SetSym(i, j, (m.At(i, j)+m.At(j, i))/2) // symmetric up to rounding
		}
	}
	vals, ok := eigenvalues(sym)
	if !ok {
		return math.NaN()
	}
	root := 0.0
	for _, v := range vals {
		root += math.Sqrt(max(v, 0))
	}
	return d + mat.Trace(cx) + mat.Trace(cy) - 2*root
}

// eigenvalues are a symmetric matrix's eigenvalues. They are computed
// with the eigenvectors although only the values are used: without them
// gonum v0.16.0 takes Dsterf, whose rescaling of a tridiagonal block with
// a tiny norm (below about 1e-122) passes Dlascl a leading dimension of n
// instead of 1 and panics ("lapack: insufficient length of a"). Generated
// images whose classifier features have dead units give such blocks. The
// path with vectors (Dsteqr) passes 1; it costs little at 128×128.
func eigenvalues(sym *mat.SymDense) ([]float64, bool) {
	var eig mat.EigenSym
	if !eig.Factorize(sym, true) {
		return nil, false
	}
	return eig.Values(nil), true
}

// symSqrt is the symmetric square root of a covariance: V·√Λ·Vᵀ.
func symSqrt(c *mat.SymDense) *mat.Dense {
	var eig mat.EigenSym
	n := c.SymmetricDim()
	if !eig.Factorize(c, true) {
		return mat.NewDense(n, n, nil)
	}
	vals := eig.Values(nil)
	var v mat.Dense
	eig.VectorsTo(&v)
	scaled := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			scaled.Set(i, j, v.At(i, j)*math.Sqrt(max(vals[j], 0)))
		}
	}
	var out mat.Dense
	out.Mul(scaled, v.T())
	return &out
}
