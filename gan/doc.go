// Package gan trains one GAN with gorgonia: MLP generator and
// discriminator, the losses of Goodfellow et al. 2014 and its successors,
// and the optimizers. It is the only package that imports gorgonia.
//
// The workarounds for gorgonia v0.9.18 live here and are listed, with the
// tests that pin them, in docs/gorgonia.md: weights are drawn from the
// trial's own rand.Rand and bound with WithValue; tape machines are rewound
// rather than reset between runs, so their registers are reused (vm.go);
// values are copied out with Read; graph construction is serialised; losses
// use Softplus; and each layer is one fused op (dense.go).
package gan
