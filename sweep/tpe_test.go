package sweep

import (
	"github.com/ganexp/ganexp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestParzenMatchesOptuna: the estimators' weights, centres, widths and
// log densities equal Optuna 3.1.0's _ParzenEstimator with TPESampler's
// defaults (prior on, prior weight 1, magic clip on, endpoints off), from
//
//	_ParzenEstimator({"x": obs}, {"x": dist}, _ParzenEstimatorParameters(
//	    True, 1.0, True, False, default_weights, False))
//
// for each case below; log_pdf at the points listed. (Optuna 3.1's
// continuous log densities leave out each component's −log σ; so do
// ganexp's, and TestParzenIsADensity checks the discrete ones only.)
func TestParzenMatchesOptuna(t *testing.T) {
	lr, nc, levels := testSettings()
	tests := []struct {
		name          string
		dim           Dim
		obs           []float64 // internal scale
		mus, sigmas   []float64
		at, logPDF    []float64
		levelsWeights [][]float64
	}{
		{"Uniform", Dim{Dist: "uniform", Low: 0, High: 10, set: lr}, []float64{2, 3, 7},
			[]float64{2, 3, 7, 5}, []float64{2, 2, 2, 10}, []float64{2, 4.5}, []float64{-0.7623217761627358, -0.8118307509907199}, nil},
		{"LogUniform", Dim{Dist: "log_uniform", Low: 1e-5, High: 1e-2, set: lr}, []float64{math.Log(1e-4), math.Log(3e-3)},
			[]float64{-9.210340371976182, -5.809142990314027, -8.05904782547916}, []float64{1.7269388197455344, 2.2499048351651334, 6.907755278982138},
			[]float64{math.Log(1e-4), math.Log(0.00155)}, []float64{-0.5974812479671665, -0.5756004201523659}, nil},
		{"IntStep", Dim{Dist: "int", Low: 1, High: 9, Step: 2, set: nc, isInt: true}, []float64{3, 3, 9},
			[]float64{3, 3, 9, 5}, []float64{2, 2, 4, 10}, []float64{3, 5}, []float64{-1.2582243384579443, -1.4561841672447402}, nil},
		{"OneObservation", Dim{Dist: "uniform", Low: 0, High: 1, set: lr}, []float64{0.5},
			[]float64{0.5, 0.5}, []float64{1.0 / 3, 1}, []float64{0.5}, []float64{-0.2861523580637727}, nil},
		{"Levels", Dim{Levels: levels}, []float64{0, 2, 2}, nil, nil,
			[]float64{0, 1, 2}, []float64{-1.0986122886681098, -1.6582280766035324, -0.7419373447293772},
			[][]float64{{5.0 / 7, 1.0 / 7, 1.0 / 7}, {1.0 / 7, 1.0 / 7, 5.0 / 7}, {1.0 / 7, 1.0 / 7, 5.0 / 7}, {1.0 / 3, 1.0 / 3, 1.0 / 3}}},
	}
	near := func(a, b []float64) bool {
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if math.Abs(a[i]-b[i]) > 1e-9*math.Max(1, math.Abs(b[i])) {
				return false
			}
		}
		return true
	}
	for _, tt := range tests {
		p := newParzen(tt.dim, tt.obs)
		for _, w := range p.weights {
			if math.Abs(w-1/float64(len(tt.obs)+1)) > 1e-12 {
				t.Errorf("%s: weights %v, want equal", tt.name, p.weights)
			}
		}
		if tt.levelsWeights == nil && (!near(p.mus, tt.mus) || !near(p.sigmas, tt.sigmas)) {
			t.Errorf("%s: centres %v widths %v, want %v %v", tt.name, p.mus, p.sigmas, tt.mus, tt.sigmas)
		}
		for i, row := range tt.levelsWeights {
			if !near(p.levels[i], row) {
				t.Errorf("%s: component %d levels %v, want %v", tt.name, i, p.levels[i], row)
			}
		}
		var got []float64
		for _, x := range tt.at {
			got = append(got, p.logPDF(x))
		}
		if !near(got, tt.logPDF) {
			t.Errorf("%s: log densities %v, want %v", tt.name, got, tt.logPDF)
		}
	}
}

