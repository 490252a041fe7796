package gan

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// PanicInVM runs a one-op graph whose op panics with msg: a panic inside a
// gorgonia op, which the machine raises where no recover() of the caller
// reaches, so it ends the process. It is a tool for fault-injection tests
// (internal/faults): no training path calls it, and it is linked only into
// binaries built with -tags faults.
func PanicInVM(msg string) {
	buildMu.Lock()
	g := G.NewGraph()
	x := G.NewScalar(g, tensor.Float32, G.WithName("x"), G.WithValue(float32(1)))
	out, err := G.ApplyOp(panicOp{msg}, x)
	buildMu.Unlock()
	if err != nil {
		panic(fmt.Sprintf("gan: build the panicking graph: %v", err))
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(out))
	defer vm.Close()
	vm.RunAll()
}

// panicOp is an identity op that panics when it runs.
type panicOp struct{ msg string }

func (op panicOp) Arity() int { return 1 }

func (op panicOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}

func (op panicOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}

func (op panicOp) Do(vals ...G.Value) (G.Value, error) { panic(op.msg) }

func (op panicOp) ReturnsPtr() bool      { return false }
func (op panicOp) CallsExtern() bool     { return false }
func (op panicOp) OverwritesInput() int  { return -1 }
func (op panicOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "panic %q", op.msg) }
func (op panicOp) String() string        { return "panic" }

func (op panicOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
