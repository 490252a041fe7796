package gan

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/ganexp/ganexp/gan/internal/simd"
)

// Batch norm (Ioffe & Szegedy 2015) over the columns of an m×c matrix:
// features of a linear layer, or channels of NHWC images (one row per
// pixel), as PyTorch's BatchNorm1d and BatchNorm2d. In training it
// normalises by the batch's own mean and biased variance,
//
//	y = γ·(x − μ)/√(σ² + ε) + β,
//
// and moves the running statistics towards them, μ_run ← (1−m)μ_run + m·μ
// and σ²_run ← (1−m)σ²_run + m·σ²·n/(n−1) (the unbiased variance), with
// PyTorch's ε = 1e-5 and momentum m = 0.1. When G samples for evaluation it
// uses the running statistics instead, as PyTorch's eval() does.
const (
	bnEps      = 1e-5
	bnMomentum = 0.1
)

// bnStats are one batch norm layer's running statistics, shared by every
// graph the layer is bound into. A new layer's are mean 0 and variance 1.
type bnStats struct {
	name       string // the layer, which keeps two layers' ops apart
	mean, vari []float32
}

func newBNStats(name string, c int) *bnStats {
	st := &bnStats{name: name, mean: make([]float32, c), vari: make([]float32, c)}
	for i := range st.vari {
		st.vari[i] = 1
	}
	return st
}

// colMoments returns the mean and biased variance of each column of the
// m×c matrix x, from one pass of sums of x and x² (see colSums; E[x²] −
// E[x]² is exact enough in float64 for activations whose mean is within
// 10³ standard deviations of 0).
func colMoments(x []float32, c int) (mean, vari []float64) {
	mean, vari = make([]float64, c), make([]float64, c)
	colSums(x, nil, c, mean, vari)
	m := float64(len(x) / c)
	for j := range mean {
		mean[j] /= m
		vari[j] = max(vari[j]/m-mean[j]*mean[j], 0)
	}
	return mean, vari
}

// bnBlock is how many rows colSums adds in float32 before it carries the
// sums into float64: 32 float32 additions lose at most a few units of
// float32's last place, 2·10⁻⁶ of the block's sum.
const bnBlock = 32

// colSums adds to s1 the column sums of the m×c matrix a and to s2 those
// of a⊙b (a⊙a when b is nil). Rows are added with the vector kernel
// into float32 sums of bnBlock rows, which are carried into float64: the
// scalar loop it replaces, a float64 read-add-write per value and sum,
// was a tenth of a DCGAN step.
func colSums(a, b []float32, c int, s1, s2 []float64) {
	m := len(a) / c
	acc1, acc2, prod := make([]float32, c), make([]float32, c), make([]float32, c)
	for r0 := 0; r0 < m; r0 += bnBlock {
		clear(acc1)
		clear(acc2)
		for r := r0; r < min(r0+bnBlock, m); r++ {
			ra := a[r*c : (r+1)*c]
			rb := ra
			if b != nil {
				rb = b[r*c : (r+1)*c]
			}
			simd.AddTo(acc1, ra)
			for j, v := range ra {
				prod[j] = v * rb[j]
			}
			simd.AddTo(acc2, prod)
		}
		for j := range c {
			s1[j] += float64(acc1[j])
			s2[j] += float64(acc2[j])
		}
	}
}

// bnCache carries what a training-mode batch norm op computed to its
// gradient ops, which run later in the same step on the same x: the
// batch's mean and 1/σ, and the sums over dy that the dx and dγ ops both
// need, whichever of them runs first computing them.
type bnCache struct {
	gen           uint64 // forward runs so far
	mean, inv     []float64
	sumsGen       uint64 // gen of the forward run the sums belong to
	sumDy, sumDyX []float64
}

// bnOp is batch norm of x (m×c) with scale γ and shift β (1×c each): in
// training mode by the batch's statistics (and it updates st), otherwise
// by st's.
type bnOp struct {
	opBase
	st    *bnStats
	train bool
	cache *bnCache // training mode: shared with the gradient ops
}

