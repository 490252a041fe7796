package gan

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
)

// TestXentByHand: logits (0, ln 3) give softmax (1/4, 3/4), so the loss
// against class 1 is −ln(3/4) = 0.28768…; two rows average.
func TestXentByHand(t *testing.T) {
	got := runGraph(t, func(g *G.ExprGraph) *G.Node {
		l := node(g, "l", 2, 2, []float32{0, float32(math.Log(3)), 5, 5})
		y := node(g, "y", 2, 2, []float32{0, 1, 1, 0})
		out, err := xent(l, y)
		if err != nil {
			t.Fatal(err)
		}
		return out
	})
	// Row 2: equal logits, −ln(1/2).
	want := float32((-math.Log(0.75) + math.Log(2)) / 2)
	closeTo(t, "cross-entropy", got, []float32{want}, 1e-6)
}

// TestXentGradient against finite differences.
func TestXentGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	gradCheck(t, "cross-entropy", func(g *G.ExprGraph) (*G.Node, []*G.Node) {
		l := node(g, "l", 6, 4, randVec(r, 24))
		onehot := make([]float32, 24)
		for i := range 6 {
			onehot[4*i+r.IntN(4)] = 1
		}
		out, err := xent(l, node(g, "y", 6, 4, onehot))
		if err != nil {
			t.Fatal(err)
		}
		return out, []*G.Node{l}
	})
}
