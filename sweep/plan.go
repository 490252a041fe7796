package sweep

import (
	"fmt"
	"github.com/ganexp/ganexp/prune"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/ganexp/ganexp"
)

// Plan is a sweep expanded into trials.
type Plan struct {
	Name   string
	File   string
	Source []byte
	Axes   []string // grid axis names in file order, then space: dimensions
	// Strategy is how the configurations were chosen: grid, random or
	// sobol.
	Strategy string
	Trials   []Planned
	Timeout  time.Duration // per trial; 0 for none
	// Prune is the rule that stops trials early; nil for none.
	Prune *prune.Rule
	// Positions are the trials' places in the whole plan when this is a
	// shard of it (Shard); nil for a whole plan, whose places are 0…n−1.
	Positions []int
	// ShardOf is {I, N} for shard I of N; N is 0 for a whole plan.
	ShardOf [2]int
}

// Planned is one trial with the grid point it came from.
type Planned struct {
	ganexp.Trial
	Point []string // one label per plan axis, in Plan.Axes order
}

// MaxTrials is the plan size above which a sweep needs --yes: a typo
// in an axis should not start ten thousand trainings.
const MaxTrials = 1000

// HardMaxTrials is the plan size Expand refuses even with --yes: past it
// the plan alone would not fit in memory.
const HardMaxTrials = 1_000_000

// CheckSize refuses plans larger than MaxTrials unless yes.
func (s *Spec) CheckSize(yes bool) error {
	if n := s.Size(); n > MaxTrials && !yes {
		if s.Search.Strategy != "grid" {
			return ganexp.Inputf(s.File, "pass --yes to run them all, or lower search.trials",
				"the search draws %d trials, more than %d: %d configurations × %d seeds", n, MaxTrials, s.Search.Trials, len(s.Seeds))
		}
		axes := make([]string, len(s.Axes))
		for i, a := range s.Axes {
			axes[i] = fmt.Sprintf("%s (%d)", a.Name, len(a.Values))
		}
		return ganexp.Inputf(s.File, "pass --yes to run them all, or trim the grid",
			"the grid expands to %s trials, more than %d: %s × %d seeds", sizeText(n), MaxTrials, strings.Join(axes, " × "), len(s.Seeds))
	}
	return nil
}

// Expand crosses the axes (the last varying fastest) and then the seeds,
// and keys every trial. Two grid points that give the same trial, which
// happens when an axis does not apply to them (clip without wgan, beta1
// without adam), are an error rather than a silent duplicate.
func (s *Spec) Expand() (*Plan, error) {
	if n := s.Size(); n > HardMaxTrials {
		return nil, ganexp.Inputf(s.File, "split the grid into several sweeps",
			"the grid expands to %s trials, more than ganexp plans at once (%d)", sizeText(n), HardMaxTrials)
	}
	p := &Plan{Name: s.Name, File: s.File, Source: s.Source, Timeout: s.Timeout, Strategy: s.Search.Strategy, Prune: s.pruneRule()}
	switch s.Search.Strategy {
	case "tpe": // as far as it goes without results: the start-up draws
		p, _, err := s.ExpandTPE(func(string) (float64, bool) { return 0, false })
		return p, err
	case "random", "sobol":
		return s.expandDrawn(p)
	}
	for _, a := range s.Axes {
		p.Axes = append(p.Axes, a.Name)
	}
	d := &decoder{file: s.File}
	seen := map[string][]string{}
	idx := make([]int, len(s.Axes))
	for {
		values := make([]Value, len(s.Axes))
		for i, a := range s.Axes {
			values[i] = a.Values[idx[i]]
		}
		c, point, err := s.configure(values)
		if err != nil {
			return nil, err
		}
		for _, seed := range s.Seeds {
			t := ganexp.NewTrial(c, seed)
			if prev, dup := seen[t.Key]; dup {
				return nil, s.duplicate(d, prev, point)
			}
			seen[t.Key] = point
			p.Trials = append(p.Trials, Planned{Trial: t, Point: point})
		}
		if !next(idx, s.Axes) {
			break
		}
	}
	return p, nil
}

