package sweep

import (
	"fmt"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/dataset"
	"go.yaml.in/yaml/v3"
)

// Defaults are what a sweep file leaves unset. They follow the ring8-mlp
// protocol except for the step count.
func Defaults() ganexp.Config {
	return ganexp.Config{
		Dataset:     dataset.Defaults(ganexp.Dataset{Kind: "ring"}),
		Arch:        ganexp.Arch{G: []int{128, 128}, D: []int{128, 128}, Activation: "relu"},
		Loss:        "nonsaturating",
		Optimizer:   "adam",
		LrG:         1e-3,
		LrD:         1e-3,
		Beta1:       0.5,
		Beta2:       0.999,
		Rho:         0.99,
		Clip:        0.01,
		BatchSize:   256,
		ZDim:        2,
		NCritic:     1,
		Steps:       2000,
		EvalEvery:   250,
		EvalSamples: 2500,
		Detect:      ganexp.DefaultDetect(),
		// Chosen by autoCheckpoint unless the file says.
		CheckpointEvery: -1,
	}
}

// autoCheckpoint is checkpoint_every when the file leaves it unset: none
// for trials of up to 2,000 steps (minutes at most; the quickstart's take
// a second), else about ten per trial, at evaluation steps.
func autoCheckpoint(c ganexp.Config) int {
	if c.Steps <= 2000 {
		return 0
	}
	every := c.Steps / 10
	return (every + c.EvalEvery - 1) / c.EvalEvery * c.EvalEvery
}

// setting is one scalar training parameter, valid under train: and as a
// grid axis.
type setting struct {
	name  string
	parse func(d *decoder, n *yaml.Node, what string) (any, error)
	apply func(c *ganexp.Config, v any)
}

func intAtLeast(lo int) func(*decoder, *yaml.Node, string) (any, error) {
	return func(d *decoder, n *yaml.Node, what string) (any, error) {
		v, err := d.int(n, what)
		if err == nil && v < lo {
			err = d.errf(n, fmt.Sprintf("use a whole number ≥ %d", lo), "%s must be at least %d, got %d", what, lo, v)
		}
		return v, err
	}
}

func positive(d *decoder, n *yaml.Node, what string) (any, error) {
	v, err := d.float(n, what)
	if err == nil && v <= 0 {
		err = d.errf(n, "use a number > 0", "%s must be positive, got %v", what, v)
	}
	return v, err
}

func unitInterval(d *decoder, n *yaml.Node, what string) (any, error) {
	v, err := d.float(n, what)
	if err == nil && (v < 0 || v >= 1) {
		err = d.errf(n, "use a number in [0, 1)", "%s must be in [0, 1), got %v", what, v)
	}
	return v, err
}

func oneOf(choices []string) func(*decoder, *yaml.Node, string) (any, error) {
	return func(d *decoder, n *yaml.Node, what string) (any, error) {
		return d.choice(n, what, choices)
	}
}

var settings = []setting{
	{"loss", oneOf(ganexp.Losses), func(c *ganexp.Config, v any) { c.Loss = v.(string) }},
	{"optimizer", oneOf(ganexp.Optimizers), func(c *ganexp.Config, v any) { c.Optimizer = v.(string) }},
	{"lr", positive, func(c *ganexp.Config, v any) { c.LrG, c.LrD = v.(float64), v.(float64) }},
	{"lr_g", positive, func(c *ganexp.Config, v any) { c.LrG = v.(float64) }},
	{"lr_d", positive, func(c *ganexp.Config, v any) { c.LrD = v.(float64) }},
	{"beta1", unitInterval, func(c *ganexp.Config, v any) { c.Beta1 = v.(float64) }},
	{"beta2", unitInterval, func(c *ganexp.Config, v any) { c.Beta2 = v.(float64) }},
	{"rho", unitInterval, func(c *ganexp.Config, v any) { c.Rho = v.(float64) }},
	{"clip", positive, func(c *ganexp.Config, v any) { c.Clip = v.(float64) }},
	{"n_critic", intAtLeast(1), func(c *ganexp.Config, v any) { c.NCritic = v.(int) }},
	{"batch_size", intAtLeast(1), func(c *ganexp.Config, v any) { c.BatchSize = v.(int) }},
	{"z_dim", intAtLeast(1), func(c *ganexp.Config, v any) { c.ZDim = v.(int) }},
	{"steps", intAtLeast(1), func(c *ganexp.Config, v any) { c.Steps = v.(int) }},
	{"eval_every", intAtLeast(1), func(c *ganexp.Config, v any) { c.EvalEvery = v.(int) }},
	{"eval_samples", intAtLeast(10), func(c *ganexp.Config, v any) { c.EvalSamples = v.(int) }},
	{"checkpoint_every", intAtLeast(0), func(c *ganexp.Config, v any) { c.CheckpointEvery = v.(int) }},
}

func lookupSetting(name string) (setting, bool) {
	for _, s := range settings {
		if s.name == name {
			return s, true
		}
	}
	return setting{}, false
}

func settingNames() []string {
	names := make([]string, len(settings))
	for i, s := range settings {
		names[i] = s.name
	}
	return names
}

var (
	topKeys   = []string{"name", "dataset", "arch", "train", "seeds", "grid", "search", "space", "prune", "detect", "timeout"}
	archKeys  = []string{"kind", "g", "d", "hidden", "activation"}
	dcganKeys = []string{"kind", "g_channels", "d_channels", "batch_norm"}
	dataKeys  = map[string][]string{
		"ring":          {"kind", "modes", "radius", "std"},
		"grid":          {"kind", "size", "spacing", "std"},
		"gaussian1d":    {"kind", "mean", "std"},
		"mixture1d":     {"kind", "means", "std", "weights"},
		"csv":           {"kind", "path"},
		"mnist":         {"kind", "path", "digits", "limit"},
		"stacked_mnist": {"kind", "path", "digits", "limit"},
	}
)

// detectSetting is one key of the detect: section.
type detectSetting struct {
	name  string
	parse func(d *decoder, n *yaml.Node, what string) (any, error)
	apply func(c *ganexp.Detect, v any)
}

func parseBool(d *decoder, n *yaml.Node, what string) (any, error) { return d.bool(n, what) }

var detectSettings = []detectSetting{
	{"enabled", parseBool, func(c *ganexp.Detect, v any) { c.Enabled = v.(bool) }},
	{"on_failure", oneOf(ganexp.OnFailures), func(c *ganexp.Detect, v any) { c.OnFailure = v.(string) }},
	{"warmup", unitInterval, func(c *ganexp.Detect, v any) { c.Warmup = v.(float64) }},
	{"patience", intAtLeast(1), func(c *ganexp.Detect, v any) { c.Patience = v.(int) }},
	{"min_modes", unitInterval, func(c *ganexp.Detect, v any) { c.MinModes = v.(float64) }},
	{"min_recall", unitInterval, func(c *ganexp.Detect, v any) { c.MinRecall = v.(float64) }},
	{"max_loss", positive, func(c *ganexp.Detect, v any) { c.MaxLoss = v.(float64) }},
	{"max_grad_norm", positive, func(c *ganexp.Detect, v any) { c.MaxGradNorm = v.(float64) }},
	{"max_spread", positive, func(c *ganexp.Detect, v any) { c.MaxSpread = v.(float64) }},
	{"d_win", unitInterval, func(c *ganexp.Detect, v any) { c.DWin = v.(float64) }},
}