// TestTruncNormal: draws stay inside the bounds, and their mean is the
// closed form's: N(0, 1) truncated to [0, 1] has mean (φ(0) − φ(1)) /
// (Φ(1) − Φ(0)) = (0.398942 − 0.241971) / 0.341345 = 0.459862; to
// [5, 6] (deep in the tail) about 5.1865 (φ(5)−φ(6))/(Φ(6)−Φ(5)).
func TestTruncNormal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct{ low, high, want float64 }{{0, 1, 0.459862}, {5, 6, 5.186503}, {-6, -5, -5.186503}} {
		sum := 0.0
		const n = 40000
		for range n {
			x := truncNormal(r, 0, 1, c.low, c.high)
			if x < c.low || x > c.high {
				t.Fatalf("[%v, %v]: drew %v", c.low, c.high, x)
			}
			sum += x
		}
		// The mean's standard error is under 0.3/√40000 = 0.0015.
		if got := sum / n; math.Abs(got-c.want) > 0.006 {
			t.Errorf("[%v, %v]: mean %v, want %v", c.low, c.high, got, c.want)
		}
	}
}

// TestParzenIsADensity: a discrete estimator's and a list's
// probabilities sum to 1; a continuous one's density, with the −log σ that
// Optuna 3.1 (and so ganexp) leaves out added back, integrates to 1 over
// its range (midpoint rule): the mixture itself is a proper one.
func TestParzenIsADensity(t *testing.T) {
	lr, nc, _ := testSettings()
	p := newParzen(Dim{Dist: "uniform", Low: 0, High: 10, set: lr}, []float64{0.3, 9.9, 5})
	sum := 0.0
	const n = 100000
	for i := range n {
		x := (float64(i) + 0.5) / n * 10
		for c, w := range p.weights {
			z := (x - p.mus[c]) / p.sigmas[c]
			sum += w * math.Exp(-0.5*z*z-logGaussMass((p.low-p.mus[c])/p.sigmas[c], (p.high-p.mus[c])/p.sigmas[c])) /
				(math.Sqrt(2*math.Pi) * p.sigmas[c]) * 10 / n
		}
	}
	if math.Abs(sum-1) > 1e-6 {
		t.Errorf("continuous: integrates to %v", sum)
	}
	q := newParzen(Dim{Dist: "int", Low: 1, High: 9, Step: 2, set: nc, isInt: true}, []float64{1, 9})
	sum = 0
	for x := 1.0; x <= 9; x += 2 {
		sum += math.Exp(q.logPDF(x))
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("discrete: sums to %v", sum)
	}
	c := newParzen(Dim{Levels: make([]Value, 4)}, []float64{3})
	sum = 0
	for x := range 4 {
		sum += math.Exp(c.logPDF(float64(x)))
	}
	if math.Abs(sum-1) > 1e-12 {
		t.Errorf("levels: sum to %v", sum)
	}
}

// TestTPEWeights: Optuna's default_weights: ones up to 25; at 30 the
// oldest five ramp from 1/30 to 1 (numpy.linspace(1/30, 1, 5)).
func TestTPEWeights(t *testing.T) {
	if w := tpeWeights(24); slices.Min(w) != 1 || len(w) != 24 {
		t.Errorf("24: %v", w)
	}
	w := tpeWeights(30)
	want := []float64{1.0 / 30, 1.0/30 + (1-1.0/30)/4, 1.0/30 + (1-1.0/30)/2, 1.0/30 + 3*(1-1.0/30)/4, 1}
	for i, x := range want {
		if math.Abs(w[i]-x) > 1e-12 {
			t.Fatalf("ramp %v, want %v", w[:5], want)
		}
	}
	if w[5] != 1 || w[29] != 1 {
		t.Errorf("flat part %v", w[5:])
	}
}

