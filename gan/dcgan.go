package gan

import (
	"fmt"
	"hash"
	"math/rand/v2"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/ganexp/ganexp"
)

// dcgan is the model of arch kind "dcgan" (Radford et al. 2016), for
// images of h×w×c whose sides halve len(channels) times:
//
//	G: z → linear to channels[0]·h₀·w₀ → BN → ReLU → reshape (h₀, w₀,
//	   channels[0]) → for each further width: transposed conv (k4 s2 p1)
//	   → BN → ReLU → a last transposed conv to c channels → tanh;
//	D: image → conv (k4 s2 p1) to channels[0] → leaky ReLU (0.2) → for
//	   each further width: conv → BN → leaky ReLU → linear to one logit.
//
// with h₀ = h/2^L. Batch norm is optional (batchNorm); convolutions keep
// their bias, as PyTorch's layers do by default, and every weight starts
// as PyTorch's default initialisation draws it: U(±1/√fan_in), where a
// transposed convolution's fan_in is c_out·k·k (PyTorch reads it from the
// weight's second dimension), and batch norm's γ = 1, β = 0.
//
// Images are matrices with a row per pixel (conv.go); a sample is the
// image's values channel by channel (c×h×w, as the data sets give them),
// so with more than one channel G's output and D's input are permuted.
type dcgan struct {
	role      string
	c, h, w   int
	channels  []int
	batchNorm bool
	weights   []*tensor.Dense
	stats     []*bnStats // per batch norm layer, in order
}

// dcganKernel, dcganStride and dcganPad are DCGAN's convolutions.
const (
	dcganKernel = 4
	dcganStride = 2
	dcganPad    = 1
	dcganSlope  = 0.2 // leaky ReLU in D
)

func newDCGAN(r *rand.Rand, role string, d dims, a ganexp.Arch) (*dcgan, error) {
	if !d.images() {
		return nil, fmt.Errorf("arch kind dcgan needs image data (mnist, stacked_mnist)")
	}
	m := &dcgan{role: role, c: d.c, h: d.h, w: d.w, channels: a.G, batchNorm: !a.NoBatchNorm}
	if role == roleD {
		m.channels = a.D
	}
	L := len(m.channels)
	if L == 0 || d.h%(1<<L) != 0 || d.w%(1<<L) != 0 {
		return nil, fmt.Errorf("dcgan: %d×%d images do not halve %d times", d.h, d.w, L)
	}
	uniform := func(n, fanIn int) []float32 { return uniformVec(r, n, fanIn) }
	add := func(rows, cols int, data []float32) {
		m.weights = append(m.weights, tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(data)))
	}
	addBN := func(c int) {
		if !m.batchNorm {
			return
		}
		ones := make([]float32, c)
		for i := range ones {
			ones[i] = 1
		}
		add(1, c, ones)
		add(1, c, make([]float32, c))
		m.stats = append(m.stats, newBNStats(fmt.Sprintf("%s_bn%d", role, len(m.stats)), c))
	}
	k2 := dcganKernel * dcganKernel
	h0, w0 := d.h>>L, d.w>>L
	if role == roleG {
		first := m.channels[0] * h0 * w0
		add(d.in, first, uniform(d.in*first, d.in))
		add(1, first, uniform(first, d.in))
		addBN(first)
		for i, cin := range m.channels {
			cout := d.c
			if i+1 < L {
				cout = m.channels[i+1]
			}
			add(cin, k2*cout, uniform(cin*k2*cout, cout*k2))
			add(1, cout, uniform(cout, cout*k2))
			if i+1 < L {
				addBN(cout)
			}
		}
		return m, nil
	}
	cin := d.c
	for i, cout := range m.channels {
		add(cout, k2*cin, uniform(k2*cin*cout, cin*k2))
		add(1, cout, uniform(cout, cin*k2))
		if i > 0 {
			addBN(cout)
		}
		cin = cout
	}
	flat := h0 * w0 * cin
	add(flat, 1, uniform(flat, flat))
	add(1, 1, uniform(1, flat))
	return m, nil
}

func (m *dcgan) params() [][]float32 {
	ps := make([][]float32, len(m.weights))
	for i, w := range m.weights {
		ps[i] = w.Data().([]float32)
	}
	return ps
}

// buffers are the batch norm layers' running means and variances.
func (m *dcgan) buffers() [][]float32 {
	var out [][]float32
	for _, st := range m.stats {
		out = append(out, st.mean, st.vari)
	}
	return out
}

func (m *dcgan) bind(g *G.ExprGraph) []*G.Node { return bindWeights(g, m.weights, m.role) }

// geom is the convolution between images of h×w×c and (h/2)×(w/2).
func geomOf(h, w, c int) convGeom {
	return convGeom{h: h, w: w, c: c, k: dcganKernel, s: dcganStride, p: dcganPad}
}

