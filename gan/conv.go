package gan

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/ganexp/ganexp/gan/internal/simd"
)

// Convolutions are matrix products on the project's own kernels. Images
// flow through the graphs as matrices with one row per pixel and one
// column per channel: a batch of n images of h×w×c is an (n·h·w)×c matrix,
// rows in the order image, row, column (NHWC). Then
//
//   - a convolution is im2col, which copies each output pixel's k×k×c
//     input patch into a row, then a product with a (k·k·c)×f weight
//     matrix, plus the bias;
//   - a transposed convolution, the convolution's adjoint, is a product of
//     the input with a c_in×(k·k·c_out) weight matrix, then col2im, which
//     adds each row's k×k patch of outputs into the output image;
//   - batch norm over channels is batch norm over the matrix's columns.
//
// im2col and col2im are each other's adjoints (⟨im2col x, y⟩ = ⟨x, col2im
// y⟩), which gives every gradient: a convolution's input gradient is
// col2im of dy·Wᵀ and its weight gradient im2col(x)ᵀ·dy; a transposed
// convolution's input gradient is im2col(dy)·Wᵀ and its weight gradient
// xᵀ·im2col(dy). Each layer and each gradient is one op that keeps the
// patch matrix in scratch memory of its own, with rows padded so that
// the product reads them in place (see patchStride).

// convGeom is a convolution's geometry: input images of h×w×c, a k×k
// kernel, stride s and zero padding p on every side.
type convGeom struct {
	h, w, c int
	k, s, p int
}

// ho and wo are the output's height and width.
func (g convGeom) ho() int { return (g.h+2*g.p-g.k)/g.s + 1 }
func (g convGeom) wo() int { return (g.w+2*g.p-g.k)/g.s + 1 }

// patch is the width of an im2col row.
func (g convGeom) patch() int { return g.k * g.k * g.c }

func (g convGeom) String() string {
	return fmt.Sprintf("%dx%dx%d k%d s%d p%d", g.h, g.w, g.c, g.k, g.s, g.p)
}

// images is how many images an input of rows pixel rows holds, or an
// error if rows is not a whole number of them.
func (g convGeom) images(rows int) (int, error) {
	if rows%(g.h*g.w) != 0 {
		return 0, fmt.Errorf("%d pixel rows are not whole %d×%d images", rows, g.h, g.w)
	}
	return rows / (g.h * g.w), nil
}

// im2col writes into cols, for each of n images x (NHWC) and each output
// pixel, the k×k×c input patch that the kernel sees there (zeros where it
// overhangs the padding), in the order kernel row, kernel column,
// channel: one row of cols per output pixel, ld values apart.
func im2col(g convGeom, n int, x, cols []float32, ld int) {
	ho, wo, pw := g.ho(), g.wo(), g.patch()
	row := 0
	for img := range n {
		base := img * g.h * g.w
		for oy := range ho {
			for ox := range wo {
				dst := cols[row*ld : row*ld+pw]
				for ky := range g.k {
					iy := oy*g.s - g.p + ky
					seg := dst[ky*g.k*g.c : (ky+1)*g.k*g.c]
					if iy < 0 || iy >= g.h {
						clear(seg)
						continue
					}
					if ix0 := ox*g.s - g.p; ix0 >= 0 && ix0+g.k <= g.w {
						// The kernel row lies inside the image: its k
						// pixels are adjacent, one copy.
						src := (base + iy*g.w + ix0) * g.c
						copy(seg, x[src:src+g.k*g.c])
						continue
					}
					for kx := range g.k {
						ix := ox*g.s - g.p + kx
						out := seg[kx*g.c : (kx+1)*g.c]
						if ix < 0 || ix >= g.w {
							clear(out)
							continue
						}
						src := (base + iy*g.w + ix) * g.c
						if g.c == 1 {
							out[0] = x[src] // a call to copy per value cost more
							continue
						}
						copy(out, x[src:src+g.c])
					}
				}
				row++
			}
		}
	}
}

// col2im is im2col's adjoint: it sets x (n images, NHWC) to the sum, at
// each input pixel, of the patch entries of cols (rows ld values apart)
// that im2col would copy from it. Entries that fall on the padding are
// dropped.
func col2im(g convGeom, n int, cols []float32, ld int, x []float32) {
	clear(x)
	ho, wo, pw := g.ho(), g.wo(), g.patch()
	row := 0
	for img := range n {
		base := img * g.h * g.w
		for oy := range ho {
			for ox := range wo {
				src := cols[row*ld : row*ld+pw]
				for ky := range g.k {
					iy := oy*g.s - g.p + ky
					if iy < 0 || iy >= g.h {
						continue
					}
					if ix0 := ox*g.s - g.p; ix0 >= 0 && ix0+g.k <= g.w {
						at := (base + iy*g.w + ix0) * g.c
						simd.AddTo(x[at:at+g.k*g.c], src[ky*g.k*g.c:(ky+1)*g.k*g.c])
						continue
					}
					for kx := range g.k {
						ix := ox*g.s - g.p + kx
						if ix < 0 || ix >= g.w {
							continue
						}
						at := (base + iy*g.w + ix) * g.c
						in := src[(ky*g.k+kx)*g.c : (ky*g.k+kx+1)*g.c]
						if g.c == 1 {
							x[at] += in[0]
							continue
						}
						simd.AddTo(x[at:at+g.c], in)
					}
				}
				row++
			}
		}
	}
}

