package gan

import (
	"math"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestRectify checks the fused ReLU against values worked out by hand:
// y = max(x, 0), and for the loss L = Σ w·y, dL/dx = w where x > 0 and 0
// elsewhere (at 0 too, as PyTorch), and against gorgonia's Rectify away
// from 0, where the two definitions agree.
func TestRectify(t *testing.T) {
	negZero := float32(math.Copysign(0, -1))
	xs := []float32{-2, -0.5, negZero, 0, 1e-30, 0.5, 3, -1e-30}
	ws := []float32{1, 2, 3, 4, 5, 6, 7, 8}
	wantY := []float32{0, 0, 0, 0, 1e-30, 0.5, 3, 0}
	wantGrad := []float32{0, 0, 0, 0, 5, 6, 7, 0}

	run := func(act func(*G.Node) (*G.Node, error), x []float32) (y, grad []float32) {
		g := G.NewGraph()
		xn := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 4), G.WithName("x"),
			G.WithValue(tensor.New(tensor.WithShape(2, 4), tensor.WithBacking(slices.Clone(x)))))
		wn := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 4), G.WithName("w"),
			G.WithValue(tensor.New(tensor.WithShape(2, 4), tensor.WithBacking(slices.Clone(ws)))))
		yn, err := act(xn)
		if err != nil {
			t.Fatal(err)
		}
		loss := must(G.Sum(must(G.HadamardProd(yn, wn))))
		grads, err := G.Grad(loss, xn)
		if err != nil {
			t.Fatal(err)
		}
		var yv, gv G.Value
		G.Read(yn, &yv)
		G.Read(grads[0], &gv)
		vm := G.NewTapeMachine(g)
		defer vm.Close()
		// Twice, rewound in between: the second run writes into the
		// registers of the first.
		for range 2 {
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			rewind(vm)
		}
		return slices.Clone(yv.Data().([]float32)), slices.Clone(gv.Data().([]float32))
	}

	y, grad := run(rectify, xs)
	if !slices.Equal(y, wantY) || !slices.Equal(grad, wantGrad) {
		t.Errorf("rectify(%v)\n got y %v grad %v\nwant y %v grad %v", xs, y, grad, wantY, wantGrad)
	}
	away := []float32{-2, -0.5, -1e-3, 7, 1e-3, 0.5, 3, -9}
	y1, g1 := run(rectify, away)
	y2, g2 := run(G.Rectify, away)
	if !slices.Equal(y1, y2) || !slices.Equal(g1, g2) {
		t.Errorf("away from 0, fused %v %v, gorgonia %v %v", y1, g1, y2, g2)
	}
}
