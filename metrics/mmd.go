package metrics

import (
	"math"
	"slices"
)

// MMD2 is the unbiased estimator of the squared maximum mean discrepancy
// between the distributions of x (m points) and y (n points) with the
// Gaussian RBF kernel k(a,b) = exp(−‖a−b‖² / (2σ²)):
//
//	MMD²_u = 1/(m(m−1)) Σ_{i≠j} k(x_i,x_j) + 1/(n(n−1)) Σ_{i≠j} k(y_i,y_j)
//	         − 2/(mn) Σ_{i,j} k(x_i,y_j)
//
// (Gretton et al. 2012, JMLR, Lemma 6). It is unbiased, so it can be
// slightly negative when the distributions match. Both sets need at least
// two points.
func MMD2(x, y []float64, dim int, sigma float64) float64 {
	m, n := len(x)/dim, len(y)/dim
	if m < 2 || n < 2 {
		panic("metrics: MMD2 needs at least two points in each set")
	}
	g := 1 / (2 * sigma * sigma)
	kxx := 2 * kernelSumSelf(x, dim, g) / float64(m*(m-1))
	kyy := 2 * kernelSumSelf(y, dim, g) / float64(n*(n-1))
	kxy := kernelSumCross(x, y, dim, g) / float64(m*n)
	return kxx + kyy - 2*kxy
}

// kernelSumSelf is Σ_{i<j} exp(−g‖x_i−x_j‖²).
func kernelSumSelf(x []float64, dim int, g float64) float64 {
	n := len(x) / dim
	total := 0.0
	for i := 0; i < n; i++ {
		xi := x[i*dim : (i+1)*dim]
		row := 0.0
		for j := i + 1; j < n; j++ {
			row += math.Exp(-g * sqDist(xi, x[j*dim:(j+1)*dim]))
		}
		total += row
	}
	return total
}

// kernelSumCross is Σ_{i,j} exp(−g‖x_i−y_j‖²).
func kernelSumCross(x, y []float64, dim int, g float64) float64 {
	m, n := len(x)/dim, len(y)/dim
	total := 0.0
	for i := 0; i < m; i++ {
		xi := x[i*dim : (i+1)*dim]
		row := 0.0
		for j := 0; j < n; j++ {
			row += math.Exp(-g * sqDist(xi, y[j*dim:(j+1)*dim]))
		}
		total += row
	}
	return total
}

func sqDist(a, b []float64) float64 {
	s := 0.0
	for k := range a {
		d := a[k] - b[k]
		s += d * d
	}
	return s
}

// MedianDistance is the median Euclidean distance between distinct points
// of the first maxPoints points of x: the median heuristic for the RBF
// bandwidth (Gretton et al. 2012, §8). Capping the points keeps it cheap;
// the median of a random subset is a consistent estimate.
func MedianDistance(x []float64, dim, maxPoints int) float64 {
	n := min(len(x)/dim, maxPoints)
	if n < 2 {
		panic("metrics: MedianDistance needs at least two points")
	}
	d := make([]float64, 0, n*(n-1)/2)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			d = append(d, math.Sqrt(sqDist(x[i*dim:(i+1)*dim], x[j*dim:(j+1)*dim])))
		}
	}
	slices.Sort(d)
	if len(d)%2 == 1 {
		return d[len(d)/2]
	}
	return (d[len(d)/2-1] + d[len(d)/2]) / 2
}
