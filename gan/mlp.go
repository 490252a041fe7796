package gan

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// mlp is the model of arch kind "mlp". It owns the weights of one network.
// The same tensors are bound into several graphs (D step, G step,
// evaluation), so an in-place optimizer update is seen by all of them.
type mlp struct {
	name       string
	sizes      []int // input, hidden..., output
	activation string
	squash     bool            // tanh on the output (G on images)
	weights    []*tensor.Dense // W0, b0, W1, b1, ...
}

// newMLP draws weights like torch.nn.Linear's default initialisation:
// W and b uniform in ±1/√fan_in. All randomness comes from r.
func newMLP(r *rand.Rand, name string, sizes []int, activation string, squash bool) *mlp {
	m := &mlp{name: name, sizes: sizes, activation: activation, squash: squash}
	for i := 0; i+1 < len(sizes); i++ {
		in, out := sizes[i], sizes[i+1]
		bound := 1 / math.Sqrt(float64(in))
		w := make([]float32, in*out)
		for j := range w {
			w[j] = float32((2*r.Float64() - 1) * bound)
		}
		b := make([]float32, out)
		for j := range b {
			b[j] = float32((2*r.Float64() - 1) * bound)
		}
		m.weights = append(m.weights,
			tensor.New(tensor.WithShape(in, out), tensor.WithBacking(w)),
			tensor.New(tensor.WithShape(1, out), tensor.WithBacking(b)))
	}
	return m
}

// params returns the weights as flat slices, in the order of bind.
func (m *mlp) params() [][]float32 {
	ps := make([][]float32, len(m.weights))
	for i, w := range m.weights {
		ps[i] = w.Data().([]float32)
	}
	return ps
}

// buffers is nil: an MLP carries nothing but its weights.
func (m *mlp) buffers() [][]float32 { return nil }

// bind creates nodes for m's weights in g, sharing their memory.
func (m *mlp) bind(g *G.ExprGraph) []*G.Node { return bindWeights(g, m.weights, m.name) }

// apply builds the forward pass of m on x with the weight nodes ws. The
// last layer is linear (G outputs points and D outputs logits), or ends
// in tanh when m squashes.
func (m *mlp) apply(x *G.Node, ws []*G.Node, _ bool) (*G.Node, error) {
	h := x
	layers := len(ws) / 2
	for i := 0; i < layers; i++ {
		last := i == layers-1
		fuse := !last && m.activation == "relu"
		var err error
		if h, err = dense(h, ws[2*i], ws[2*i+1], fuse); err != nil {
			return nil, fmt.Errorf("%s layer %d: %w", m.name, i, err)
		}
		if last && m.squash {
			if h, err = G.Tanh(h); err != nil {
				return nil, fmt.Errorf("%s output tanh: %w", m.name, err)
			}
		}
		if last || fuse {
			continue
		}
		if h, err = activate(m.activation, h); err != nil {
			return nil, fmt.Errorf("%s layer %d %s: %w", m.name, i, m.activation, err)
		}
	}
	return h, nil
}

func activate(name string, x *G.Node) (*G.Node, error) {
	switch name {
	case "relu":
		return rectify(x)
	case "leaky_relu":
		return G.LeakyRelu(x, 0.2)
	case "tanh":
		return G.Tanh(x)
	}
	return nil, fmt.Errorf("unknown activation %q", name)
}
