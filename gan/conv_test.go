package gan

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestIm2ColByHand checks im2col on values worked out by hand.
func TestIm2ColByHand(t *testing.T) {
	// A 3×3 image holding 1…9, a 2×2 kernel, stride 1, no padding: the
	// four 2×2 windows, row by row.
	x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	g := convGeom{h: 3, w: 3, c: 1, k: 2, s: 1, p: 0}
	cols := make([]float32, 4*4)
	im2col(g, 1, x, cols, g.patch())
	want := []float32{1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9}
	if !slices.Equal(cols, want) {
		t.Errorf("3×3, k2 s1 p0: got %v, want %v", cols, want)
	}
	// DCGAN's geometry (k4 s2 p1) on a 2×2 image of 1…4: one output pixel
	// whose 4×4 window has the image in its middle and padding around.
	g = convGeom{h: 2, w: 2, c: 1, k: 4, s: 2, p: 1}
	if g.ho() != 1 || g.wo() != 1 {
		t.Fatalf("output %d×%d, want 1×1", g.ho(), g.wo())
	}
	cols = make([]float32, 16)
	im2col(g, 1, []float32{1, 2, 3, 4}, cols, g.patch())
	want = []float32{0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0}
	if !slices.Equal(cols, want) {
		t.Errorf("2×2, k4 s2 p1: got %v, want %v", cols, want)
	}
	// Two channels stay together in each patch entry: (ky, kx, c).
	g = convGeom{h: 1, w: 2, c: 2, k: 1, s: 1, p: 0}
	cols = make([]float32, 4)
	im2col(g, 1, []float32{1, 10, 2, 20}, cols, g.patch())
	if want := []float32{1, 10, 2, 20}; !slices.Equal(cols, want) {
		t.Errorf("channels: got %v, want %v", cols, want)
	}
}

// TestCol2ImIsIm2ColsAdjoint: ⟨im2col x, y⟩ = ⟨x, col2im y⟩ for random x
// and y, on geometries with padding, strides, channels and several
// images; so each is the other's gradient.
func TestCol2ImIsIm2ColsAdjoint(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, g := range []convGeom{
		{h: 8, w: 8, c: 1, k: 4, s: 2, p: 1},
		{h: 6, w: 4, c: 3, k: 4, s: 2, p: 1},
		{h: 5, w: 7, c: 2, k: 3, s: 1, p: 1},
		{h: 4, w: 4, c: 2, k: 2, s: 2, p: 0},
	} {
		n, ld := 2, g.patch()+16 // rows padded as patchStride pads them
		x := randVec(r, n*g.h*g.w*g.c)
		y := randVec(r, n*g.ho()*g.wo()*ld)
		cols, back := make([]float32, len(y)), make([]float32, len(x))
		im2col(g, n, x, cols, ld)
		col2im(g, n, y, ld, back)
		for row := 0; row < len(y); row += ld {
			clear(y[row+g.patch() : row+ld]) // the padding is not part of either
		}
		lhs, rhs := dot(cols, y), dot(x, back)
		// col2im adds up to k²/s² float32 values per pixel: agreement to
		// float32's precision, where a misplaced entry would be off by O(1).
		if math.Abs(lhs-rhs) > 1e-5*math.Max(1, math.Abs(lhs)) {
			t.Errorf("%v: ⟨im2col x, y⟩ = %v, ⟨x, col2im y⟩ = %v", g, lhs, rhs)
		}
	}
}

