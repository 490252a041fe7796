package gan

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// xent is the mean softmax cross-entropy of logits (n×k) against one-hot
// targets (n×k), −(1/n) Σ_i log softmax(l_i)[y_i], as one op: PyTorch's
// cross_entropy. Its gradient with respect to the logits is
// (softmax(l) − y)/n.
func xent(logits, onehot *G.Node) (*G.Node, error) {
	m, err := G.ApplyOp(xentOp{}, logits, onehot)
	if err != nil {
		return nil, err
	}
	// A cost must be a scalar for G.Grad; the op's value is 1×1.
	return G.Sum(m)
}

type xentOp struct{ opBase }

func (xentOp) Arity() int { return 2 }
func (xentOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}
func (xentOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if _, _, err := twoShapes(in[0], in[1]); err != nil {
		return nil, err
	}
	return tensor.Shape{1, 1}, nil
}
func (op xentOp) Do(in ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(newMatrix(1, 1), in...)
}

// logSoftmaxRow writes log softmax(l) into dst, shifted by the row's
// maximum so that exp never overflows.
func logSoftmaxRow(dst, l []float32) {
	hi := l[0]
	for _, v := range l {
		hi = max(hi, v)
	}
	sum := 0.0
	for _, v := range l {
		sum += math.Exp(float64(v - hi))
	}
	lse := float64(hi) + math.Log(sum)
	for j, v := range l {
		dst[j] = float32(float64(v) - lse)
	}
}

func (op xentOp) UsePreallocDo(out G.Value, in ...G.Value) (G.Value, error) {
	var d [3][]float32
	if err := f32All(d[:], in[0], in[1], out); err != nil {
		return nil, fmt.Errorf("cross-entropy: %w", err)
	}
	l, y := d[0], d[1]
	n, k := in[0].Shape()[0], in[0].Shape()[1]
	if len(y) != n*k {
		return nil, fmt.Errorf("cross-entropy: targets %v for logits %v", in[1].Shape(), in[0].Shape())
	}
	row := make([]float32, k)
	total := 0.0
	for i := range n {
		logSoftmaxRow(row, l[i*k:(i+1)*k])
		for j, t := range y[i*k : (i+1)*k] {
			total -= float64(t) * float64(row[j])
		}
	}
	d[2][0] = float32(total / float64(n))
	return out, nil
}
func (xentOp) String() string        { return "SoftmaxCrossEntropy" }
func (xentOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "ganexp.xent") }
func (op xentOp) Hashcode() uint32   { return hashOf(op) }
func (xentOp) DiffWRT(int) []bool    { return []bool{true, false} }
func (xentOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(xentGradOp{}, in[0], in[1], grad)
	return G.Nodes{d, nil}, err
}

// xentGradOp is the cross-entropy's gradient with respect to the logits,
// (softmax(l) − y)/n, times the (1×1) gradient reaching the loss.
type xentGradOp struct{ opBase }

func (xentGradOp) Arity() int { return 3 }
func (xentGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a, a)
}
func (xentGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op xentGradOp) Do(in ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(newLike(in[0]), in...)
}
func (xentGradOp) UsePreallocDo(out G.Value, in ...G.Value) (G.Value, error) {
	var d [4][]float32
	if err := f32All(d[:], in[0], in[1], in[2], out); err != nil {
		return nil, fmt.Errorf("cross-entropy gradient: %w", err)
	}
	l, y, g, dst := d[0], d[1], d[2][0], d[3]
	n, k := in[0].Shape()[0], in[0].Shape()[1]
	scale := g / float32(n)
	for i := range n {
		row := dst[i*k : (i+1)*k]
		logSoftmaxRow(row, l[i*k:(i+1)*k])
		for j := range row {
			row[j] = (float32(math.Exp(float64(row[j]))) - y[i*k+j]) * scale
		}
	}
	return out, nil
}
func (xentGradOp) String() string        { return "SoftmaxCrossEntropyGrad" }
func (xentGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "ganexp.xent_grad") }
func (op xentGradOp) Hashcode() uint32   { return hashOf(op) }