// batchNorm applies batch norm to x with the layer's γ and β and running
// statistics st.
func batchNorm(x, gamma, beta *G.Node, st *bnStats, train bool) (*G.Node, error) {
	op := bnOp{st: st, train: train}
	if train {
		op.cache = &bnCache{}
	}
	return G.ApplyOp(op, x, gamma, beta)
}

func (bnOp) Arity() int { return 3 }
func (bnOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a, a)
}
func (op bnOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 2 || s[1] != len(op.st.mean) {
		return nil, fmt.Errorf("%v: want an m×%d matrix, got %v", op, len(op.st.mean), in[0])
	}
	return s.Clone(), nil
}
func (op bnOp) Do(in ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(newLike(in[0]), in...)
}
func (op bnOp) UsePreallocDo(out G.Value, in ...G.Value) (G.Value, error) {
	var d [4][]float32
	if err := f32All(d[:], in[0], in[1], in[2], out); err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	x, gamma, beta, y := d[0], d[1], d[2], d[3]
	c := len(op.st.mean)
	if len(gamma) != c || len(beta) != c || len(y) != len(x) || len(x)%c != 0 {
		return nil, fmt.Errorf("%v: shapes %v, %v, %v", op, in[0].Shape(), in[1].Shape(), in[2].Shape())
	}
	m := len(x) / c
	scale, shift := make([]float32, c), make([]float32, c)
	if op.train {
		mean, vari := colMoments(x, c)
		ch := op.cache
		ch.gen++
		ch.mean, ch.inv = mean, make([]float64, c)
		for j := range c {
			inv := 1 / math.Sqrt(vari[j]+bnEps)
			ch.inv[j] = inv
			scale[j] = float32(float64(gamma[j]) * inv)
			shift[j] = float32(float64(beta[j]) - mean[j]*float64(gamma[j])*inv)
			unbiased := vari[j]
			if m > 1 {
				unbiased *= float64(m) / float64(m-1)
			}
			op.st.mean[j] = float32((1-bnMomentum)*float64(op.st.mean[j]) + bnMomentum*mean[j])
			op.st.vari[j] = float32((1-bnMomentum)*float64(op.st.vari[j]) + bnMomentum*unbiased)
		}
	} else {
		for j := range c {
			inv := 1 / math.Sqrt(float64(op.st.vari[j])+bnEps)
			scale[j] = float32(float64(gamma[j]) * inv)
			shift[j] = float32(float64(beta[j]) - float64(op.st.mean[j])*float64(gamma[j])*inv)
		}
	}
	// y = x·scale + shift, column by column.
	for r := 0; r < m; r++ {
		row, dst := x[r*c:(r+1)*c], y[r*c:(r+1)*c]
		for j, v := range row {
			dst[j] = v*scale[j] + shift[j]
		}
	}
	return out, nil
}
func (op bnOp) String() string {
	if op.train {
		return "BatchNorm(" + op.st.name + ",train)"
	}
	return "BatchNorm(" + op.st.name + ",eval)"
}
func (op bnOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "ganexp.", op.String()) }
func (op bnOp) Hashcode() uint32      { return hashOf(op) }
func (op bnOp) DiffWRT(int) []bool    { return []bool{true, true, true} }

// SymDiff in training mode, with x̂ = (x − μ)/σ and means over the rows:
//
//	dx = (γ/σ)·(dy − mean(dy) − x̂·mean(dy·x̂)),  dγ = Σ dy·x̂,  dβ = Σ dy.
func (op bnOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if !op.train {
		return nil, fmt.Errorf("%v: no gradient in evaluation mode", op)
	}
	dx, err := G.ApplyOp(bnGradOp{c: len(op.st.mean), what: bnDx, cache: op.cache}, in[0], in[1], grad)
	if err != nil {
		return nil, err
	}
	dg, err := G.ApplyOp(bnGradOp{c: len(op.st.mean), what: bnDgamma, cache: op.cache}, in[0], in[1], grad)
	if err != nil {
		return nil, err
	}
	db, err := G.ApplyOp(colSumOp{}, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dg, db}, nil
}

