package gan

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/ganexp/ganexp/gan/internal/simd"
)

// dense is one MLP layer, x·W + b, with ReLU applied in place when relu is
// set, as one gorgonia op. gorgonia's own graph for it is a product, a
// broadcast add that first copies b into a full batch×out matrix, and the
// two ReLU passes: four ops and four full-size writes where this is one
// op and one write. The gradient is built from the ops below.
func dense(x, w, b *G.Node, relu bool) (*G.Node, error) {
	return G.ApplyOp(denseOp{relu: relu}, x, w, b)
}

// opBase holds what ganexp's ops have in common: they write a fresh
// float32 value (or the machine's preallocated one) and call no C.
type opBase struct{}

func (opBase) ReturnsPtr() bool     { return false }
func (opBase) CallsExtern() bool    { return false }
func (opBase) OverwritesInput() int { return -1 }

type denseOp struct {
	opBase
	relu bool
}

func (denseOp) Arity() int { return 3 }
func (denseOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a, a)
}
func (denseOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x, w, err := twoShapes(in[0], in[1])
	if err != nil {
		return nil, err
	}
	return tensor.Shape{x[0], w[1]}, nil
}
func (op denseOp) Do(in ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(newMatrix(in[0].Shape()[0], in[1].Shape()[1]), in...)
}

// UsePreallocDo writes into the machine's register: the product, then b
// added to every row, then ReLU in place.
func (op denseOp) UsePreallocDo(out G.Value, in ...G.Value) (G.Value, error) {
	var d [4][]float32
	err := f32All(d[:], in[0], in[1], in[2], out)
	x, w, b, dst := d[0], d[1], d[2], d[3]
	if err != nil {
		return nil, fmt.Errorf("dense: %w", err)
	}
	m, k, n := in[0].Shape()[0], in[0].Shape()[1], in[1].Shape()[1]
	if in[1].Shape()[0] != k || len(b) != n || len(dst) != m*n {
		return nil, fmt.Errorf("dense: shapes %v·%v + %v into %v", in[0].Shape(), in[1].Shape(), in[2].Shape(), out.Shape())
	}
	// The product overwrites the register (beta 0: no clearing, no copy
	// of b into every row first), then b is added row by row.
	G.WhichBLAS().Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, x, k, w, n, 0, dst, n)
	addRows(dst, b)
	if op.relu {
		simd.Relu(dst, dst)
	}
	return out, nil
}
func (op denseOp) String() string {
	if op.relu {
		return "DenseReLU"
	}
	return "Dense"
}
func (op denseOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "ganexp.", op.String()) }
func (op denseOp) Hashcode() uint32      { return hashOf(op) }
func (denseOp) DiffWRT(int) []bool       { return []bool{true, true, true} }

// SymDiff: with d the gradient at the pre-activation (grad masked where
// the output is 0), dx = d·Wᵀ, dW = xᵀ·d and db = the column sums of d.
func (op denseOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	d := grad
	if op.relu {
		var err error
		if d, err = G.ApplyOp(reluGradOp{}, out, grad); err != nil {
			return nil, err
		}
	}
	dx, err := G.ApplyOp(matMulOp{transB: true}, d, in[1])
	if err != nil {
		return nil, err
	}
	dw, err := G.ApplyOp(matMulOp{transA: true}, in[0], d)
	if err != nil {
		return nil, err
	}
	db, err := G.ApplyOp(colSumOp{}, d)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dw, db}, nil
}

// matMulOp is op(A)·op(B) with either side transposed in place, for the
// gradients of dense; gorgonia's Transpose would copy.
type matMulOp struct {
	opBase
	transA, transB bool
}

func (matMulOp) Arity() int { return 2 }
func (matMulOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}