// patchStride is the row stride of a patch matrix of pw columns: pw,
// or pw plus a cache line when rows pw floats apart would alias in L1 (a
// multiple of 1 KB, as DCGAN's 4×4×64 = 1,024-float patches are), which
// would make the product copy the whole matrix first.
func patchStride(pw int) int {
	if pw*4%1024 == 0 {
		return pw + 16
	}
	return pw
}

// scratch is an op's patch matrix, kept between runs: a machine runs its
// ops one at a time, and each op belongs to one graph.
type scratch struct{ buf []float32 }

func (s *scratch) get(n int) []float32 {
	if cap(s.buf) < n {
		s.buf = make([]float32, n)
	}
	return s.buf[:n]
}

// convOp is a layer (conv or transposed conv) or one of its gradients:
//
//	conv:   y  = im2col(x)·Wᵀ + b         x: images in, W: f×patch
//	convDx: dx = col2im(dy·W)             (dy, W)
//	convDw: dW = dyᵀ·im2col(x)            (x, dy)
//	convT:   y  = col2im(x·W) + b          x: images of g's output size, W: c_in×patch
//	convTDx: dx = im2col(dy)·Wᵀ            (dy, W)
//	convTDw: dW = xᵀ·im2col(dy)            (x, dy)
//
// where g is the convolution's geometry (for the transposed one, that of
// the convolution it transposes) and f the other side's channels. Both
// weight matrices have the f (or c_in) side first, as PyTorch's do: then
// every product above has a shape the kernels run near their peak on
// (patch×f weights made the weight gradient a product with a transposed
// 3,136-row A, at half the speed).
type convOp struct {
	opBase
	kind string
	g    convGeom
	f    int
	sc   *scratch
	// reuse says sc is the forward op's, which holds im2col(x) by the
	// time the weight gradient runs (the gradient waits for dy, which
	// waits for the forward op): convDw then skips its own im2col.
	reuse bool
}

const (
	convFwd  = "conv"
	convDx   = "convDx"
	convDw   = "convDw"
	convTFwd = "convT"
	convTDx  = "convTDx"
	convTDw  = "convTDw"
)

func newConvOp(kind string, g convGeom, f int) convOp {
	return convOp{kind: kind, g: g, f: f, sc: &scratch{}}
}

func (op convOp) Arity() int {
	if op.kind == convFwd || op.kind == convTFwd {
		return 3 // the layers take a bias
	}
	return 2
}
func (op convOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	if op.Arity() == 3 {
		return hm.NewFnType(a, a, a, a)
	}
	return hm.NewFnType(a, a, a)
}

