package gan

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Convolutions are matrix products on the project's own kernels. Images
// flow through the graphs as matrices with one row per pixel and one
// column per channel: a batch of n images of h×w×c is an (n·h·w)×c matrix,
// rows in the order image, row, column (NHWC). Then
//
//   - a convolution is im2col, which copies each output pixel's k×k×c
//     input patch into a row, then a product with a (k·k·c)×f weight
//     matrix plus the bias (dense);
//   - a transposed convolution, the convolution's adjoint, is a product of
//     the input with a c_in×(k·k·c_out) weight matrix, then col2im, which
//     adds each row's k×k patch of outputs into the output image;
//   - batch norm over channels is batch norm over the matrix's columns.
//
// im2col and col2im are each other's adjoints (⟨im2col x, y⟩ = ⟨x, col2im
// y⟩), so each is the other's gradient.

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
// channel.
func im2col(g convGeom, n int, x, cols []float32) {
	ho, wo, pw := g.ho(), g.wo(), g.patch()
	row := 0
	for img := range n {
		base := img * g.h * g.w
		for oy := range ho {
			for ox := range wo {
				dst := cols[row*pw : (row+1)*pw]
				for ky := range g.k {
					iy := oy*g.s - g.p + ky
					seg := dst[ky*g.k*g.c : (ky+1)*g.k*g.c]
					if iy < 0 || iy >= g.h {
						clear(seg)
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
						copy(out, x[src:src+g.c])
					}
				}
				row++
			}
		}
	}
}

// col2im is im2col's adjoint: it sets x (n images, NHWC) to the sum, at
// each input pixel, of the patch entries of cols that im2col would copy
// from it. Entries that fall on the padding are dropped.
func col2im(g convGeom, n int, cols, x []float32) {
	clear(x)
	ho, wo, pw := g.ho(), g.wo(), g.patch()
	row := 0
	for img := range n {
		base := img * g.h * g.w
		for oy := range ho {
			for ox := range wo {
				src := cols[row*pw : (row+1)*pw]
				for ky := range g.k {
					iy := oy*g.s - g.p + ky
					if iy < 0 || iy >= g.h {
						continue
					}
					for kx := range g.k {
						ix := ox*g.s - g.p + kx
						if ix < 0 || ix >= g.w {
							continue
						}
						dst := x[(base+iy*g.w+ix)*g.c : (base+iy*g.w+ix+1)*g.c]
						in := src[(ky*g.k+kx)*g.c : (ky*g.k+kx+1)*g.c]
						for j, v := range in {
							dst[j] += v
						}
					}
				}
				row++
			}
		}
	}
}

// im2colOp is im2col as a gorgonia op: (n·h·w)×c in, (n·ho·wo)×(k·k·c)
// out.
type im2colOp struct {
	opBase
	g convGeom
}

func (im2colOp) Arity() int { return 1 }
func (im2colOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (op im2colOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 2 || s[1] != op.g.c {
		return nil, fmt.Errorf("%v: want an (n·h·w)×%d matrix, got %v", op, op.g.c, in[0])
	}
	n, err := op.g.images(s[0])
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	return tensor.Shape{n * op.g.ho() * op.g.wo(), op.g.patch()}, nil
}
func (op im2colOp) Do(in ...G.Value) (G.Value, error) {
	s, err := op.InferShape(in[0].Shape())
	if err != nil {
		return nil, err
	}
	return op.UsePreallocDo(newMatrix(s[0], s[1]), in...)
}
func (op im2colOp) UsePreallocDo(out G.Value, in ...G.Value) (G.Value, error) {
	var d [2][]float32
	if err := f32All(d[:], in[0], out); err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	n, err := op.g.images(in[0].Shape()[0])
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	if len(d[1]) != n*op.g.ho()*op.g.wo()*op.g.patch() {
		return nil, fmt.Errorf("%v: output %v", op, out.Shape())
	}
	im2col(op.g, n, d[0], d[1])
	return out, nil
}
func (op im2colOp) String() string        { return "Im2Col(" + op.g.String() + ")" }
func (op im2colOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "ganexp.", op.String()) }
func (op im2colOp) Hashcode() uint32      { return hashOf(op) }
func (im2colOp) DiffWRT(int) []bool       { return []bool{true} }
func (op im2colOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(col2imOp{g: op.g}, grad)
	return G.Nodes{d}, err
}

