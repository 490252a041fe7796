package sweep

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ganexp/ganexp"
	"go.yaml.in/yaml/v3"
)

// Strategies are the valid search: strategy values. grid expands the
// grid: axes (the default); random and sobol draw search.trials
// configurations from the space; tpe draws them in rounds, each from the
// results of the rounds before.
var Strategies = []string{"grid", "random", "sobol", "tpe"}

// Search is the file's search: section.
type Search struct {
	Strategy string
	Trials   int    // configurations to draw (each trained once per seed)
	Seed     uint64 // the search's own seed, apart from the training seeds
	Node     *yaml.Node
	// TPE only: random start-up draws (Optuna's n_startup_trials), and
	// configurations per round (a round's trials run in parallel; the
	// next round waits for their results).
	Startup, Batch int
	// Objective is what TPE minimises or maximises; an empty Metric is
	// the report's default ranking.
	Objective Objective
}

// Objective is a metric and its direction. With several seeds the
// objective of a configuration is the mean of its trials' final values.
type Objective struct {
	Metric   string
	Maximize bool
	Node     *yaml.Node // the metric's, for errors
}

// Directions are the valid objective directions.
var Directions = []string{"maximize", "minimize"}

// Dim is one dimension of a search space: a distribution of a numeric
// setting, or a list of levels (a grid axis, or a space: list) from which
// one is drawn with equal probability.
type Dim struct {
	Name string
	Node *yaml.Node
	// Levels are a categorical dimension's levels; nil for a distribution.
	Levels []Value
	// A distribution: uniform, log_uniform or int, over [Low, High]; an
	// int one with Step between its values and Log to draw on a log scale.
	Dist      string
	Low, High float64
	Step      float64
	Log       bool
	set       setting
	isInt     bool
}

// Distributions are the valid keys of a distribution in space:.
var Distributions = []string{"uniform", "log_uniform", "int"}

// At maps u in [0, 1) to the dimension's value: a level (u picks one of
// k equal intervals), or a point of the distribution by its inverse
// CDF. Continuous values are rounded to 4 significant digits, so that
// labels read well and a configuration's key does not depend on the
// last bits of exp and log.
func (d Dim) At(u float64) Value {
	if d.Levels != nil {
		return d.level(min(int(u*float64(len(d.Levels))), len(d.Levels)-1))
	}
	var x float64
	switch {
	case d.Dist == "uniform":
		x = d.Low + u*(d.High-d.Low)
	case d.Dist == "log_uniform":
		x = math.Exp(math.Log(d.Low) + u*(math.Log(d.High)-math.Log(d.Low)))
	case d.Log: // int on a log scale: log-uniform over [low − ½, high + ½], rounded (Optuna's IntDistribution(log=True))
		lo, hi := math.Log(d.Low-0.5), math.Log(d.High+0.5)
		x = math.Exp(lo + u*(hi-lo))
	default: // int: one of the values low, low + step, …, ≤ high
		n := math.Floor((d.High-d.Low)/d.Step) + 1
		x = d.Low + math.Min(math.Floor(u*n), n-1)*d.Step
	}
	return d.value(x)
}

// level is a list dimension's level i, remembering its index.
func (d Dim) level(i int) Value {
	v := d.Levels[i]
	v.num = float64(i)
	return v
}

// value is a distribution's value x: rounded to 4 significant digits
// (reals) or to the nearest valid whole number (ints).
func (d Dim) value(x float64) Value {
	var v any
	if d.isInt {
		if d.Log {
			x = math.Round(x)
		} else {
			x = d.Low + math.Round((x-d.Low)/d.Step)*d.Step
		}
		x = math.Min(d.High, math.Max(d.Low, x))
		v = int(x)
	} else {
		x = round4(x)
		v = x
	}
	return Value{Label: ganexp.FormatValue(v), Node: d.Node, num: x, Apply: func(c *ganexp.Config) { d.set.apply(c, v) }}
}

// internal is a value in the scale TPE models: a level's index, the log
// of a log-scaled value, else the value.
func (d Dim) internal(v Value) float64 {
	if d.Levels == nil && (d.Dist == "log_uniform" || d.Log) {
		return math.Log(v.num)
	}
	return v.num
}

// fromInternal is the value at x in TPE's scale.
func (d Dim) fromInternal(x float64) Value {
	switch {
	case d.Levels != nil:
		return d.level(min(max(int(math.Round(x)), 0), len(d.Levels)-1))
	case d.Dist == "log_uniform" || d.Log:
		return d.value(math.Exp(x))
	}
	return d.value(x)
}

