// Package gan trains one GAN with gorgonia: MLP generator and
// discriminator, the losses of Goodfellow et al. 2014 and its successors,
// and the optimizers. It is the only package that imports gorgonia.
//
// The workarounds for gorgonia v0.9.18 (see GORGONIA.md) live here:
// weights are drawn from the trial's own rand.Rand and bound with
// WithValue, every RunAll is followed by Reset, values are copied out
// with Read, graph construction is serialised, and losses use Softplus.
package gan
