package gan

import (
	"fmt"
	"math"

	"github.com/ganexp/ganexp/gan/internal/simd"
)

// optimizer updates parameters in place from their gradients. The
// updates follow PyTorch's formulas so that runs compare with the
// reference scripts; they work on the tensors' backing slices, so a step
// allocates nothing. (gorgonia's own solvers clone every tensor on every
// step.)
type optimizer interface {
	step(params, grads [][]float32)
	// state is what the optimizer carries between steps, for a
	// checkpoint; restore puts it back for params of the same shapes.
	state() optState
	restore(st optState, params [][]float32) error
}

// optState is an optimizer's memory: Adam's step count and moments,
// RMSProp's squared-gradient average (in M), nothing for SGD. Nil
// moments mean no step yet.
type optState struct {
	T    int
	M, V [][]float32
}

// restoreMoments copies saved moments into fresh tensors shaped like
// params; nil stays nil (no step taken yet).
func restoreMoments(saved, params [][]float32) ([][]float32, error) {
	if saved == nil {
		return nil, nil
	}
	out := zerosLike(params)
	return out, copyShaped(out, saved)
}

// newOptimizer returns the optimizer called name with learning rate lr.
func newOptimizer(name string, lr, beta1, beta2, rho float64) (optimizer, error) {
	switch name {
	case "adam":
		return &adam{lr: lr, beta1: beta1, beta2: beta2, eps: 1e-8}, nil
	case "rmsprop":
		return &rmsprop{lr: lr, rho: rho, eps: 1e-8}, nil
	case "sgd":
		return sgd{lr: lr}, nil
	}
	return nil, fmt.Errorf("unknown optimizer %q", name)
}

// adam is Kingma & Ba 2015, Algorithm 1, as torch.optim.Adam computes it:
//
//	m ← β1·m + (1−β1)·g        v ← β2·v + (1−β2)·g²
//	w ← w − (lr/(1−β1ᵗ)) · m / (√v/√(1−β2ᵗ) + ε)
type adam struct {
	lr, beta1, beta2, eps float64
	t                     int
	m, v                  [][]float32
}

func (a *adam) state() optState { return optState{T: a.t, M: a.m, V: a.v} }
func (a *adam) restore(st optState, params [][]float32) (err error) {
	a.t = st.T
	if a.m, err = restoreMoments(st.M, params); err != nil {
		return err
	}
	a.v, err = restoreMoments(st.V, params)
	return err
}

func (a *adam) step(params, grads [][]float32) {
	if a.m == nil {
		a.m, a.v = zerosLike(params), zerosLike(params)
	}
	a.t++
	c1 := 1 - math.Pow(a.beta1, float64(a.t))
	c2 := 1 - math.Pow(a.beta2, float64(a.t))
	b1, b2 := float32(a.beta1), float32(a.beta2)
	k := simd.AdamConsts{B1: b1, OneMinusB1: 1 - b1, B2: b2, OneMinusB2: 1 - b2,
		StepSize: float32(a.lr / c1), InvSqrtC2: float32(1 / math.Sqrt(c2)), Eps: float32(a.eps)}
	for i, w := range params {
		simd.Adam(w, grads[i], a.m[i], a.v[i], &k)
	}
}

// rmsprop is Hinton's RMSProp as torch.optim.RMSprop computes it:
//
//	v ← ρ·v + (1−ρ)·g²        w ← w − lr · g / (√v + ε)
type rmsprop struct {
	lr, rho, eps float64
	v            [][]float32
}

func (r *rmsprop) state() optState { return optState{M: r.v} }
func (r *rmsprop) restore(st optState, params [][]float32) (err error) {
	r.v, err = restoreMoments(st.M, params)
	return err
}

func (r *rmsprop) step(params, grads [][]float32) {
	if r.v == nil {
		r.v = zerosLike(params)
	}
	rho, lr, eps := float32(r.rho), float32(r.lr), float32(r.eps)
	for i, w := range params {
		g, v := grads[i], r.v[i]
		for j := range w {
			v[j] = rho*v[j] + (1-rho)*g[j]*g[j]
			w[j] -= lr * g[j] / (sqrt32(v[j]) + eps)
		}
	}
}

// sgd is plain stochastic gradient descent: w ← w − lr·g.
type sgd struct{ lr float64 }

func (sgd) state() optState                     { return optState{} }
func (sgd) restore(optState, [][]float32) error { return nil }

func (s sgd) step(params, grads [][]float32) {
	lr := float32(s.lr)
	for i, w := range params {
		g := grads[i]
		for j := range w {
			w[j] -= lr * g[j]
		}
	}
}

func zerosLike(xs [][]float32) [][]float32 {
	out := make([][]float32, len(xs))
	for i, x := range xs {
		out[i] = make([]float32, len(x))
	}
	return out
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

// clamp limits every parameter to [−c, c] (WGAN weight clipping).
func clamp(params [][]float32, c float32) {
	for _, w := range params {
		for j, x := range w {
			if x > c {
				w[j] = c
			} else if x < -c {
				w[j] = -c
			}
		}
	}
}

// sqNorm is Σ g² over all gradients.
func sqNorm(grads [][]float32) float64 {
	// Eight running sums, added at the end: one sum waits for each add
	// before the next (four cycles each), which made the norm of the wide
	// protocol's half-million weights 4% of its step. Each square of a
	// float32 is exact in float64, so only the order of the additions
	// differs from a single running sum.
	var acc [8]float64
	for _, g := range grads {
		i := 0
		for ; i+8 <= len(g); i += 8 {
			v := g[i : i+8 : i+8]
			acc[0] += float64(v[0]) * float64(v[0])
			acc[1] += float64(v[1]) * float64(v[1])
			acc[2] += float64(v[2]) * float64(v[2])
			acc[3] += float64(v[3]) * float64(v[3])
			acc[4] += float64(v[4]) * float64(v[4])
			acc[5] += float64(v[5]) * float64(v[5])
			acc[6] += float64(v[6]) * float64(v[6])
			acc[7] += float64(v[7]) * float64(v[7])
		}
		for ; i < len(g); i++ {
			acc[0] += float64(g[i]) * float64(g[i])
		}
	}
	return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}
