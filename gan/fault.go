package gan

import (
	"errors"
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"github.com/ganexp/ganexp"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// injectFault carries out a planned fault at its step (tests only).
// FaultVMPanic is carried out by faultOp inside the D step instead.
func (s *session) injectFault() error {
	if s.fault == nil || s.step+1 != s.fault.Step {
		return nil
	}
	switch s.fault.Kind {
	case ganexp.FaultPanic:
		panic(fmt.Sprintf("injected fault: panic at step %d", s.step+1))
	case ganexp.FaultError:
		return errors.New("injected fault: error")
	case ganexp.FaultHang:
		select {} // like an op that never returns: nothing here checks ctx
	}
	return nil
}

// faultOp is an identity op that panics when the session reaches the
// fault step. gorgonia runs ops on a goroutine of its own, so the panic
// escapes any recover() in the caller and ends the process: exactly the
// crash that trial isolation has to survive.
type faultOp struct{ s *session }

func (op *faultOp) Arity() int { return 1 }

func (op *faultOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}

func (op *faultOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}

func (op *faultOp) Do(vals ...G.Value) (G.Value, error) {
	if op.s.step+1 == op.s.fault.Step {
		panic(fmt.Sprintf("injected fault: panic inside a gorgonia op at step %d", op.s.step+1))
	}
	return vals[0], nil
}

func (op *faultOp) ReturnsPtr() bool      { return false }
func (op *faultOp) CallsExtern() bool     { return false }
func (op *faultOp) OverwritesInput() int  { return -1 }
func (op *faultOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "fault%p", op) }
func (op *faultOp) String() string        { return "fault" }

func (op *faultOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

// DiffWRT and SymDiff pass the gradient straight through.
func (op *faultOp) DiffWRT(inputs int) []bool { return []bool{true} }

func (op *faultOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	return G.Nodes{grad}, nil
}