// col2imOp is col2im as a gorgonia op, (n·ho·wo)×(k·k·c) in, (n·h·w)×c
// out, plus a 1×c bias row added to every pixel when bias is set (a
// transposed convolution's bias; then the op takes it as a second input).
type col2imOp struct {
	opBase
	g    convGeom
	bias bool
}

func (op col2imOp) Arity() int {
	if op.bias {
		return 2
	}
	return 1
}
func (op col2imOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	if op.bias {
		return hm.NewFnType(a, a, a)
	}
	return hm.NewFnType(a, a)
}
func (op col2imOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	per := op.g.ho() * op.g.wo()
	if !ok || len(s) != 2 || s[1] != op.g.patch() || s[0]%per != 0 {
		return nil, fmt.Errorf("%v: want an (n·%d)×%d matrix, got %v", op, per, op.g.patch(), in[0])
	}
	return tensor.Shape{s[0] / per * op.g.h * op.g.w, op.g.c}, nil
}
func (op col2imOp) Do(in ...G.Value) (G.Value, error) {
	s, err := op.InferShape(in[0].Shape())
	if err != nil {
		return nil, err
	}
	return op.UsePreallocDo(newMatrix(s[0], s[1]), in...)
}
func (op col2imOp) UsePreallocDo(out G.Value, in ...G.Value) (G.Value, error) {
	var d [2][]float32
	if err := f32All(d[:], in[0], out); err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	n := in[0].Shape()[0] / (op.g.ho() * op.g.wo())
	if len(d[1]) != n*op.g.h*op.g.w*op.g.c {
		return nil, fmt.Errorf("%v: output %v", op, out.Shape())
	}
	col2im(op.g, n, d[0], d[1])
	if op.bias {
		b, err := f32(in[1])
		if err != nil || len(b) != op.g.c {
			return nil, fmt.Errorf("%v: bias %v (%v)", op, in[1].Shape(), err)
		}
		addRows(d[1], b)
	}
	return out, nil
}
func (op col2imOp) String() string {
	if op.bias {
		return "Col2ImBias(" + op.g.String() + ")"
	}
	return "Col2Im(" + op.g.String() + ")"
}
func (op col2imOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "ganexp.", op.String()) }
func (op col2imOp) Hashcode() uint32      { return hashOf(op) }
func (op col2imOp) DiffWRT(int) []bool {
	if op.bias {
		return []bool{true, true}
	}
	return []bool{true}
}

// SymDiff: the adjoint's gradient is im2col; the bias's, the column sums.
func (op col2imOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(im2colOp{g: op.g}, grad)
	if err != nil || !op.bias {
		return G.Nodes{d}, err
	}
	db, err := G.ApplyOp(colSumOp{}, grad)
	return G.Nodes{d, db}, err
}

// conv2d is a convolution of the NHWC images x ((n·h·w)×c) with the
// (k·k·c)×f weights w and the 1×f bias b: (n·ho·wo)×f.
func conv2d(x, w, b *G.Node, g convGeom) (*G.Node, error) {
	cols, err := G.ApplyOp(im2colOp{g: g}, x)
	if err != nil {
		return nil, err
	}
	return dense(cols, w, b, false)
}

// convT2d is the transposed convolution of geometry g (the convolution
// it transposes maps g's h×w×c images to ho×wo ones): x holds n images of
// ho×wo×c_in, w is c_in×(k·k·c), b is 1×c, and the output (n·h·w)×c.
func convT2d(x, w, b *G.Node, g convGeom) (*G.Node, error) {
	cols, err := G.ApplyOp(matMulOp{}, x, w)
	if err != nil {
		return nil, err
	}
	return G.ApplyOp(col2imOp{g: g, bias: true}, cols, b)
}