// branin is Branin's function (minimum 0.397887 at (−π, 12.275), (π,
// 2.275) and (9.42478, 2.475)) plus an offset chosen by a level: 0, 5 or
// 10, so that the best level matters too.
func branin(x []float64) float64 {
	x1, x2 := x[0], x[1]
	a, b, c, r, s, tt := 1.0, 5.1/(4*math.Pi*math.Pi), 5/math.Pi, 6.0, 10.0, 1/(8*math.Pi)
	f := a*(x2-b*x1*x1+c*x1-r)*(x2-b*x1*x1+c*x1-r) + s*(1-tt)*math.Cos(x1) + s
	return f + 5*x[2]
}

// TestTPEBeatsRandomOnBranin: over 15 search seeds of 40 trials each on
// Branin with a level offset, TPE's median best value is below random
// search's (same draws for TPE's ten start-up trials). Every run is
// seeded, so the outcome is fixed; it fails only if the sampler changes.
func TestTPEBeatsRandomOnBranin(t *testing.T) {
	lr, _, _ := testSettings()
	dims := []Dim{
		{Name: "x1", Dist: "uniform", Low: -5, High: 10, set: lr},
		{Name: "x2", Dist: "uniform", Low: 0, High: 15, set: lr},
		{Name: "offset", Levels: make([]Value, 3)},
	}
	best := func(tpe bool, seed uint64) float64 {
		r := rand.New(rand.NewPCG(seed, 9))
		var obs []Observation
		low := math.Inf(1)
		for range 40 {
			var x []float64
			if tpe {
				x = DefaultTPE.Suggest(dims, obs, r)
			} else {
				x = make([]float64, len(dims))
				for i, d := range dims {
					x[i] = d.internal(d.At(r.Float64()))
				}
			}
			// The objective sees the values a trial would train with.
			v := make([]float64, len(dims))
			for i, d := range dims {
				v[i] = d.fromInternal(x[i]).num
			}
			f := branin(v)
			obs = append(obs, Observation{X: x, Loss: f})
			low = math.Min(low, f)
		}
		return low
	}
	var tpe, rnd []float64
	for seed := range uint64(15) {
		tpe, rnd = append(tpe, best(true, seed)), append(rnd, best(false, seed))
	}
	slices.Sort(tpe)
	slices.Sort(rnd)
	t.Logf("median best: TPE %.3f, random %.3f (optimum 0.398)", tpe[7], rnd[7])
	if tpe[7] >= rnd[7] {
		t.Errorf("median best after 40 trials: TPE %.3f, random %.3f", tpe[7], rnd[7])
	}
}

// TestTPERunningTrialsAreLies: a running trial counts as the worst
// (constant liar), so a second suggestion made while the first trains
// is not the same point.
func TestTPERunningTrialsAreLies(t *testing.T) {
	lr, _, _ := testSettings()
	dims := []Dim{{Name: "x", Dist: "uniform", Low: 0, High: 1, set: lr}}
	var obs []Observation
	for i := range 20 {
		x := float64(i) / 20
		obs = append(obs, Observation{X: []float64{x}, Loss: (x - 0.3) * (x - 0.3)})
	}
	first := DefaultTPE.Suggest(dims, obs, rand.New(rand.NewPCG(5, 5)))
	withLie := append(slices.Clone(obs), Observation{X: first, Loss: math.Inf(1)})
	second := DefaultTPE.Suggest(dims, withLie, rand.New(rand.NewPCG(5, 5)))
	if first[0] == second[0] {
		t.Errorf("the same point %v twice", first)
	}
	if math.Abs(first[0]-0.3) > 0.15 {
		t.Errorf("first suggestion %v, far from the best region around 0.3", first)
	}
}

