package gan

import (
	G "gorgonia.org/gorgonia"
)

// loss is one GAN objective, written on D's raw outputs (logits for the
// probabilistic losses). Every term that involves log σ(·) uses Softplus,
// which stays finite for any logit:
// −log σ(l) = softplus(−l) and −log(1−σ(l)) = softplus(l).
type loss struct {
	name string
	// d is D's loss on its outputs for a real and a fake batch.
	d func(real, fake *G.Node) *G.Node
	// g is G's loss on D's outputs for a fresh fake batch.
	g func(fake *G.Node) *G.Node
	// clip says D's weights are clipped after each D step (WGAN).
	clip bool
	// prob says D's output is the logit of a probability, so D(x) = σ(l).
	prob bool
}

// losses is the registry; ganexp.Losses must list the same names.
var losses = []loss{
	{
		// Goodfellow et al. 2014, eq. 1: G minimises log(1 − D(G(z))),
		// which is −softplus(l).
		name: "minimax",
		prob: true,
		d:    bceD,
		g:    func(f *G.Node) *G.Node { return neg(mean(softplus(f))) },
	},
	{
		// Goodfellow et al. 2014, §3: G minimises −log D(G(z)) = softplus(−l).
		name: "nonsaturating",
		prob: true,
		d:    bceD,
		g:    func(f *G.Node) *G.Node { return mean(softplus(neg(f))) },
	},
	{
		// Arjovsky et al. 2017: the critic maximises E f(x) − E f(G(z)),
		// with its weights clipped to [−clip, clip]; G minimises −E f(G(z)).
		name: "wgan",
		d:    func(r, f *G.Node) *G.Node { return sub(mean(f), mean(r)) },
		g:    func(f *G.Node) *G.Node { return neg(mean(f)) },
		clip: true,
	},
	{
		// Mao et al. 2017 with a = 0, b = c = 1:
		// D: ½E(D(x)−1)² + ½E D(G(z))²; G: ½E(D(G(z))−1)².
		name: "lsgan",
		d: func(r, f *G.Node) *G.Node {
			return add(scale(mean(square(addConst(r, -1))), 0.5), scale(mean(square(f)), 0.5))
		},
		g: func(f *G.Node) *G.Node { return scale(mean(square(addConst(f, -1))), 0.5) },
	},
	{
		// Lim & Ye 2017; Miyato et al. 2018:
		// D: E relu(1 − D(x)) + E relu(1 + D(G(z))); G: −E D(G(z)).
		name: "hinge",
		d: func(r, f *G.Node) *G.Node {
			return add(mean(relu(addConst(neg(r), 1))), mean(relu(addConst(f, 1))))
		},
		g: func(f *G.Node) *G.Node { return neg(mean(f)) },
	},
}

// bceD is D's binary cross-entropy: −log σ(l_r) − log(1 − σ(l_f)).
func bceD(r, f *G.Node) *G.Node {
	return add(mean(softplus(neg(r))), mean(softplus(f)))
}

func lookupLoss(name string) (loss, bool) {
	for _, l := range losses {
		if l.name == name {
			return l, true
		}
	}
	return loss{}, false
}

// The helpers below chain node constructors. Building a loss graph only
// fails on a programming error (a shape or type mismatch in this file),
// so they panic, as numeric code does on a broken invariant.

func must(n *G.Node, err error) *G.Node {
	if err != nil {
		panic("gan: building loss graph: " + err.Error())
	}
	return n
}

func mean(n *G.Node) *G.Node     { return must(G.Mean(n)) }
func square(n *G.Node) *G.Node   { return must(G.Square(n)) }
func softplus(n *G.Node) *G.Node { return must(G.Softplus(n)) }
func relu(n *G.Node) *G.Node     { return must(rectify(n)) }
func neg(n *G.Node) *G.Node      { return must(G.Neg(n)) }
func add(a, b *G.Node) *G.Node   { return must(G.Add(a, b)) }
func sub(a, b *G.Node) *G.Node   { return must(G.Sub(a, b)) }

func scale(n *G.Node, c float32) *G.Node {
	return must(G.Mul(n, G.NewConstant(c)))
}

func addConst(n *G.Node, c float32) *G.Node {
	return must(G.Add(n, G.NewConstant(c)))
}