// configure applies one level or drawn value per axis to the base
// configuration, and checks what only the whole configuration shows.
func (s *Spec) configure(values []Value) (ganexp.Config, []string, error) {
	c := s.Base
	point := make([]string, len(values))
	for i, v := range values {
		v.Apply(&c)
		point[i] = v.Label
	}
	if err := checkArchFitsData(s.File, c, point); err != nil {
		return c, nil, err
	}
	if every, ok := pruneCheckpoints(c, s.Prune); ok && c.CheckpointEvery < 0 {
		c.CheckpointEvery = every
	} else if c.CheckpointEvery < 0 {
		c.CheckpointEvery = autoCheckpoint(c)
	} else if c.CheckpointEvery%c.EvalEvery != 0 {
		return c, nil, ganexp.Inputf(s.File, "give a multiple of eval_every: checkpoints are taken at evaluations",
			"checkpoint_every %d is not a multiple of eval_every %d", c.CheckpointEvery, c.EvalEvery)
	}
	return c, point, nil
}

// Random streams of a drawn search, apart from every trial's own.
const (
	streamRandom = 0x5ea4c4
	streamSobol  = 0x50b01
)

// expandDrawn plans a random or Sobol search: search.trials distinct
// configurations drawn from the space (the grid: axes are dimensions of
// it, each level equally likely), each trained once per seed, in the
// order drawn. The draws depend only on the file and search.seed, so a
// rerun plans the same trials in the same order and resumes where the
// last run stopped. A draw that repeats an earlier configuration (a
// space of few levels) is skipped; a space with fewer configurations than
// trials is an error.
func (s *Spec) expandDrawn(p *Plan) (*Plan, error) {
	dims := s.Dims()
	for _, d := range dims {
		p.Axes = append(p.Axes, d.Name)
	}
	u := make([]float64, len(dims))
	var draw func()
	if s.Search.Strategy == "sobol" {
		seq := newSobol(len(dims), rand.New(rand.NewPCG(s.Search.Seed, streamSobol)))
		draw = func() { seq.next(u) }
	} else {
		r := rand.New(rand.NewPCG(s.Search.Seed, streamRandom))
		draw = func() {
			for i := range u {
				u[i] = r.Float64()
			}
		}
	}
	seen := map[string]bool{}
	configs := 0
	for tries := 0; configs < s.Search.Trials && tries < 100*s.Search.Trials+1000; tries++ {
		draw()
		values := make([]Value, len(dims))
		for i, d := range dims {
			values[i] = d.At(u[i])
		}
		c, point, err := s.configure(values)
		if err != nil {
			return nil, err
		}
		if key := ganexp.NewTrial(c, 0).Key; seen[key] {
			continue
		} else {
			seen[key] = true
		}
		configs++
		for _, seed := range s.Seeds {
			p.Trials = append(p.Trials, Planned{Trial: ganexp.NewTrial(c, seed), Point: point})
		}
	}
	if configs < s.Search.Trials {
		return nil, ganexp.Inputf(s.File, fmt.Sprintf("ask for at most %d trials, or widen the space", configs),
			"the space holds %d distinct configurations, fewer than search.trials %d", configs, s.Search.Trials)
	}
	return p, nil
}

// Dims are the search space's dimensions: the grid: axes as levels, then
// the space: entries, in file order.
func (s *Spec) Dims() []Dim {
	var dims []Dim
	for _, a := range s.Axes {
		dims = append(dims, Dim{Name: a.Name, Node: a.Node, Levels: a.Values})
	}
	return append(dims, s.Space...)
}