const tpeSweep = `name: t
train: {steps: 10, eval_every: 5}
seeds: [1, 2]
search: {strategy: tpe, trials: 30, startup: 8, batch: 3, seed: 4, objective: {metric: mmd2, direction: minimize}}
space:
  loss: [nonsaturating, hinge]
  lr: {log_uniform: [1e-5, 1e-1]}
`

// tpeObjective is a made-up final mmd2: lowest at lr = 1e-3 with the
// hinge loss, a little higher by seed.
func tpeObjective(c Planned) float64 {
	v := math.Pow(math.Log10(c.Config.LrG)+3, 2) + float64(c.Seed)*0.01
	if c.Config.Loss != "hinge" {
		v += 0.5
	}
	return v
}

// TestExpandTPE drives a TPE search the way `ganexp sweep` does: plan,
// "train" what has no result, plan again. Without results only the eight
// start-up draws are planned; the rounds then follow three at a time; the
// whole plan is 30 configurations × 2 seeds, the same when planned again
// from the results; a plan made with only some results is a prefix of
// it; and the search homes in on the optimum.
func TestExpandTPE(t *testing.T) {
	s, err := Parse("g.yaml", []byte(tpeSweep))
	if err != nil {
		t.Fatal(err)
	}
	res := map[string]float64{}
	lookup := func(k string) (float64, bool) { v, ok := res[k]; return v, ok }
	var sizes []int
	var p *Plan
	for complete := false; !complete; {
		if p, complete, err = s.ExpandTPE(lookup); err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(p.Trials))
		for _, tr := range p.Trials {
			if _, ok := res[tr.Key]; !ok {
				res[tr.Key] = tpeObjective(tr)
			}
		}
	}
	if sizes[0] != 16 || sizes[1] != 22 || len(p.Trials) != 60 {
		t.Fatalf("plans grew %v, want 16, 22, … 60", sizes)
	}
	if first, _ := s.Expand(); len(first.Trials) != 16 {
		t.Errorf("Expand without results planned %d trials, want the 16 start-up ones", len(first.Trials))
	}
	again, complete, _ := s.ExpandTPE(lookup)
	if !complete || len(again.Trials) != len(p.Trials) {
		t.Fatalf("replanned %d trials (complete %v)", len(again.Trials), complete)
	}
	for i := range p.Trials {
		if again.Trials[i].Key != p.Trials[i].Key {
			t.Fatalf("trial %d replanned differently", i)
		}
	}
	// Forget the results of trials after the 20th: the plan stops at the
	// first round that needs them, a prefix of the full one.
	partial := map[string]float64{}
	for _, tr := range p.Trials[:20] {
		partial[tr.Key] = res[tr.Key]
	}
	pre, complete, _ := s.ExpandTPE(func(k string) (float64, bool) { v, ok := partial[k]; return v, ok })
	if complete || len(pre.Trials) != 22 {
		t.Errorf("with 20 results: %d trials planned (complete %v), want 22", len(pre.Trials), complete)
	}
	// The last ten configurations sit nearer the optimum than the eight
	// random ones.
	dist := func(from, to int) float64 {
		sum := 0.0
		for _, tr := range p.Trials[from:to] {
			sum += tpeObjective(tr)
		}
		return sum / float64(to-from)
	}
	if early, late := dist(0, 16), dist(40, 60); late >= early/2 {
		t.Errorf("mean objective: start-up %.3f, last ten configurations %.3f", early, late)
	}
}