// bnGradOp is one of batch norm's gradients in training mode, from x, γ
// and dy: dx (m×c) or dγ (1×c). Its forward op's cache holds x's mean
// and 1/σ.
type bnGradOp struct {
	opBase
	c     int
	what  string
	cache *bnCache
}

const (
	bnDx     = "dx"
	bnDgamma = "dgamma"
)

func (bnGradOp) Arity() int { return 3 }
func (bnGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a, a)
}
func (op bnGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 2 || s[1] != op.c {
		return nil, fmt.Errorf("%v: want an m×%d matrix, got %v", op, op.c, in[0])
	}
	if op.what == bnDgamma {
		return tensor.Shape{1, op.c}, nil
	}
	return s.Clone(), nil
}
func (op bnGradOp) Do(in ...G.Value) (G.Value, error) {
	s, err := op.InferShape(in[0].Shape())
	if err != nil {
		return nil, err
	}
	return op.UsePreallocDo(newMatrix(s[0], s[1]), in...)
}
func (op bnGradOp) UsePreallocDo(out G.Value, in ...G.Value) (G.Value, error) {
	var d [4][]float32
	if err := f32All(d[:], in[0], in[1], in[2], out); err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	x, gamma, dy, dst := d[0], d[1], d[2], d[3]
	c := op.c
	if len(dy) != len(x) || len(gamma) != c {
		return nil, fmt.Errorf("%v: shapes %v, %v, %v", op, in[0].Shape(), in[1].Shape(), in[2].Shape())
	}
	m := len(x) / c
	ch := op.cache
	if ch == nil || ch.gen == 0 || len(ch.mean) != c {
		return nil, fmt.Errorf("%v: the forward pass has not run", op)
	}
	mean, inv := ch.mean, ch.inv
	// Σ dy and Σ dy·x per column, once per step for both gradient ops;
	// then Σ dy·x̂ = (Σ dy·x − μ·Σ dy)/σ.
	if ch.sumsGen != ch.gen {
		ch.sumDy, ch.sumDyX = make([]float64, c), make([]float64, c)
		colSums(dy, x, c, ch.sumDy, ch.sumDyX)
		ch.sumsGen = ch.gen
	}
	sumDy, sumDyX := ch.sumDy, ch.sumDyX
	sumDyXh := make([]float64, c)
	for j := range sumDyXh {
		sumDyXh[j] = (sumDyX[j] - mean[j]*sumDy[j]) * inv[j]
	}
	if op.what == bnDgamma {
		for j := range c {
			dst[j] = float32(sumDyXh[j])
		}
		return out, nil
	}
	// dx = a·dy + b·x + e per column, with a = γ/σ, b = −a·mean(dy·x̂)/σ
	// and e = −a·mean(dy) − b·μ: the formula's terms, gathered per column.
	a, b, e := make([]float32, c), make([]float32, c), make([]float32, c)
	for j := range c {
		aj := float64(gamma[j]) * inv[j]
		bj := -aj * sumDyXh[j] / float64(m) * inv[j]
		a[j], b[j], e[j] = float32(aj), float32(bj), float32(-aj*sumDy[j]/float64(m)-bj*mean[j])
	}
	for r := 0; r < m; r++ {
		xr, gr, dr := x[r*c:(r+1)*c], dy[r*c:(r+1)*c], dst[r*c:(r+1)*c]
		for j := range dr {
			dr[j] = a[j]*gr[j] + b[j]*xr[j] + e[j]
		}
	}
	return out, nil
}
func (op bnGradOp) String() string        { return fmt.Sprintf("BatchNormGrad(%s,%d)", op.what, op.c) }
func (op bnGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "ganexp.", op.String()) }
func (op bnGradOp) Hashcode() uint32      { return hashOf(op) }
