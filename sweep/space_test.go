package sweep

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/ganexp/ganexp"
)

// testSettings are a real setting (lr), a whole-number one (n_critic)
// and three levels, for building dimensions by hand.
func testSettings() (lr, nc setting, levels []Value) {
	lr, _ = lookupSetting("lr")
	nc, _ = lookupSetting("n_critic")
	return lr, nc, []Value{{Label: "a"}, {Label: "b"}, {Label: "c"}}
}

// TestDimAt: a dimension maps u in [0, 1) by hand-worked inverse CDFs.
func TestDimAt(t *testing.T) {
	lr, nc, levels := testSettings()
	tests := []struct {
		name string
		dim  Dim
		u    float64
		want string
	}{
		// 10^(−5 + 0.5·3) = 10^−3.5 = 3.162e-4.
		{"LogUniformMiddle", Dim{Dist: "log_uniform", Low: 1e-5, High: 1e-2, set: lr}, 0.5, "0.0003162"},
		{"LogUniformLow", Dim{Dist: "log_uniform", Low: 1e-5, High: 1e-2, set: lr}, 0, "1e-05"},
		// 0.1 + 0.25·0.8 = 0.3.
		{"Uniform", Dim{Dist: "uniform", Low: 0.1, High: 0.9, set: lr}, 0.25, "0.3"},
		// Values 1, 3, 5: u = 0.5 is the middle third.
		{"IntStep", Dim{Dist: "int", Low: 1, High: 5, Step: 2, set: nc, isInt: true}, 0.5, "3"},
		{"IntTop", Dim{Dist: "int", Low: 1, High: 5, Step: 2, set: nc, isInt: true}, 0.999, "5"},
		// log-uniform over [0.5, 100.5]: exp(ln 0.5 + 0.5·ln 201) = 7.09 → 7.
		{"IntLog", Dim{Dist: "int", Low: 1, High: 100, Log: true, set: nc, isInt: true}, 0.5, "7"},
		{"IntLogLow", Dim{Dist: "int", Low: 1, High: 100, Log: true, set: nc, isInt: true}, 0, "1"},
		// Three levels: [0, 1/3) → a, [1/3, 2/3) → b.
		{"Levels", Dim{Levels: levels}, 0.34, "b"},
		{"LevelsTop", Dim{Levels: levels}, 0.9999, "c"},
	}
	for _, tt := range tests {
		if got := tt.dim.At(tt.u).Label; got != tt.want {
			t.Errorf("%s: At(%v) = %s, want %s", tt.name, tt.u, got, tt.want)
		}
	}
	// The value reaches the configuration.
	var c ganexp.Config
	Dim{Dist: "int", Low: 1, High: 5, Step: 2, set: nc, isInt: true}.At(0.5).Apply(&c)
	if c.NCritic != 3 {
		t.Errorf("n_critic applied as %d, want 3", c.NCritic)
	}
}

const drawnSweep = `name: s
train: {steps: 10, eval_every: 5}
seeds: [1, 2]
search: {strategy: %s, trials: %d, seed: %d}
grid:
  loss: [nonsaturating, hinge]
space:
  lr_g: {log_uniform: [1e-5, 1e-2]}
  lr_d: {log_uniform: [1e-5, 1e-2]}
  n_critic: {int: [1, 5]}
`

// TestDrawnSearch: random and Sobol searches plan trials × seeds
// distinct configurations inside the space, the same ones in the same
// order for the same file and seed, other ones for another seed; a larger
// budget extends the plan without changing its start.
func TestDrawnSearch(t *testing.T) {
	for _, strategy := range []string{"random", "sobol"} {
		p := mustExpand(t, fmt.Sprintf(drawnSweep, strategy, 12, 7))
		if len(p.Trials) != 24 || strings.Join(p.Axes, ",") != "loss,lr_g,lr_d,n_critic" {
			t.Fatalf("%s: %d trials over %v", strategy, len(p.Trials), p.Axes)
		}
		configs := map[string]bool{}
		for i, tr := range p.Trials {
			c := tr.Config
			if c.LrG < 1e-5 || c.LrG > 1e-2 || c.LrD < 1e-5 || c.LrD > 1e-2 || c.NCritic < 1 || c.NCritic > 5 {
				t.Errorf("%s: trial %d outside the space: %+v", strategy, i, tr.Point)
			}
			if want := int64(1 + i%2); tr.Seed != want {
				t.Errorf("%s: trial %d has seed %d, want %d", strategy, i, tr.Seed, want)
			}
			configs[strings.Join(tr.Point, " ")] = true
		}
		if len(configs) != 12 {
			t.Errorf("%s: %d distinct configurations, want 12", strategy, len(configs))
		}
		same := mustExpand(t, fmt.Sprintf(drawnSweep, strategy, 12, 7))
		other := mustExpand(t, fmt.Sprintf(drawnSweep, strategy, 12, 8))
		longer := mustExpand(t, fmt.Sprintf(drawnSweep, strategy, 20, 7))
		for i := range p.Trials {
			if same.Trials[i].Key != p.Trials[i].Key || longer.Trials[i].Key != p.Trials[i].Key {
				t.Fatalf("%s: trial %d differs between runs of the same file", strategy, i)
			}
		}
		if other.Trials[0].Key == p.Trials[0].Key {
			t.Errorf("%s: search seeds 7 and 8 drew the same first trial", strategy)
		}
	}
}

// TestSobolSearchSpreads: eight Sobol draws of a log-uniform learning
// rate put one in each eighth of its log range, as a (0, m, 1)-net does;
// random draws need not.
func TestSobolSearchSpreads(t *testing.T) {
	p := mustExpand(t, `search: {strategy: sobol, trials: 8, seed: 3}
train: {steps: 10, eval_every: 5}
space:
  lr: {log_uniform: [1e-5, 1e-1]}
`)
	hit := make([]int, 8)
	for _, tr := range p.Trials {
		// The rounding to 4 digits moves a value by at most 5e-4 of itself,
		// far less than an eighth of four decades.
		hit[int(math.Floor((math.Log10(tr.Config.LrG)+5)/4*8))]++
	}
	for b, h := range hit {
		if h != 1 {
			t.Fatalf("eighth %d of the log range holds %d draws: %v", b, h, hit)
		}
	}
}

// TestDrawnSearchOfASmallSpace: a space of four configurations gives all
// four to four trials, and refuses five.
func TestDrawnSearchOfASmallSpace(t *testing.T) {
	src := `search: {strategy: random, trials: %d}
train: {steps: 10, eval_every: 5}
space:
  loss: [nonsaturating, hinge]
  n_critic: {int: [1, 2]}
`
	if p := mustExpand(t, fmt.Sprintf(src, 4)); len(p.Trials) != 4 {
		t.Errorf("%d trials, want 4", len(p.Trials))
	}
	s, err := Parse("g.yaml", []byte(fmt.Sprintf(src, 5)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Expand()
	if want := "g.yaml: the space holds 4 distinct configurations, fewer than search.trials 5 (ask for at most 4 trials, or widen the space)"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