// TestCheckObjective: an objective metric ganexp does not record is an
// error at its position, with the closest name.
func TestCheckObjective(t *testing.T) {
	s, err := Parse("g.yaml", []byte("search: {strategy: tpe, trials: 5, objective: {metric: mdd2, direction: minimize}}\nspace:\n  lr: {uniform: [0.1, 1]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = s.CheckObjective([]string{"mmd2", "swd"})
	if want := `g.yaml:1:56: unknown objective metric "mdd2" (did you mean "mmd2"? valid: mmd2, swd)`; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if err := s.CheckObjective([]string{"mdd2"}); err != nil {
		t.Errorf("a valid metric: %v", err)
	}
}

// TestCheckPrune: a prune metric ganexp does not know, or that a trial of
// the sweep never records, is an error at the metric; the metric's own
// direction is taken where the file gives none.
func TestCheckPrune(t *testing.T) {
	// A stand-in registry: fd is recorded on images only, loss_g
	// everywhere, and more loss_g is worse.
	look := func(name string, c ganexp.Config) (bool, bool, bool) {
		_, _, _, image := c.Dataset.ImageShape()
		switch name {
		case "fd": // on images, and on the grid (a stand-in's licence)
			return true, image || c.Dataset.Kind == "grid", false
		case "loss_g":
			return true, true, false
		case "modes_captured":
			return true, true, true
		}
		return false, false, false
	}
	valid := []string{"fd", "loss_g", "modes_captured"}
	for _, c := range []struct{ name, yaml, want string }{
		{"Unknown", "prune: {strategy: median, metric: loss_h}\n", `g.yaml:1:35: unknown prune metric "loss_h" (did you mean "loss_g"? valid: fd, loss_g, modes_captured)`},
		{"NotRecorded", "dataset: {kind: ring}\nprune: {strategy: median, metric: fd}\n", `g.yaml:2:35: prune metric fd is never recorded on data set ring (ring) (prune on a metric this data set records, e.g. loss_g, or use another data set)`},
		{"NotRecordedOnOneLevel", "dataset: {kind: grid}\ngrid:\n  dataset:\n    g: {kind: grid}\n    r: {kind: ring}\nprune: {strategy: median, metric: fd}\n", `g.yaml:6:35: prune metric fd is never recorded on data set r (ring) (prune on a metric this data set records, e.g. loss_g, or use another data set)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse("g.yaml", []byte(c.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.CheckPrune(look, valid); err == nil || err.Error() != c.want {
				t.Errorf("got  %v\nwant %s", err, c.want)
			}
		})
	}
	for _, c := range []struct {
		yaml     string
		maximize bool
	}{
		{"prune: {strategy: median, metric: modes_captured}\n", true},
		{"prune: {strategy: median, metric: modes_captured, direction: minimize}\n", false},
		{"prune: {strategy: median, metric: loss_g}\n", false},
		// Without a metric, the pruner judges by the search's objective.
		{"search: {strategy: tpe, trials: 4, objective: {metric: loss_g, direction: maximize}}\nspace:\n  lr: {uniform: [0.1, 1]}\nprune: {strategy: median}\n", true},
	} {
		s, err := Parse("g.yaml", []byte(c.yaml))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CheckPrune(look, valid); err != nil {
			t.Fatal(err)
		}
		if s.Prune.Maximize != c.maximize || s.Prune.Metric == "" {
			t.Errorf("%q: maximize %v, want %v", c.yaml, s.Prune.Maximize, c.maximize)
		}
	}
}

// TestASHACheckpointsAtTheFirstRung: under ASHA a trial that leaves
// checkpoint_every unset keeps a checkpoint at the first rung's
// evaluation and its multiples, so that a promoted trial goes on from its
// rung; one that sets it keeps its own.
func TestASHACheckpointsAtTheFirstRung(t *testing.T) {
	for _, c := range []struct {
		train string
		want  int
	}{
		{"{steps: 1000, eval_every: 50}", 100},
		{"{steps: 1000, eval_every: 40}", 120}, // the first evaluation at or past step 100
		{"{steps: 1000, eval_every: 50, checkpoint_every: 500}", 500},
	} {
		s, err := Parse("g.yaml", []byte("train: "+c.train+"\nprune: {strategy: asha, metric: loss_g, min_steps: 100}\n"))
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.Expand()
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Trials[0].Config.CheckpointEvery; got != c.want || p.Prune == nil || p.Prune.MinSteps != 100 {
			t.Errorf("%s: checkpoint_every %d, want %d (rule %+v)", c.train, got, c.want, p.Prune)
		}
	}
}
