package gan

import (
	"fmt"
	"math/rand/v2"

	"github.com/ganexp/ganexp"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// model is one network of a GAN, G or D. It owns its weights, binds them
// into the graphs of the D step, the G step and evaluation (sharing their
// memory, so an optimizer's in-place update is seen by all), and builds
// its forward pass.
type model interface {
	// params returns the weights as flat slices, in the order of bind.
	params() [][]float32
	// buffers returns the state that is not trained but carried from step
	// to step (batch norm's running statistics), for checkpoints; nil for
	// a model without any.
	buffers() [][]float32
	// bind creates nodes for the weights in g.
	bind(g *G.ExprGraph) []*G.Node
	// apply builds the forward pass on x with the weight nodes ws, in
	// training mode (batch norm by the batch's statistics) or not (by its
	// running statistics, for G's samples at an evaluation).
	apply(x *G.Node, ws []*G.Node, train bool) (*G.Node, error)
}

// Roles of a model in a GAN.
const (
	roleG = "G"
	roleD = "D"
)

// dims is what a model maps from and to: widths in and out, and the data's
// image shape (channels, height, width; zero for points), which G's output
// and D's input have on image data.
type dims struct {
	in, out int
	c, h, w int
}

// images says the data are images.
func (d dims) images() bool { return d.c > 0 }

// modelKinds build a model of each arch kind (ganexp.ArchKinds), for
// role G (from noise of width in to samples of width out) or D (from
// samples to one logit). A new kind is a file of its own and a line here.
// All randomness of the initial weights comes from r.
var modelKinds = map[string]func(r *rand.Rand, role string, d dims, a ganexp.Arch) (model, error){
	ganexp.KindMLP: func(r *rand.Rand, role string, d dims, a ganexp.Arch) (model, error) {
		hidden := a.G
		if role == roleD {
			hidden = a.D
		}
		// On images G ends in tanh, the pixels' range [−1, 1], as every
		// PyTorch GAN on MNIST does; on points its last layer is linear.
		return newMLP(r, role, sizes(d.in, hidden, d.out), a.Activation, role == roleG && d.images()), nil
	},
	ganexp.KindDCGAN: func(r *rand.Rand, role string, d dims, a ganexp.Arch) (model, error) {
		return newDCGAN(r, role, d, a)
	},
}

// newModel builds the model of a's kind for role.
func newModel(r *rand.Rand, role string, d dims, a ganexp.Arch) (model, error) {
	build, ok := modelKinds[a.KindOf()]
	if !ok {
		return nil, fmt.Errorf("unknown arch kind %q", a.KindOf())
	}
	return build(r, role, d, a)
}

// bindWeights creates a node in g for each of a model's weight tensors,
// sharing their memory (so that an optimizer's in-place update is seen by
// every graph), named prefix_i.
func bindWeights(g *G.ExprGraph, weights []*tensor.Dense, prefix string) []*G.Node {
	nodes := make([]*G.Node, len(weights))
	for i, w := range weights {
		nodes[i] = G.NewMatrix(g, tensor.Float32, G.WithShape(w.Shape()...),
			G.WithName(fmt.Sprintf("%s_%d", prefix, i)), G.WithValue(w))
	}
	return nodes
}
