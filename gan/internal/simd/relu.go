package simd

// Relu sets dst = max(0, x), keeping NaN. dst and x have the same length
// and may be the same slice.
func Relu(dst, x []float32) {
	x = x[:len(dst)]
	n := 0
	if Available {
		n = len(dst) &^ 7
		if n > 0 {
			relu8(&dst[0], &x[0], n)
		}
	}
	for i := n; i < len(dst); i++ {
		if v := x[i]; v < 0 {
			dst[i] = 0
		} else {
			dst[i] = v
		}
	}
}

// ReluGrad sets dst = g where y > 0 and 0 elsewhere (also where y is NaN):
// the gradient of ReLU from its output y, which is positive exactly where
// its input was. The slices have the same length; dst may be g.
func ReluGrad(dst, y, g []float32) {
	y, g = y[:len(dst)], g[:len(dst)]
	n := 0
	if Available {
		n = len(dst) &^ 7
		if n > 0 {
			reluGrad8(&dst[0], &y[0], &g[0], n)
		}
	}
	for i := n; i < len(dst); i++ {
		if y[i] > 0 {
			dst[i] = g[i]
		} else {
			dst[i] = 0
		}
	}
}
