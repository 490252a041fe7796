package sweep

import (
	"math"
	"math/rand/v2"

	"github.com/ganexp/ganexp"
)

// streamTPE is the first of the TPE search's random streams: draw i uses
// stream streamTPE + i of the search seed, so that a draw does not depend
// on how many random numbers the ones before it used.
const streamTPE = 0x79e000

// Results reports a trial's final value of the objective metric, and
// whether the trial has finished (a finished trial without a value, a
// failed one, reports NaN).
type Results func(key string) (value float64, finished bool)

// ExpandTPE plans a TPE search as far as the results allow. The first
// search.startup configurations are independent random draws and are
// planned at once. After them the search goes in rounds of search.batch
// configurations: each round's are suggested from the results of every
// configuration before it (the objective's mean over the seeds; a
// configuration whose trials all failed is left out, as Optuna leaves out
// failed trials), and from the round's own earlier suggestions as running
// trials (a constant liar), so a round's configurations spread out. A
// round is planned only when every trial before it has finished: the plan
// depends on the results and the file alone, not on timing or on
// --parallel, so a rerun plans the same trials in the same order and
// resumes where the last run stopped. complete reports whether all
// search.trials configurations are planned.
func (s *Spec) ExpandTPE(results Results) (p *Plan, complete bool, err error) {
	p = &Plan{Name: s.Name, File: s.File, Source: s.Source, Timeout: s.Timeout, Strategy: s.Search.Strategy, Prune: s.pruneRule()}
	dims := s.Dims()
	for _, d := range dims {
		p.Axes = append(p.Axes, d.Name)
	}
	tpe := TPE{Startup: 0, Candidates: DefaultTPE.Candidates}
	type config struct {
		x    []float64
		keys []string
	}
	var obs []Observation
	var pending []config // planned, not yet observed
	planned := map[string]bool{}
	configs := 0
	// observe turns the pending configurations into observations; it
	// reports false if a trial among them has not finished.
	observe := func() bool {
		for _, c := range pending {
			for _, k := range c.keys {
				if _, done := results(k); !done {
					return false
				}
			}
		}
		for _, c := range pending {
			sum, n := 0.0, 0
			for _, k := range c.keys {
				if v, _ := results(k); !math.IsNaN(v) && !math.IsInf(v, 0) {
					sum, n = sum+v, n+1
				}
			}
			if n == 0 {
				continue
			}
			loss := sum / float64(n)
			if s.Search.Objective.Maximize {
				loss = -loss
			}
			obs = append(obs, Observation{X: c.x, Loss: loss})
		}
		pending = nil
		return true
	}
	draws := 0
	maxDraws := 100*s.Search.Trials + 1000
	for configs < s.Search.Trials {
		if configs >= s.Search.Startup && (configs-s.Search.Startup)%s.Search.Batch == 0 {
			// A new round: it needs every earlier result.
			if !observe() {
				return p, false, nil
			}
		}
		// Draw until the draw is a configuration not planned before.
		for {
			if draws >= maxDraws {
				return nil, false, ganexp.Inputf(s.File, "lower search.trials, or widen the space",
					"the tpe search found only %d distinct configurations in %d draws", configs, draws)
			}
			r := rand.New(rand.NewPCG(s.Search.Seed, streamTPE+uint64(draws)))
			draws++
			values := make([]Value, len(dims))
			if configs < s.Search.Startup {
				for i, d := range dims {
					values[i] = d.At(r.Float64())
				}
			} else {
				seen := make([]Observation, 0, len(obs)+len(pending))
				seen = append(seen, obs...)
				for _, c := range pending {
					seen = append(seen, Observation{X: c.x, Loss: math.Inf(1)})
				}
				x := tpe.Suggest(dims, seen, r)
				for i, d := range dims {
					values[i] = d.fromInternal(x[i])
				}
			}
			c, point, err := s.configure(values)
			if err != nil {
				return nil, false, err
			}
			if key := ganexp.NewTrial(c, 0).Key; planned[key] {
				continue
			} else {
				planned[key] = true
			}
			cfg := config{x: make([]float64, len(dims))}
			for i, d := range dims {
				cfg.x[i] = d.internal(values[i]) // the value trained, after rounding
			}
			for _, seed := range s.Seeds {
				t := ganexp.NewTrial(c, seed)
				cfg.keys = append(cfg.keys, t.Key)
				p.Trials = append(p.Trials, Planned{Trial: t, Point: point})
			}
			pending = append(pending, cfg)
			configs++
			break
		}
	}
	return p, observe(), nil
}
