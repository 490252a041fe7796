package ganexp

import (
	"slices"
	"testing"
)

func names(ps []Param) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func TestParamsAreConditional(t *testing.T) {
	base := Config{
		Dataset: Dataset{Name: "ring", Kind: "ring", Modes: 8, Radius: 2, Std: 0.02},
		Arch:    Arch{Name: "a", G: []int{4, 4}, D: []int{8}, Activation: "relu"},
		Loss:    "minimax", Optimizer: "adam", LrG: 1e-3, LrD: 1e-3, Beta1: 0.5, Beta2: 0.9, Rho: 0.99, Clip: 0.01,
		BatchSize: 8, ZDim: 2, NCritic: 1, Steps: 10, EvalEvery: 5, EvalSamples: 10,
	}
	tests := []struct {
		name     string
		edit     func(*Config)
		has, not []string
	}{
		{"Adam", func(c *Config) {}, []string{"beta1", "beta2"}, []string{"rho", "clip"}},
		{"RMSProp", func(c *Config) { c.Optimizer = "rmsprop" }, []string{"rho"}, []string{"beta1", "beta2"}},
		{"SGD", func(c *Config) { c.Optimizer = "sgd" }, nil, []string{"rho", "beta1", "beta2"}},
		{"WGAN", func(c *Config) { c.Loss = "wgan" }, []string{"clip"}, nil},
		{"CSV", func(c *Config) { c.Dataset = Dataset{Name: "pts", Kind: "csv", Path: "p.csv", Digest: "ab"} },
			[]string{"data_path", "data_digest"}, []string{"data_modes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.edit(&c)
			got := names(c.Params())
			for _, n := range tt.has {
				if !slices.Contains(got, n) {
					t.Errorf("params lack %s: %v", n, got)
				}
			}
			for _, n := range tt.not {
				if slices.Contains(got, n) {
					t.Errorf("params have %s: %v", n, got)
				}
			}
		})
	}
	if got := base.Params(); got[6].Name != "g_hidden" || got[6].Value != "4x4" {
		t.Errorf("g_hidden param: %+v", got[6])
	}
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{1e-3, "0.001"}, {0.001, "0.001"}, {1e-7, "1e-07"}, {int64(256), "256"}, {"relu", "relu"}, {nil, ""},
	}
	for _, tt := range tests {
		if got := FormatValue(tt.in); got != tt.want {
			t.Errorf("FormatValue(%v): got %q, want %q", tt.in, got, tt.want)
		}
	}
}
