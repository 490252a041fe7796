package gan

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/ganexp/ganexp/gan/internal/simd"
)

// rectify is max(x, 0) as one gorgonia op. gorgonia's Rectify is x ⊙ (x ≥ 0):
// a comparison whose branches the CPU mispredicts half the time, then a
// product, and the same two passes again for the gradient. Here forward
// and backward are one vectorised pass each. The derivative is 1 where
// x > 0 and 0 elsewhere, as PyTorch's threshold_backward; NaN passes
// forward and gets no gradient.
func rectify(x *G.Node) (*G.Node, error) { return G.ApplyOp(reluOp{}, x) }

type reluOp struct{ opBase }

func (reluOp) Arity() int { return 1 }
func (reluOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (reluOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op reluOp) Do(in ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(newLike(in[0]), in...)
}

// UsePreallocDo writes into the machine's register, so a rewound machine
// allocates nothing here.
func (reluOp) UsePreallocDo(out G.Value, in ...G.Value) (G.Value, error) {
	x, dst, err := f32s(in[0], out)
	if err != nil {
		return nil, err
	}
	simd.Relu(dst, x)
	return out, nil
}
func (reluOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "ganexp.relu") }
func (reluOp) String() string        { return "ReLU" }
func (op reluOp) Hashcode() uint32   { return hashOf(op) }
func (reluOp) DiffWRT(int) []bool    { return []bool{true} }
func (reluOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(reluGradOp{}, in[0], grad)
	return G.Nodes{d}, err
}

// reluGradOp is grad where in[0] > 0 and 0 elsewhere. in[0] may be ReLU's
// input or its output: each is positive exactly where the other is.
type reluGradOp struct{ opBase }

func (reluGradOp) Arity() int { return 2 }
func (reluGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}
func (reluGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op reluGradOp) Do(in ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(newLike(in[0]), in...)
}
func (reluGradOp) UsePreallocDo(out G.Value, in ...G.Value) (G.Value, error) {
	x, dst, err := f32s(in[0], out)
	if err != nil {
		return nil, err
	}
	g, _, err := f32s(in[1], out)
	if err != nil {
		return nil, err
	}
	if len(g) != len(x) {
		return nil, fmt.Errorf("relu gradient: %d values for %d inputs", len(g), len(x))
	}
	simd.ReluGrad(dst, x, g)
	return out, nil
}
func (reluGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "ganexp.relu_grad") }
func (reluGradOp) String() string        { return "ReLUGrad" }
func (op reluGradOp) Hashcode() uint32   { return hashOf(op) }

func hashOf(op interface{ WriteHash(hash.Hash) }) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

// newLike allocates a float32 tensor shaped like v.
func newLike(v G.Value) G.Value {
	return tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(v.Shape().Clone()...))
}

// f32s returns the float32 data of an input and of the output, which must
// be as long.
func f32s(in, out G.Value) (x, dst []float32, err error) {
	var d [2][]float32
	if err := f32All(d[:], in, out); err != nil {
		return nil, nil, fmt.Errorf("relu: %w", err)
	}
	if len(d[0]) != len(d[1]) {
		return nil, nil, fmt.Errorf("relu: output of %d values for %d inputs", len(d[1]), len(d[0]))
	}
	return d[0], d[1], nil
}

// leaky is leaky ReLU, x where x > 0 and slope·x elsewhere (DCGAN's D
// uses slope 0.2), as one op; its derivative is 1 where x > 0 and slope
// elsewhere, as PyTorch's leaky_relu_backward.
func leaky(x *G.Node, slope float32) (*G.Node, error) { return G.ApplyOp(leakyOp{slope: slope}, x) }

type leakyOp struct {
	opBase
	slope float32
}

func (leakyOp) Arity() int { return 1 }
func (leakyOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (leakyOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op leakyOp) Do(in ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(newLike(in[0]), in...)
}
func (op leakyOp) UsePreallocDo(out G.Value, in ...G.Value) (G.Value, error) {
	x, dst, err := f32s(in[0], out)
	if err != nil {
		return nil, err
	}
	// The factor is picked by index, not by a branch: the sign of an
	// activation is a coin toss the CPU would mispredict half the time
	// (and Go's float max, branch-free too, spends seven instructions on
	// NaNs and signed zeros).
	fac := [2]float32{op.slope, 1}
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = v * fac[b2i(v > 0)&1]
	}
	return out, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (op leakyOp) String() string        { return fmt.Sprintf("LeakyReLU(%g)", op.slope) }
func (op leakyOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "ganexp.", op.String()) }
func (op leakyOp) Hashcode() uint32      { return hashOf(op) }
func (leakyOp) DiffWRT(int) []bool       { return []bool{true} }
func (op leakyOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(leakyGradOp{slope: op.slope}, in[0], grad)
	return G.Nodes{d}, err
}

// leakyGradOp is grad where in[0] > 0 and slope·grad elsewhere.
type leakyGradOp struct {
	opBase
	slope float32
}

func (leakyGradOp) Arity() int { return 2 }
func (leakyGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}
func (leakyGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op leakyGradOp) Do(in ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(newLike(in[0]), in...)
}
func (op leakyGradOp) UsePreallocDo(out G.Value, in ...G.Value) (G.Value, error) {
	x, dst, err := f32s(in[0], out)
	if err != nil {
		return nil, err
	}
	g, _, err := f32s(in[1], out)
	if err != nil {
		return nil, err
	}
	// The factor is picked by index, not by a branch (see leakyOp).
	fac := [2]float32{op.slope, 1}
	g, dst = g[:len(x)], dst[:len(x)]
	for i, v := range x {
		dst[i] = g[i] * fac[b2i(v > 0)&1]
	}
	return out, nil
}
func (op leakyGradOp) String() string        { return fmt.Sprintf("LeakyReLUGrad(%g)", op.slope) }
func (op leakyGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "ganexp.", op.String()) }
func (op leakyGradOp) Hashcode() uint32      { return hashOf(op) }
