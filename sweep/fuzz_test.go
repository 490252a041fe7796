package sweep

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/dataset"
)

// fuzzFile names the fuzzed sweep file. Its directory does not exist, so
// relative csv paths in fuzzed input find nothing.
const fuzzFile = "fuzz-no-such-dir/g.yaml"

// FuzzParse feeds arbitrary bytes to Parse and plans what parses. No input
// may panic; every refusal must be a one-line *InputError; every plan must
// have as many trials as Size says, each with its own key.
func FuzzParse(f *testing.F) {
	// mnist without a path reads $GANEXP_MNIST: a tiny set, not the real
	// one, so that each run stays fast.
	f.Setenv(dataset.EnvMNIST, tinyMNIST(f, f.TempDir(), "mnist", 12))
	examples, _ := filepath.Glob("../examples/*.yaml")
	more, _ := filepath.Glob("../examples/*/*.yaml")
	for _, p := range append(examples, more...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"", "- a\n", "name: x\ngrid:\n  loss: [minimax\n", "a: b: c\n", "grid:\n\t- b\n",
		"grid:\n  loss: [wgan, minimax]\n  clip: [0.01, 0.1]\n",
		"grid:\n  lr: [0.001, 1e-3]\n",
		"seeds: 3\ngrid:\n  arch:\n    small: {hidden: [8]}\n    wide: {hidden: [64, 64], activation: tanh}\n",
		"dataset: {kind: csv, path: points.csv}\n",
		"dataset: {kind: mnist, digits: [1, 2], limit: 5}\n",
		"dataset: {kind: stacked_mnist}\n",
		"train: {lr: .nan, steps: 1e9}\n",
		"timeout: 90s\ndetect: {enabled: false, patience: 3}\n",
		"grid:\n  dataset:\n    ring: {kind: ring, modes: 8}\n    grid: {kind: grid}\n",
		"&a [*a]\n", "x: &a\n  y: *a\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := Parse(fuzzFile, data)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		checkPlan(t, spec)
	})
}

// FuzzExpand builds well-formed sweep files from fuzzed values, so that
// the fuzzer spends its time in validation and planning rather than in
// YAML syntax.
func FuzzExpand(f *testing.F) {
	f.Add("nonsaturating", "wgan", "adam", 1e-3, 2e-4, 0.01, 100, 64, 16, uint8(2), "relu")
	f.Add("hinge", "hinge", "rmsprop", 1e-3, 0.001, 0.1, 1, 1, 1, uint8(1), "tanh")
	f.Add("minimax", "lsgan", "sgd", -1.0, math.Inf(1), 0.0, 0, -3, 0, uint8(0), "gelu")
	f.Fuzz(func(t *testing.T, loss1, loss2, opt string, lr1, lr2, clip float64, steps, batch, hidden int, seeds uint8, act string) {
		src := fmt.Sprintf(`name: fuzz
arch: {hidden: [%d, %d], activation: %q}
train: {steps: %d, batch_size: %d, optimizer: %q}
seeds: %d
grid:
  loss: [%q, %q]
  lr: [%v, %v]
  clip: [%v]
`, hidden, hidden, act, steps, batch, opt, seeds, loss1, loss2, lr1, lr2, clip)
		spec, err := Parse(fuzzFile, []byte(src))
		if err != nil {
			checkRefusal(t, err)
			return
		}
		checkPlan(t, spec)
	})
}

func checkRefusal(t *testing.T, err error) {
	t.Helper()
	var ie *ganexp.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("refusal is %T, not an *InputError: %v", err, err)
	}
	if msg := err.Error(); strings.ContainsAny(msg, "\r\n") {
		t.Fatalf("refusal spans lines: %q", msg)
	}
}

func checkPlan(t *testing.T, spec *Spec) {
	t.Helper()
	n := spec.Size()
	if n < 1 {
		t.Fatalf("a valid spec plans %d trials", n)
	}
	if n > 5000 {
		return // planning it is correct but slow; CheckSize covers it
	}
	plan, err := spec.Expand()
	if err != nil {
		checkRefusal(t, err)
		return
	}
	if len(plan.Trials) != n {
		t.Fatalf("Expand planned %d trials, Size said %d", len(plan.Trials), n)
	}
	keys := map[string]bool{}
	for _, tr := range plan.Trials {
		if keys[tr.Key] {
			t.Fatalf("two trials share key %s", tr.Key)
		}
		keys[tr.Key] = true
		if why := untrainable(tr.Config); why != "" {
			t.Fatalf("planned an untrainable trial (%s): %+v", why, tr.Config)
		}
	}
	_ = plan.String()
}

// untrainable says what in c the trainer could not use, or "".
func untrainable(c ganexp.Config) string {
	finitePositive := func(v float64) bool { return v > 0 && !math.IsInf(v, 0) }
	switch {
	case c.Steps < 1 || c.BatchSize < 1 || c.EvalEvery < 1 || c.EvalSamples < 1 || c.ZDim < 1 || c.NCritic < 1:
		return "a count below 1"
	case !finitePositive(c.LrG) || !finitePositive(c.LrD):
		return "a learning rate"
	case len(c.Arch.G) == 0 || len(c.Arch.D) == 0:
		return "no hidden layers"
	}
	for _, w := range append(slices.Clone(c.Arch.G), c.Arch.D...) {
		if w < 1 {
			return "a layer narrower than 1"
		}
	}
	return ""
}