// InferShape: the output's rows follow from in[0]'s, whole images of
// the geometry's input or output size.
func (op convOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 2 {
		return nil, fmt.Errorf("%v: want a matrix, got %v", op, in[0])
	}
	g, big, small := op.g, op.g.h*op.g.w, op.g.ho()*op.g.wo()
	switch op.kind {
	case convFwd:
		return tensor.Shape{s[0] / big * small, op.f}, nil
	case convDx:
		return tensor.Shape{s[0] / small * big, g.c}, nil
	case convDw:
		return tensor.Shape{op.f, g.patch()}, nil
	case convTFwd:
		return tensor.Shape{s[0] / small * big, g.c}, nil
	case convTDx:
		return tensor.Shape{s[0] / big * small, op.f}, nil
	case convTDw:
		return tensor.Shape{op.f, g.patch()}, nil
	}
	return nil, fmt.Errorf("%v: unknown kind", op)
}
func (op convOp) Do(in ...G.Value) (G.Value, error) {
	s, err := op.InferShape(in[0].Shape())
	if err != nil {
		return nil, err
	}
	return op.UsePreallocDo(newMatrix(s[0], s[1]), in...)
}
func (op convOp) UsePreallocDo(out G.Value, in ...G.Value) (G.Value, error) {
	var d [4][]float32
	vals := append(append([]G.Value{}, in...), out)
	if err := f32All(d[:len(vals)], vals...); err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	g, f, pw := op.g, op.f, op.g.patch()
	ld := patchStride(pw)
	big, small := g.h*g.w, g.ho()*g.wo()
	rows := in[0].Shape()[0]
	blas := G.WhichBLAS()
	check := func(want ...int) error {
		for i, n := range want {
			if len(d[i]) != n {
				return fmt.Errorf("%v: operand %d has %d values, want %d (shapes %v)", op, i, len(d[i]), n, in[0].Shape())
			}
		}
		return nil
	}
	switch op.kind {
	case convFwd: // x (n·h·w × c), W (f × pw), b (1 × f) → y (n·ho·wo × f)
		n := rows / big
		m := n * small
		if err := check(rows*g.c, pw*f, f, m*f); err != nil {
			return nil, err
		}
		cols := op.sc.get(m * ld)
		im2col(g, n, d[0], cols, ld)
		blas.Sgemm(trans(false), trans(true), m, f, pw, 1, cols, ld, d[1], pw, 0, d[3], f)
		addRows(d[3], d[2])
	case convDx: // dy (n·ho·wo × f), W (f × pw) → dx (n·h·w × c)
		n := rows / small
		if err := check(rows*f, pw*f, n*big*g.c); err != nil {
			return nil, err
		}
		cols := op.sc.get(rows * ld)
		blas.Sgemm(trans(false), trans(false), rows, pw, f, 1, d[0], f, d[1], pw, 0, cols, ld)
		col2im(g, n, cols, ld, d[2])
	case convDw: // x (n·h·w × c), dy (n·ho·wo × f) → dW (f × pw)
		n := rows / big
		m := n * small
		if err := check(rows*g.c, m*f, pw*f); err != nil {
			return nil, err
		}
		cols := op.sc.get(m * ld)
		if !op.reuse {
			im2col(g, n, d[0], cols, ld)
		}
		blas.Sgemm(trans(true), trans(false), f, pw, m, 1, d[1], f, cols, ld, 0, d[2], pw)
	case convTFwd: // x (n·ho·wo × f), W (f × pw), b (1 × c) → y (n·h·w × c)
		n := rows / small
		if err := check(rows*f, f*pw, g.c, n*big*g.c); err != nil {
			return nil, err
		}
		cols := op.sc.get(rows * ld)
		blas.Sgemm(trans(false), trans(false), rows, pw, f, 1, d[0], f, d[1], pw, 0, cols, ld)
		col2im(g, n, cols, ld, d[3])
		addRows(d[3], d[2])
	case convTDx: // dy (n·h·w × c), W (f × pw) → dx (n·ho·wo × f)
		n := rows / big
		m := n * small
		if err := check(rows*g.c, f*pw, m*f); err != nil {
			return nil, err
		}
		cols := op.sc.get(m * ld)
		im2col(g, n, d[0], cols, ld)
		blas.Sgemm(trans(false), trans(true), m, f, pw, 1, cols, ld, d[1], pw, 0, d[2], f)
	case convTDw: // x (n·ho·wo × f), dy (n·h·w × c) → dW (f × pw)
		n := rows / small
		if err := check(rows*f, n*big*g.c, f*pw); err != nil {
			return nil, err
		}
		cols := op.sc.get(rows * ld)
		im2col(g, n, d[1], cols, ld)
		blas.Sgemm(trans(true), trans(false), f, pw, rows, 1, d[0], f, cols, ld, 0, d[2], pw)
	default:
		return nil, fmt.Errorf("%v: unknown kind", op)
	}
	return out, nil
}
func (op convOp) String() string        { return fmt.Sprintf("%s(%v,f%d)", op.kind, op.g, op.f) }
func (op convOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "ganexp.", op.String()) }
func (op convOp) Hashcode() uint32      { return hashOf(op) }
func (op convOp) DiffWRT(int) []bool {
	if op.Arity() == 3 {
		return []bool{true, true, true}
	}
	return []bool{false, false}
}

// SymDiff of the layers; the gradients themselves have none (no second
// order).
func (op convOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dx, dw := convDx, convDw
	switch op.kind {
	case convFwd:
	case convTFwd:
		dx, dw = convTDx, convTDw
	default:
		return nil, fmt.Errorf("%v: no second-order gradients", op)
	}
	gx, err := G.ApplyOp(newConvOp(dx, op.g, op.f), grad, in[1])
	if err != nil {
		return nil, err
	}
	w := newConvOp(dw, op.g, op.f)
	if op.kind == convFwd {
		w.sc, w.reuse = op.sc, true
	}
	gw, err := G.ApplyOp(w, in[0], grad)
	if err != nil {
		return nil, err
	}
	gb, err := G.ApplyOp(colSumOp{}, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{gx, gw, gb}, nil
}

// conv2d is a convolution of the NHWC images x ((n·h·w)×c) with the
// f×(k·k·c) weights w and the 1×f bias b: (n·ho·wo)×f.
func conv2d(x, w, b *G.Node, g convGeom) (*G.Node, error) {
	return G.ApplyOp(newConvOp(convFwd, g, w.Shape()[0]), x, w, b)
}

// convT2d is the transposed convolution of geometry g (the convolution
// it transposes maps g's h×w×c images to ho×wo ones): x holds n images of
// ho×wo×c_in, w is c_in×(k·k·c), b is 1×c, and the output (n·h·w)×c.
func convT2d(x, w, b *G.Node, g convGeom) (*G.Node, error) {
	return G.ApplyOp(newConvOp(convTFwd, g, w.Shape()[0]), x, w, b)
}