func randVec(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

func dot(a, b []float32) float64 {
	s := 0.0
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// naiveConv is the definition of a convolution (PyTorch's Conv2d, a
// cross-correlation) in index form: for output channel f at (oy, ox),
// b[f] + Σ_{ky,kx,c} W[f][(ky·k+kx)·c_in+c] · x[oy·s−p+ky][ox·s−p+kx][c].
func naiveConv(g convGeom, n, f int, x, w, b []float32) []float32 {
	ho, wo := g.ho(), g.wo()
	y := make([]float32, n*ho*wo*f)
	for img := range n {
		for oy := range ho {
			for ox := range wo {
				for o := range f {
					s := float64(b[o])
					for ky := range g.k {
						for kx := range g.k {
							iy, ix := oy*g.s-g.p+ky, ox*g.s-g.p+kx
							if iy < 0 || iy >= g.h || ix < 0 || ix >= g.w {
								continue
							}
							for c := range g.c {
								s += float64(w[o*g.patch()+(ky*g.k+kx)*g.c+c]) * float64(x[((img*g.h+iy)*g.w+ix)*g.c+c])
							}
						}
					}
					y[((img*ho+oy)*wo+ox)*f+o] = float32(s)
				}
			}
		}
	}
	return y
}

// naiveConvT is the definition of a transposed convolution (PyTorch's
// ConvTranspose2d): each input pixel (iy, ix) adds x[iy][ix][c]·W[c][(ky·k+kx)·c_out+o]
// at output pixel (iy·s−p+ky, ix·s−p+kx), plus the bias everywhere. g is
// the geometry of the matching convolution (output → input).
func naiveConvT(g convGeom, n, cin int, x, w, b []float32) []float32 {
	hi, wi, cout := g.ho(), g.wo(), g.c
	y := make([]float64, n*g.h*g.w*cout)
	for img := range n {
		for iy := range hi {
			for ix := range wi {
				for c := range cin {
					v := float64(x[((img*hi+iy)*wi+ix)*cin+c])
					for ky := range g.k {
						for kx := range g.k {
							oy, ox := iy*g.s-g.p+ky, ix*g.s-g.p+kx
							if oy < 0 || oy >= g.h || ox < 0 || ox >= g.w {
								continue
							}
							for o := range cout {
								y[((img*g.h+oy)*g.w+ox)*cout+o] += v * float64(w[c*g.k*g.k*cout+(ky*g.k+kx)*cout+o])
							}
						}
					}
				}
			}
		}
	}
	out := make([]float32, len(y))
	for i, v := range y {
		out[i] = float32(v + float64(b[i%cout]))
	}
	return out
}

// run builds a graph with build, runs it once and returns the value of
// its output.
func runGraph(t *testing.T, build func(g *G.ExprGraph) *G.Node) []float32 {
	t.Helper()
	g := G.NewGraph()
	out := build(g)
	var v G.Value
	G.Read(out, &v)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if x, ok := v.Data().(float32); ok {
		return []float32{x} // a scalar
	}
	return append([]float32(nil), v.Data().([]float32)...)
}

func node(g *G.ExprGraph, name string, rows, cols int, data []float32) *G.Node {
	return G.NewMatrix(g, tensor.Float32, G.WithShape(rows, cols), G.WithName(name),
		G.WithValue(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(data))))
}

func closeTo(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(float64(got[i]) - float64(want[i])); d > tol*math.Max(1, math.Abs(float64(want[i]))) {
			t.Fatalf("%s: [%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// TestConvLayersMatchTheDefinition: the layers built from im2col, col2im
// and the products give the definitions' numbers, with patch rows read in
// place and (16 channels: 1 KB patches) padded.
func TestConvLayersMatchTheDefinition(t *testing.T) {
	for _, c := range []int{3, 16} {
		testConvLayers(t, convGeom{h: 6, w: 4, c: c, k: 4, s: 2, p: 1})
	}
}

func testConvLayers(t *testing.T, g convGeom) {
	r := rand.New(rand.NewPCG(3, 4))
	n, f := 2, 5
	x, w, b := randVec(r, n*g.h*g.w*g.c), randVec(r, g.patch()*f), randVec(r, f)
	got := runGraph(t, func(gr *G.ExprGraph) *G.Node {
		y, err := conv2d(node(gr, "x", n*g.h*g.w, g.c, x), node(gr, "w", f, g.patch(), w), node(gr, "b", 1, f, b), g)
		if err != nil {
			t.Fatal(err)
		}
		return y
	})
	closeTo(t, "conv", got, naiveConv(g, n, f, x, w, b), 1e-5)

	// The transposed convolution of the same geometry maps 3×2 images of
	// cin channels back to 6×4 of g.c.
	cin := 4
	xt, wt, bt := randVec(r, n*g.ho()*g.wo()*cin), randVec(r, cin*g.k*g.k*g.c), randVec(r, g.c)
	got = runGraph(t, func(gr *G.ExprGraph) *G.Node {
		y, err := convT2d(node(gr, "x", n*g.ho()*g.wo(), cin, xt), node(gr, "w", cin, g.k*g.k*g.c, wt), node(gr, "b", 1, g.c, bt), g)
		if err != nil {
			t.Fatal(err)
		}
		return y
	})
	closeTo(t, "transposed conv", got, naiveConvT(g, n, cin, xt, wt, bt), 1e-5)
}

// TestConvTByHand: a 1×1 input of 2 through a 4×4 kernel holding 1…16
// with stride 2 and padding 1 gives a 2×2 output (PyTorch's
// (1−1)·2 − 2·1 + 4 = 2): the kernel's middle, doubled, plus the bias 0.5.
func TestConvTByHand(t *testing.T) {
	w := make([]float32, 16)
	for i := range w {
		w[i] = float32(i + 1)
	}
	g := convGeom{h: 2, w: 2, c: 1, k: 4, s: 2, p: 1}
	got := runGraph(t, func(gr *G.ExprGraph) *G.Node {
		y, err := convT2d(node(gr, "x", 1, 1, []float32{2}), node(gr, "w", 1, 16, w), node(gr, "b", 1, 1, []float32{0.5}), g)
		if err != nil {
			t.Fatal(err)
		}
		return y
	})
	if want := []float32{12.5, 14.5, 20.5, 22.5}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v (2·{6, 7, 10, 11} + 0.5)", got, want)
	}
}

// gradCheck compares the gradients that gorgonia builds from the ops'
// SymDiff with central finite differences of loss = Σ out ⊙ R for a fixed
// random R, at a dozen entries of every input.
func gradCheck(t *testing.T, name string, build func(g *G.ExprGraph) (*G.Node, []*G.Node)) {
	t.Helper()
	r := rand.New(rand.NewPCG(5, 6))
	g := G.NewGraph()
	out, inputs := build(g)
	loss := out // a scalar output is the loss itself
	if shape := out.Shape(); !shape.IsScalar() {
		weights := node(g, "R", shape[0], shape[1], randVec(r, shape[0]*shape[1]))
		prod, err := G.HadamardProd(out, weights)
		if err != nil {
			t.Fatal(err)
		}
		if loss, err = G.Sum(prod); err != nil {
			t.Fatal(err)
		}
	}
	grads, err := G.Grad(loss, inputs...)
	if err != nil {
		t.Fatal(err)
	}
	var lossV G.Value
	G.Read(loss, &lossV)
	gradV := make([]G.Value, len(grads))
	for i, gn := range grads {
		G.Read(gn, &gradV[i])
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	eval := func() float64 {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		return float64(lossV.Data().(float32))
	}
	eval()
	analytic := make([][]float32, len(inputs))
	for i, v := range gradV {
		analytic[i] = append([]float32(nil), v.Data().([]float32)...)
	}
	for i, in := range inputs {
		data := in.Value().Data().([]float32)
		for range 12 {
			j := r.IntN(len(data))
			orig := data[j]
			const eps = 1e-2
			data[j] = orig + eps
			up := eval()
			data[j] = orig - eps
			down := eval()
			data[j] = orig
			numeric := (up - down) / (2 * eps)
			if d := math.Abs(numeric - float64(analytic[i][j])); d > 2e-2*math.Max(1, math.Abs(numeric)) {
				t.Errorf("%s: d/d%s[%d]: gradient %v, finite difference %v", name, in.Name(), j, analytic[i][j], numeric)
			}
		}
	}
}

// TestConvGradients: conv2d, convT2d, batch norm in training mode and
// leaky ReLU against finite differences.
func TestConvGradients(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	g := convGeom{h: 6, w: 4, c: 3, k: 4, s: 2, p: 1}
	n, f, cin := 2, 5, 4
	gradCheck(t, "conv2d", func(gr *G.ExprGraph) (*G.Node, []*G.Node) {
		x := node(gr, "x", n*g.h*g.w, g.c, randVec(r, n*g.h*g.w*g.c))
		w := node(gr, "w", f, g.patch(), randVec(r, g.patch()*f))
		b := node(gr, "b", 1, f, randVec(r, f))
		y, err := conv2d(x, w, b, g)
		if err != nil {
			t.Fatal(err)
		}
		return y, []*G.Node{x, w, b}
	})
	gradCheck(t, "convT2d", func(gr *G.ExprGraph) (*G.Node, []*G.Node) {
		x := node(gr, "x", n*g.ho()*g.wo(), cin, randVec(r, n*g.ho()*g.wo()*cin))
		w := node(gr, "w", cin, g.k*g.k*g.c, randVec(r, cin*g.k*g.k*g.c))
		b := node(gr, "b", 1, g.c, randVec(r, g.c))
		y, err := convT2d(x, w, b, g)
		if err != nil {
			t.Fatal(err)
		}
		return y, []*G.Node{x, w, b}
	})
	gradCheck(t, "batch norm", func(gr *G.ExprGraph) (*G.Node, []*G.Node) {
		const m, c = 12, 3
		x := node(gr, "x", m, c, randVec(r, m*c))
		gamma := node(gr, "gamma", 1, c, []float32{1.5, -0.5, 2})
		beta := node(gr, "beta", 1, c, randVec(r, c))
		y, err := batchNorm(x, gamma, beta, newBNStats("bn", c), true)
		if err != nil {
			t.Fatal(err)
		}
		return y, []*G.Node{x, gamma, beta}
	})
	gradCheck(t, "leaky ReLU", func(gr *G.ExprGraph) (*G.Node, []*G.Node) {
		// Values away from 0, where the kink would spoil a difference.
		v := randVec(r, 40)
		for i := range v {
			v[i] += float32(math.Copysign(0.1, float64(v[i])))
		}
		x := node(gr, "x", 8, 5, v)
		y, err := leaky(x, 0.2)
		if err != nil {
			t.Fatal(err)
		}
		return y, []*G.Node{x}
	})
}

// TestBatchNormByHand: one column 1, 2, 3, 4 with γ = 2 and β = 1. The
// batch mean is 2.5 and the biased variance 1.25, so y = 2·(x − 2.5)/
// √1.25001 + 1; the running mean moves from 0 to 0.1·2.5 = 0.25 and the
// running variance from 1 to 0.9 + 0.1·(5/3) (the unbiased 1.6667). In
// evaluation mode the running statistics normalise instead.
func TestBatchNormByHand(t *testing.T) {
	st := newBNStats("bn", 1)
	x := []float32{1, 2, 3, 4}
	bn := func(train bool) []float32 {
		return runGraph(t, func(gr *G.ExprGraph) *G.Node {
			y, err := batchNorm(node(gr, "x", 4, 1, x), node(gr, "g", 1, 1, []float32{2}), node(gr, "b", 1, 1, []float32{1}), st, train)
			if err != nil {
				t.Fatal(err)
			}
			return y
		})
	}
	got := bn(true)
	sd := math.Sqrt(1.25 + 1e-5)
	var want []float32
	for _, v := range x {
		want = append(want, float32(2*(float64(v)-2.5)/sd+1))
	}
	closeTo(t, "training", got, want, 1e-6)
	closeTo(t, "running mean", st.mean, []float32{0.25}, 1e-7)
	closeTo(t, "running variance", st.vari, []float32{float32(0.9 + 0.1*5.0/3)}, 1e-7)
	got = bn(false)
	want = want[:0]
	for _, v := range x {
		want = append(want, float32(2*(float64(v)-0.25)/math.Sqrt(0.9+0.5/3+1e-5)+1))
	}
	closeTo(t, "evaluation", got, want, 1e-6)
}