// checkArchFitsData refuses a grid point whose model cannot take its
// data: DCGAN's convolutions need images whose sides halve once per
// layer.
func checkArchFitsData(file string, c ganexp.Config, point []string) error {
	a := c.Arch
	if a.KindOf() != ganexp.KindDCGAN {
		return nil
	}
	where := "the sweep"
	if len(point) > 0 {
		where = "grid point (" + strings.Join(point, ", ") + ")"
	}
	_, h, w, image := c.Dataset.ImageShape()
	if !image {
		return ganexp.Inputf(file, "train dcgan on kind mnist or stacked_mnist, or use kind mlp for points",
			"%s: arch kind dcgan needs image data, not %s", where, c.Dataset.Kind)
	}
	for _, ch := range [][]int{a.G, a.D} {
		if L := len(ch); h%(1<<L) != 0 || w%(1<<L) != 0 {
			return ganexp.Inputf(file, "give as many channel widths as the image's sides can be halved",
				"%s: %d×%d images do not halve %d times, once per DCGAN layer (%v)", where, h, w, L, ch)
		}
	}
	return nil
}

// next advances idx like an odometer; false when it wraps around.
func next(idx []int, axes []Axis) bool {
	for i := len(idx) - 1; i >= 0; i-- {
		idx[i]++
		if idx[i] < len(axes[i].Values) {
			return true
		}
		idx[i] = 0
	}
	return false
}

// duplicate explains why two grid points plan the same trial: either an
// axis lists one value twice (1e-3 and 0.001), or an axis that does not
// apply to these trials varies.
func (s *Spec) duplicate(d *decoder, prev, point []string) error {
	if slices.Equal(prev, point) {
		for _, a := range s.Axes {
			seen := map[string]bool{}
			for _, v := range a.Values {
				if seen[v.Label] {
					return d.errf(v.Node, "remove the copy", "grid.%s lists %s twice", a.Name, v.Label)
				}
				seen[v.Label] = true
			}
		}
	}
	return d.errf(s.Axes[len(s.Axes)-1].Node,
		"an axis that does not apply to these trials (clip without wgan, beta1/beta2 without adam, rho without rmsprop) varies; move it to a sweep of its own",
		"grid points %s and %s are the same trial", s.describe(prev), s.describe(point))
}

func (s *Spec) describe(point []string) string {
	parts := make([]string, len(point))
	for i, v := range point {
		parts[i] = s.Axes[i].Name + "=" + v
	}
	return "(" + strings.Join(parts, " ") + ")"
}

// Size is the number of trials Expand would plan, without planning them.
// It saturates at math.MaxInt rather than wrap, so a grid too large to
// count is still too large for CheckSize.
func (s *Spec) Size() int {
	n := len(s.Seeds)
	if s.Search.Strategy != "grid" {
		return s.Search.Trials * n
	}
	for _, a := range s.Axes {
		if len(a.Values) > 0 && n > math.MaxInt/len(a.Values) {
			return math.MaxInt
		}
		n *= len(a.Values)
	}
	return n
}

func sizeText(n int) string {
	if n == math.MaxInt {
		return "too many"
	}
	return fmt.Sprint(n)
}

// String summarises the plan for logs: "ring8-losses: 60 trials (loss × lr_g × 3 seeds)".
func (p *Plan) String() string {
	if p.Strategy != "" && p.Strategy != "grid" {
		return fmt.Sprintf("%s: %d trials (%s draws of %s × seed)%s", p.Name, len(p.Trials), p.Strategy, strings.Join(p.Axes, ", "), p.shardText())
	}
	return fmt.Sprintf("%s: %d trials (%s)%s", p.Name, len(p.Trials), strings.Join(append(p.Axes, "seed"), " × "), p.shardText())
}

// shardText says which shard a plan is, or nothing for a whole plan.
func (p *Plan) shardText() string {
	if p.ShardOf[1] == 0 {
		return ""
	}
	return fmt.Sprintf(", shard %d of %d", p.ShardOf[0], p.ShardOf[1])
}