func (m *dcgan) apply(x *G.Node, ws []*G.Node, train bool) (*G.Node, error) {
	next := func() *G.Node { n := ws[0]; ws = ws[1:]; return n }
	bnIdx := 0
	norm := func(h *G.Node) (*G.Node, error) {
		if !m.batchNorm {
			return h, nil
		}
		st := m.stats[bnIdx]
		bnIdx++
		gamma, beta := next(), next()
		return batchNorm(h, gamma, beta, st, train)
	}
	n := x.Shape()[0]
	L := len(m.channels)
	h0, w0 := m.h>>L, m.w>>L
	if m.role == roleG {
		h, err := dense(x, next(), next(), false)
		if err != nil {
			return nil, err
		}
		if h, err = norm(h); err != nil {
			return nil, err
		}
		if h, err = rectify(h); err != nil {
			return nil, err
		}
		if h, err = G.Reshape(h, tensor.Shape{n * h0 * w0, m.channels[0]}); err != nil {
			return nil, err
		}
		hh, ww := h0, w0
		for i := range m.channels {
			cout := m.c
			if i+1 < L {
				cout = m.channels[i+1]
			}
			hh, ww = 2*hh, 2*ww
			if h, err = convT2d(h, next(), next(), geomOf(hh, ww, cout)); err != nil {
				return nil, fmt.Errorf("G layer %d: %w", i+1, err)
			}
			if i+1 == L {
				break
			}
			if h, err = norm(h); err != nil {
				return nil, err
			}
			if h, err = rectify(h); err != nil {
				return nil, err
			}
		}
		if h, err = G.Tanh(h); err != nil {
			return nil, err
		}
		if h, err = G.Reshape(h, tensor.Shape{n, m.h * m.w * m.c}); err != nil {
			return nil, err
		}
		return permute(h, m.c, m.h, m.w, false)
	}
	h, err := permute(x, m.c, m.h, m.w, true)
	if err != nil {
		return nil, err
	}
	if h, err = G.Reshape(h, tensor.Shape{n * m.h * m.w, m.c}); err != nil {
		return nil, err
	}
	hh, ww, cin := m.h, m.w, m.c
	for i := range m.channels {
		if h, err = conv2d(h, next(), next(), geomOf(hh, ww, cin)); err != nil {
			return nil, fmt.Errorf("D layer %d: %w", i+1, err)
		}
		if i > 0 {
			if h, err = norm(h); err != nil {
				return nil, err
			}
		}
		if h, err = leaky(h, dcganSlope); err != nil {
			return nil, err
		}
		hh, ww, cin = hh/2, ww/2, m.channels[i]
	}
	if h, err = G.Reshape(h, tensor.Shape{n, hh * ww * cin}); err != nil {
		return nil, err
	}
	return dense(h, next(), next(), false)
}

// permute reorders each row's image between channel by channel (c×h×w,
// the data's order) and pixel by pixel (h×w×c, the graphs'): toPixels
// for D's input, the other way for G's output. One channel needs nothing.
func permute(x *G.Node, c, h, w int, toPixels bool) (*G.Node, error) {
	if c == 1 {
		return x, nil
	}
	return G.ApplyOp(permuteOp{c: c, h: h, w: w, toPixels: toPixels}, x)
}

type permuteOp struct {
	opBase
	c, h, w  int
	toPixels bool
}

func (permuteOp) Arity() int { return 1 }
func (permuteOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (op permuteOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 2 || s[1] != op.c*op.h*op.w {
		return nil, fmt.Errorf("%v: want n×%d, got %v", op, op.c*op.h*op.w, in[0])
	}
	return s.Clone(), nil
}
func (op permuteOp) Do(in ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(newLike(in[0]), in...)
}
func (op permuteOp) UsePreallocDo(out G.Value, in ...G.Value) (G.Value, error) {
	x, dst, err := f32s(in[0], out)
	if err != nil {
		return nil, err
	}
	hw := op.h * op.w
	per := op.c * hw
	for r := 0; r+per <= len(x); r += per {
		src, d := x[r:r+per], dst[r:r+per]
		for ch := range op.c {
			for p := range hw {
				if op.toPixels {
					d[p*op.c+ch] = src[ch*hw+p]
				} else {
					d[ch*hw+p] = src[p*op.c+ch]
				}
			}
		}
	}
	return out, nil
}
func (op permuteOp) String() string {
	return fmt.Sprintf("Permute(%dx%dx%d,toPixels=%v)", op.c, op.h, op.w, op.toPixels)
}
func (op permuteOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "ganexp.", op.String()) }
func (op permuteOp) Hashcode() uint32      { return hashOf(op) }
func (permuteOp) DiffWRT(int) []bool       { return []bool{true} }

// SymDiff: a permutation's gradient is the inverse permutation.
func (op permuteOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	inv := op
	inv.toPixels = !op.toPixels
	d, err := G.ApplyOp(inv, grad)
	return G.Nodes{d}, err
}