// parzenBounds is the range TPE's estimators span in the internal scale,
// and the spacing of a discrete dimension's values (0 for a continuous
// one): a step's values own half a step either side, and a log int's
// range reaches half a unit past its ends, as in Optuna.
func (d Dim) parzenBounds() (low, high, q float64) {
	switch {
	case d.Dist == "log_uniform":
		return math.Log(d.Low), math.Log(d.High), 0
	case d.Log:
		return math.Log(d.Low - 0.5), math.Log(d.High + 0.5), 0
	case d.Dist == "int":
		return d.Low - d.Step/2, d.High + d.Step/2, d.Step
	}
	return d.Low, d.High, 0
}

// round4 rounds x to 4 significant digits.
func round4(x float64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 4, 64), 64)
	return v
}

// search parses the search: section.
func (d *decoder) search(n *yaml.Node) (*Search, error) {
	s := &Search{Strategy: "grid", Node: n, Startup: DefaultTPE.Startup, Batch: 2}
	var trials, tpeOnly *yaml.Node
	err := d.fields(n, "search", []string{"strategy", "trials", "seed", "startup", "batch", "objective"}, func(key string, k, v *yaml.Node) error {
		var err error
		switch key {
		case "strategy":
			s.Strategy, err = d.choice(v, "search.strategy", Strategies)
		case "trials":
			trials = v
			s.Trials, err = intAtLeastInt(d, v, "search.trials", 1)
		case "seed":
			var seed int
			seed, err = intAtLeastInt(d, v, "search.seed", 0)
			s.Seed = uint64(seed)
		case "startup":
			tpeOnly = k
			s.Startup, err = intAtLeastInt(d, v, "search.startup", 1)
		case "batch":
			tpeOnly = k
			s.Batch, err = intAtLeastInt(d, v, "search.batch", 1)
		case "objective":
			tpeOnly = k
			err = d.objective(v, &s.Objective)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if s.Strategy != "grid" && trials == nil {
		return nil, d.errf(n, "add trials: N, the configurations to draw", "search strategy %s needs trials:", s.Strategy)
	}
	if s.Strategy == "grid" && trials != nil {
		return nil, d.errf(trials, "remove trials:, or pick strategy: random or sobol", "a grid search plans every grid point; trials: does not apply")
	}
	if s.Strategy != "tpe" && tpeOnly != nil {
		return nil, d.errf(tpeOnly, "remove it, or pick strategy: tpe", "search.%s applies to strategy tpe only", tpeOnly.Value)
	}
	return s, nil
}

// objective parses {metric: M, direction: maximize | minimize}.
func (d *decoder) objective(n *yaml.Node, o *Objective) error {
	var dir *yaml.Node
	err := d.fields(n, "search.objective", []string{"metric", "direction"}, func(key string, k, v *yaml.Node) error {
		var err error
		switch key {
		case "metric":
			o.Node = v
			o.Metric, err = d.str(v, "search.objective.metric")
		case "direction":
			dir = v
			var s string
			s, err = d.choice(v, "search.objective.direction", Directions)
			o.Maximize = s == "maximize"
		}
		return err
	})
	if err != nil {
		return err
	}
	if o.Node == nil || dir == nil {
		return d.errf(n, "write objective: {metric: modes_captured, direction: maximize}", "search.objective needs a metric and a direction")
	}
	return nil
}

// CheckObjective rejects an objective metric that ganexp never records;
// valid lists the metric names.
func (s *Spec) CheckObjective(valid []string) error {
	o := s.Search.Objective
	if o.Metric == "" || slices.Contains(valid, o.Metric) {
		return nil
	}
	d := &decoder{file: s.File}
	hint := "valid: " + strings.Join(valid, ", ")
	if c := closest(o.Metric, valid); c != "" {
		hint = fmt.Sprintf("did you mean %q? %s", c, hint)
	}
	return d.errf(o.Node, hint, "unknown objective metric %q", o.Metric)
}

// space parses the space: section, in file order: a list of levels (or
// named specs for dataset and arch) as in grid:, or a distribution
// {uniform: [a, b]}, {log_uniform: [a, b]} or {int: [a, b], log: true,
// step: s} of a numeric setting.
func (d *decoder) space(n *yaml.Node, dir string) ([]Dim, error) {
	if n.Kind == yaml.MappingNode && len(n.Content) == 0 {
		return nil, d.errf(n, "give at least one dimension, e.g. lr: {log_uniform: [1e-5, 1e-2]}", "space has no dimensions")
	}
	var dims []Dim
	err := d.fields(n, "space", axisNames(), func(key string, k, v *yaml.Node) error {
		if v.Kind == yaml.SequenceNode || key == "dataset" || key == "arch" {
			ax, err := d.axis("space", key, k, v, dir)
			dims = append(dims, Dim{Name: key, Node: k, Levels: ax.Values})
			return err
		}
		dim, err := d.distribution(key, k, v)
		dims = append(dims, dim)
		return err
	})
	return dims, err
}

// distribution parses one distribution of a numeric setting.
func (d *decoder) distribution(key string, k, v *yaml.Node) (Dim, error) {
	what := "space." + key
	dim := Dim{Name: key, Node: k, Step: 1}
	dim.set, _ = lookupSetting(key)
	// The setting's own parser says whether it takes whole numbers or
	// reals (or neither: a string setting takes only a list).
	probe, err := dim.set.parse(d, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: "1"}, what)
	_, isString := probe.(string)
	if isString || (err != nil && probe == nil) {
		return dim, d.errf(v, fmt.Sprintf("write a list of values, e.g. %s: [a, b]", key), "%s takes names: give a list, not a distribution", what)
	}
	_, dim.isInt = probe.(int)
	var bounds, logNode, stepNode *yaml.Node
	err = d.fields(v, what, append(slices.Clone(Distributions), "log", "step"), func(name string, kn, vn *yaml.Node) error {
		switch name {
		case "log":
			logNode = vn
			var err error
			dim.Log, err = d.bool(vn, what+".log")
			return err
		case "step":
			stepNode = vn
			return nil
		}
		if dim.Dist != "" {
			return d.errf(kn, "give one distribution", "%s has both %s and %s", what, dim.Dist, name)
		}
		dim.Dist, bounds = name, vn
		return nil
	})
	if err != nil {
		return dim, err
	}
	if dim.Dist == "" {
		return dim, d.errf(v, "write e.g. {log_uniform: [1e-5, 1e-2]}, {uniform: [0, 0.9]} or {int: [1, 5]}", "%s names no distribution (valid: uniform, log_uniform, int, or a list of values)", what)
	}
	if dim.isInt != (dim.Dist == "int") {
		if dim.isInt {
			return dim, d.errf(bounds, fmt.Sprintf("write %s: {int: [a, b]}", key), "%s takes whole numbers: use int, not %s", what, dim.Dist)
		}
		return dim, d.errf(bounds, fmt.Sprintf("write %s: {uniform: [a, b]} or {log_uniform: [a, b]}", key), "%s takes real numbers: use uniform or log_uniform, not int", what)
	}
	if (logNode != nil || stepNode != nil) && dim.Dist != "int" {
		n := logNode
		if n == nil {
			n = stepNode
		}
		return dim, d.errf(n, "log: and step: go with int; use log_uniform for a log scale", "%s: log and step apply to int only", what)
	}
	items, err := d.seq(bounds, what+"."+dim.Dist)
	if err != nil {
		return dim, err
	}
	if len(items) != 2 {
		return dim, d.errf(bounds, "give [low, high]", "%s.%s needs two bounds, got %d", what, dim.Dist, len(items))
	}
	// Each bound must be a valid value of the setting itself (positive
	// learning rates, betas below 1, at least one critic step).
	for i, it := range items {
		val, err := dim.set.parse(d, it, what)
		if err != nil {
			return dim, err
		}
		x := toFloat(val)
		if i == 0 {
			dim.Low = x
		} else {
			dim.High = x
		}
	}
	if dim.Low >= dim.High {
		return dim, d.errf(bounds, "give low < high; for one value, set it under train:", "%s: low %s is not below high %s", what, ganexp.FormatValue(dim.Low), ganexp.FormatValue(dim.High))
	}
	if (dim.Dist == "log_uniform" || dim.Log) && dim.Low <= 0 {
		return dim, d.errf(bounds, "a log scale needs low > 0", "%s: a log range cannot include %s", what, ganexp.FormatValue(dim.Low))
	}
	if stepNode != nil {
		step, err := d.int(stepNode, what+".step")
		if err != nil {
			return dim, err
		}
		if step < 1 || float64(step) > dim.High-dim.Low {
			return dim, d.errf(stepNode, "give a step from 1 to high − low", "%s: step %d does not fit [%s, %s]", what, step, ganexp.FormatValue(dim.Low), ganexp.FormatValue(dim.High))
		}
		if dim.Log {
			return dim, d.errf(stepNode, "give log: true or step:, not both (as in Optuna)", "%s: step and log together", what)
		}
		dim.Step = float64(step)
	}
	return dim, nil
}

func toFloat(v any) float64 {
	if i, ok := v.(int); ok {
		return float64(i)
	}
	return v.(float64)
}