// dims returns the rows and inner size of op(A) and the columns of op(B).
func (op matMulOp) dims(a, b tensor.Shape) (m, k, n int) {
	m, k = a[0], a[1]
	if op.transA {
		m, k = k, m
	}
	n = b[1]
	if op.transB {
		n = b[0]
	}
	return m, k, n
}
func (op matMulOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	a, b, err := twoShapes(in[0], in[1])
	if err != nil {
		return nil, err
	}
	m, _, n := op.dims(a, b)
	return tensor.Shape{m, n}, nil
}
func (op matMulOp) Do(in ...G.Value) (G.Value, error) {
	m, _, n := op.dims(in[0].Shape(), in[1].Shape())
	return op.UsePreallocDo(newMatrix(m, n), in...)
}
func (op matMulOp) UsePreallocDo(out G.Value, in ...G.Value) (G.Value, error) {
	var d [3][]float32
	err := f32All(d[:], in[0], in[1], out)
	a, b, dst := d[0], d[1], d[2]
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	as, bs := in[0].Shape(), in[1].Shape()
	m, k, n := op.dims(as, bs)
	kb := bs[0]
	if op.transB {
		kb = bs[1]
	}
	if kb != k || len(dst) != m*n {
		return nil, fmt.Errorf("%v: shapes %v and %v into %v", op, as, bs, out.Shape())
	}
	G.WhichBLAS().Sgemm(trans(op.transA), trans(op.transB), m, n, k, 1, a, as[1], b, bs[1], 0, dst, n)
	return out, nil
}
func (op matMulOp) String() string        { return fmt.Sprintf("MatMul(tA=%v,tB=%v)", op.transA, op.transB) }
func (op matMulOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "ganexp.", op.String()) }
func (op matMulOp) Hashcode() uint32      { return hashOf(op) }

// addRows adds the row b to every row of the matrix x (len(b) columns).
func addRows(x, b []float32) {
	for r := 0; r+len(b) <= len(x); r += len(b) {
		simd.AddTo(x[r:r+len(b)], b)
	}
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// colSumOp sums a matrix's rows into one 1×n row: the bias gradient.
type colSumOp struct{ opBase }

func (colSumOp) Arity() int { return 1 }
func (colSumOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (colSumOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 2 {
		return nil, fmt.Errorf("column sum: want a matrix, got %v", in[0])
	}
	return tensor.Shape{1, s[1]}, nil
}
func (op colSumOp) Do(in ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(newMatrix(1, in[0].Shape()[1]), in...)
}
func (colSumOp) UsePreallocDo(out G.Value, in ...G.Value) (G.Value, error) {
	var d [2][]float32
	err := f32All(d[:], in[0], out)
	x, dst := d[0], d[1]
	if err != nil {
		return nil, fmt.Errorf("column sum: %w", err)
	}
	n := in[0].Shape()[1]
	if len(dst) != n {
		return nil, fmt.Errorf("column sum: %v into %v", in[0].Shape(), out.Shape())
	}
	clear(dst)
	for r := 0; r+n <= len(x); r += n {
		simd.AddTo(dst, x[r:r+n])
	}
	return out, nil
}
func (colSumOp) String() string        { return "ColSum" }
func (colSumOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "ganexp.ColSum") }
func (op colSumOp) Hashcode() uint32   { return hashOf(op) }
func (colSumOp) DiffWRT(int) []bool    { return []bool{false} }
func (colSumOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("column sum: no second-order gradients")
}

func newMatrix(rows, cols int) G.Value {
	return tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(rows, cols))
}

func twoShapes(a, b G.DimSizer) (tensor.Shape, tensor.Shape, error) {
	x, ok1 := a.(tensor.Shape)
	y, ok2 := b.(tensor.Shape)
	if !ok1 || !ok2 || len(x) != 2 || len(y) != 2 {
		return nil, nil, fmt.Errorf("want two matrices, got %v and %v", a, b)
	}
	return x, y, nil
}

// f32 returns a value's float32 data.
func f32(v G.Value) ([]float32, error) {
	f, ok := v.Data().([]float32)
	if !ok {
		return nil, fmt.Errorf("want float32 values, got %T", v.Data())
	}
	return f, nil
}

// f32All returns the float32 data of several values.
func f32All(dst [][]float32, vals ...G.Value) error {
	for i, v := range vals {
		f, err := f32(v)
		if err != nil {
			return err
		}
		dst[i] = f
	}
	return nil
}
