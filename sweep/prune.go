package sweep

import (
	"fmt"
	"strings"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/prune"
	"go.yaml.in/yaml/v3"
)

// Prune is a sweep file's prune: section: the rule, and where it was
// written, for errors found later (an unknown or unrecorded metric).
type Prune struct {
	prune.Rule
	Node, MetricNode *yaml.Node
	// direction is set when the file gives one; otherwise the metric's
	// own (CheckPrune fills Maximize in).
	direction bool
}

// pruneKeys are the keys of prune:, in the order errors list them.
var pruneKeys = []string{"strategy", "metric", "direction", "min_steps", "reduction_factor", "startup"}

// prune parses {strategy: asha | median, metric: M, direction: …,
// min_steps: S, reduction_factor: η, startup: N}.
func (d *decoder) prune(n *yaml.Node, search Search) (*Prune, error) {
	p := &Prune{Node: n, Rule: prune.Rule{Reduction: prune.DefaultReduction, Startup: prune.DefaultStartup}}
	var strategy, minSteps, ashaOnly, medianOnly *yaml.Node
	err := d.fields(n, "prune", pruneKeys, func(key string, k, v *yaml.Node) error {
		var err error
		switch key {
		case "strategy":
			strategy = v
			p.Strategy, err = d.choice(v, "prune.strategy", prune.Strategies)
		case "metric":
			p.MetricNode = v
			p.Metric, err = d.str(v, "prune.metric")
		case "direction":
			var s string
			s, err = d.choice(v, "prune.direction", Directions)
			p.Maximize, p.direction = s == "maximize", true
		case "min_steps":
			minSteps = v
			p.MinSteps, err = intAtLeastInt(d, v, "prune.min_steps", 1)
		case "reduction_factor":
			ashaOnly = k
			p.Reduction, err = intAtLeastInt(d, v, "prune.reduction_factor", 2)
		case "startup":
			medianOnly = k
			p.Startup, err = intAtLeastInt(d, v, "prune.startup", 1)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if strategy == nil {
		return nil, d.errf(n, "add strategy: asha (or median)", "prune needs a strategy")
	}
	if p.Metric == "" {
		// An Optuna user prunes on what the study optimises.
		if search.Objective.Metric == "" {
			return nil, d.errf(n, "add metric: M, the metric to compare trials by at a rung (e.g. balanced_hq)", "prune needs a metric")
		}
		p.Metric, p.MetricNode = search.Objective.Metric, search.Objective.Node
		if !p.direction {
			p.Maximize, p.direction = search.Objective.Maximize, true
		}
	}
	if p.Strategy == "asha" && minSteps == nil {
		return nil, d.errf(n, "add min_steps: S, the first rung (e.g. a tenth of the steps)", "prune strategy asha needs min_steps")
	}
	if p.Strategy != "asha" && ashaOnly != nil {
		return nil, d.errf(ashaOnly, "remove it, or pick strategy: asha", "prune.reduction_factor applies to strategy asha only")
	}
	if p.Strategy != "median" && medianOnly != nil {
		return nil, d.errf(medianOnly, "remove it, or pick strategy: median", "prune.startup applies to strategy median only")
	}
	return p, nil
}

// MetricLookup says whether a metric exists, whether a trial of c records
// it at its evaluations, and whether more of it is better.
type MetricLookup func(name string, c ganexp.Config) (exists, recorded, higherBetter bool)

// CheckPrune rejects a prune: metric that ganexp does not know or that
// some trial of the sweep would never record (fd on point data, say), and
// fills in the metric's own direction where the file gives none.
func (s *Spec) CheckPrune(look MetricLookup, valid []string) error {
	p := s.Prune
	if p == nil {
		return nil
	}
	d := &decoder{file: s.File}
	for _, c := range s.dataConfigs() {
		exists, recorded, higher := look(p.Metric, c)
		if !exists {
			hint := "valid: " + strings.Join(valid, ", ")
			if c := closest(p.Metric, valid); c != "" {
				hint = fmt.Sprintf("did you mean %q? %s", c, hint)
			}
			return d.errf(p.MetricNode, hint, "unknown prune metric %q", p.Metric)
		}
		if !recorded {
			return d.errf(p.MetricNode, "prune on a metric this data set records, e.g. loss_g, or use another data set",
				"prune metric %s is never recorded on data set %s (%s)", p.Metric, c.Dataset.Name, c.Dataset.Kind)
		}
		if !p.direction {
			p.Maximize = higher
		}
	}
	return nil
}

// dataConfigs are the base configuration with each data set the sweep
// names: what decides which metrics its trials record.
func (s *Spec) dataConfigs() []ganexp.Config {
	out := []ganexp.Config{s.Base}
	levels := func(name string, vs []Value) {
		if name != "dataset" {
			return
		}
		out = out[:0]
		for _, v := range vs {
			c := s.Base
			v.Apply(&c)
			out = append(out, c)
		}
	}
	for _, a := range s.Axes {
		levels(a.Name, a.Values)
	}
	for _, dim := range s.Space {
		levels(dim.Name, dim.Levels)
	}
	return out
}

// checkRungs rejects an ASHA rule whose first rung lies at or past the
// end of every trial: it would never prune anything.
func (s *Spec) checkRungs(d *decoder, steps int) error {
	p := s.Prune
	if p == nil || p.Strategy != "asha" || p.MinSteps < steps {
		return nil
	}
	return d.errf(p.Node, fmt.Sprintf("give min_steps below %d, e.g. %d", steps, max(steps/10, 1)),
		"prune.min_steps %d leaves no rung before the trials end at step %d", p.MinSteps, steps)
}

// pruneCheckpoints is checkpoint_every for a trial under ASHA when the
// file leaves it unset: the first rung's evaluation step, so that a
// paused trial that is promoted goes on from its rung (later rungs are
// multiples of it when min_steps is a multiple of eval_every).
func pruneCheckpoints(c ganexp.Config, p *Prune) (int, bool) {
	if p == nil || p.Strategy != "asha" {
		return 0, false
	}
	every := (p.MinSteps + c.EvalEvery - 1) / c.EvalEvery * c.EvalEvery
	if every >= c.Steps {
		return 0, false
	}
	return every, true
}

// varies reports whether a grid axis or space dimension sets name.
func (s *Spec) varies(name string) bool {
	for _, a := range s.Axes {
		if a.Name == name {
			return true
		}
	}
	for _, d := range s.Space {
		if d.Name == name {
			return true
		}
	}
	return false
}

// pruneRule is the plan's copy of the rule.
func (s *Spec) pruneRule() *prune.Rule {
	if s.Prune == nil {
		return nil
	}
	r := s.Prune.Rule
	return &r
}
