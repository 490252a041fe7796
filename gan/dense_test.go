package gan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestDenseMatchesGorgonia builds a two-layer MLP twice, once from the
// fused dense op and once from gorgonia's own Mul, BroadcastAdd and
// Rectify, and checks that the outputs and the gradients of a weighted sum
// of the outputs with respect to the input and every weight agree.
// gorgonia's autodiff is the oracle (its gradients were checked against
// finite differences, docs/gorgonia.md).
func TestDenseMatchesGorgonia(t *testing.T) {
	for _, s := range []struct{ batch, in, hidden, out int }{{5, 3, 7, 2}, {33, 2, 20, 1}, {64, 17, 40, 19}} {
		t.Run(fmt.Sprintf("%dx%d-%d-%d", s.batch, s.in, s.hidden, s.out), func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(s.batch)))
			data := map[string][]float32{}
			shapes := map[string][2]int{"x": {s.batch, s.in}, "w0": {s.in, s.hidden}, "b0": {1, s.hidden},
				"w1": {s.hidden, s.out}, "b1": {1, s.out}, "c": {s.batch, s.out}}
			for name, sh := range shapes {
				v := make([]float32, sh[0]*sh[1])
				for i := range v {
					v[i] = float32(r.NormFloat64())
				}
				data[name] = v
			}
			names := []string{"x", "w0", "b0", "w1", "b1"}
			run := func(fused bool) (out []float32, grads [][]float32) {
				g := G.NewGraph()
				n := map[string]*G.Node{}
				for name, sh := range shapes {
					n[name] = G.NewMatrix(g, tensor.Float32, G.WithShape(sh[0], sh[1]), G.WithName(name),
						G.WithValue(tensor.New(tensor.WithShape(sh[0], sh[1]), tensor.WithBacking(append([]float32(nil), data[name]...)))))
				}
				var y *G.Node
				if fused {
					h := must(dense(n["x"], n["w0"], n["b0"], true))
					y = must(dense(h, n["w1"], n["b1"], false))
				} else {
					h := must(G.BroadcastAdd(must(G.Mul(n["x"], n["w0"])), n["b0"], nil, []byte{0}))
					h = must(G.Rectify(h))
					y = must(G.BroadcastAdd(must(G.Mul(h, n["w1"])), n["b1"], nil, []byte{0}))
				}
				loss := must(G.Sum(must(G.HadamardProd(y, n["c"]))))
				wrt := make(G.Nodes, len(names))
				for i, name := range names {
					wrt[i] = n[name]
				}
				gs, err := G.Grad(loss, wrt...)
				if err != nil {
					t.Fatal(err)
				}
				vals := make([]G.Value, len(gs)+1)
				G.Read(y, &vals[0])
				for i, gn := range gs {
					G.Read(gn, &vals[i+1])
				}
				vm := G.NewTapeMachine(g)
				defer vm.Close()
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				out = vals[0].Data().([]float32)
				for _, v := range vals[1:] {
					grads = append(grads, v.Data().([]float32))
				}
				return out, grads
			}
			gotY, gotG := run(true)
			wantY, wantG := run(false)
			near := func(what string, got, want []float32) {
				if len(got) != len(want) {
					t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
				}
				for i := range got {
					if math.Abs(float64(got[i]-want[i])) > 1e-4*(1+math.Abs(float64(want[i]))) {
						t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
					}
				}
			}
			near("output", gotY, wantY)
			for i, name := range names {
				near("d loss/d "+name, gotG[i], wantG[i])
			}
		})
	}
}
