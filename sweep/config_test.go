package sweep

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/dataset"
)

func TestParseErrors(t *testing.T) {
	// Every bad input gives one line naming file:line:col, the problem and
	// the fix.
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"MalformedFlow", "name: x\ngrid:\n  loss: [minimax\n", `g.yaml:3: malformed YAML: did not find expected ',' or ']' (fix the YAML syntax)`},
		{"MalformedIndent", "name: x\n  bad: 1\n", `g.yaml:2: malformed YAML: mapping values are not allowed in this context (fix the YAML syntax)`},
		{"MalformedFirstLine", "a: b: c\n", `g.yaml:1: malformed YAML: mapping values are not allowed in this context (fix the YAML syntax)`},
		{"MalformedTab", "grid:\n\t- b\n", `g.yaml:2:1: malformed YAML: a tab in the indentation (indent with spaces: YAML does not allow tabs there)`},
		// yaml.v3 reports this one on line 3; the tab is on line 4.
		{"TabIndent", "name: t\ntrain:\n  steps: 10\n\tbatch_size: 8\n", `g.yaml:4:1: malformed YAML: a tab in the indentation (indent with spaces: YAML does not allow tabs there)`},
		{"TabAfterSpaces", "name: t\ntrain:\n  steps: 10\n  \tbatch_size: 8\n", `g.yaml:4:3: malformed YAML: a tab in the indentation (indent with spaces: YAML does not allow tabs there)`},
		{"UnknownArchKind", "arch: {kind: convnet, hidden: [8]}\n", `g.yaml:1:14: unknown arch.kind "convnet" (valid: mlp, dcgan)`},
		{"EmptyGrid", "name: t\ngrid: {}\n", `g.yaml:2:7: grid has no axes (give at least one axis, e.g. loss: [minimax, nonsaturating], or remove grid: to train one configuration)`},
		{"NullGrid", "name: t\ngrid:\n", `g.yaml:2:6: grid has no axes (give at least one axis, e.g. loss: [minimax, nonsaturating], or remove grid: to train one configuration)`},
		{"Empty", "", `g.yaml: empty sweep file (see examples/quickstart.yaml)`},
		{"UnknownTopKey", "nmae: x\n", `g.yaml:1:1: unknown key "nmae" in the sweep file (did you mean "name"? valid keys: name, dataset, arch, train, seeds, grid, search, space, prune, detect, timeout)`},
		{"UnknownTrainKey", "train:\n  lrg: 0.1\n", `g.yaml:2:3: unknown key "lrg" in train (did you mean "lr"? valid keys: loss, optimizer, lr, lr_g, lr_d, beta1, beta2, rho, clip, n_critic, batch_size, z_dim, steps, eval_every, eval_samples, checkpoint_every)`},
		{"UnknownGridKey", "grid:\n  batch: [1]\n", `g.yaml:2:3: unknown key "batch" in grid (did you mean "batch_size"? valid keys: dataset, arch, loss, optimizer, lr, lr_g, lr_d, beta1, beta2, rho, clip, n_critic, batch_size, z_dim, steps, eval_every, eval_samples, checkpoint_every)`},
		{"WrongTypeInt", "train: {steps: many}\n", `g.yaml:1:16: train.steps must be an integer, got "many" (write a whole number such as 100)`},
		{"WrongTypeFloat", "train: {steps: 2.5}\n", `g.yaml:1:16: train.steps must be an integer, got "2.5" (write a whole number such as 100)`},
		{"WrongTypeList", "grid:\n  loss: minimax\n", `g.yaml:2:9: grid.loss must be a list, got "minimax" (write a list such as [1, 2])`},
		{"WrongTypeString", "train: {loss: 3}\n", `g.yaml:1:15: train.loss must be a string, got "3" (write a name, quoted if it looks like a number)`},
		{"EmptyAxis", "grid:\n  lr_g: []\n", `g.yaml:2:9: grid.lr_g is empty (give at least one value or remove the key)`},
		{"EmptyMapAxis", "grid:\n  arch: {}\n", `g.yaml:2:9: grid.arch is empty (give at least one entry or remove the key)`},
		{"UnknownLoss", "grid:\n  loss: [minimax, nonsat]\n", `g.yaml:2:19: unknown grid.loss "nonsat" (did you mean "nonsaturating"? valid: minimax, nonsaturating, wgan, lsgan, hinge)`},
		{"UnknownLossClose", "train: {loss: hinj}\n", `g.yaml:1:15: unknown train.loss "hinj" (did you mean "hinge"? valid: minimax, nonsaturating, wgan, lsgan, hinge)`},
		{"UnknownOptimizer", "train: {optimizer: adagrad}\n", `g.yaml:1:20: unknown train.optimizer "adagrad" (valid: adam, rmsprop, sgd)`},
		{"UnknownActivation", "arch: {activation: gelu}\n", `g.yaml:1:20: unknown activation "gelu" (did you mean "relu"? valid: relu, leaky_relu, tanh)`},
		{"UnknownDataset", "dataset: {kind: spiral}\n", `g.yaml:1:17: unknown dataset kind "spiral" (valid: gaussian1d, mixture1d, ring, grid, csv, mnist, stacked_mnist)`},
		{"DatasetKeyForOtherKind", "dataset: {kind: grid, radius: 2}\n", `g.yaml:1:23: unknown key "radius" in dataset of kind grid (valid keys: kind, size, spacing, std)`},
		{"DatasetNoKind", "dataset: {modes: 8}\n", `g.yaml:1:10: dataset needs a kind (valid kinds: gaussian1d, mixture1d, ring, grid, csv, mnist, stacked_mnist)`},
		{"NonPositiveSteps", "train: {steps: 0}\n", `g.yaml:1:16: train.steps must be at least 1, got 0 (use a whole number ≥ 1)`},
		{"NegativeBatch", "grid:\n  batch_size: [64, -1]\n", `g.yaml:2:20: grid.batch_size must be at least 1, got -1 (use a whole number ≥ 1)`},
		{"ZeroLR", "grid:\n  lr: [0.001, 0]\n", `g.yaml:2:15: grid.lr must be positive, got 0 (use a number > 0)`},
		{"ZeroEvalEvery", "train: {eval_every: 0}\n", `g.yaml:1:21: train.eval_every must be at least 1, got 0 (use a whole number ≥ 1)`},
		{"Beta", "train: {beta1: 1}\n", `g.yaml:1:16: train.beta1 must be in [0, 1), got 1 (use a number in [0, 1))`},
		{"NaN", "train: {lr: .nan}\n", `g.yaml:1:13: train.lr must be a finite number, got ".nan" (write a finite number such as 0.001)`},
		{"RepeatedKey", "train: {steps: 1, steps: 2}\n", `g.yaml:1:19: key "steps" repeated in train (give each key once)`},
		{"LrAndLrG", "grid:\n  lr: [0.1]\n  lr_g: [0.1]\n", `g.yaml:2:3: the sweep varies both lr and lr_g (use lr for both, or lr_g and lr_d)`},
		{"TrainLrAndLrD", "train: {lr_d: 0.1, lr: 0.1}\n", `g.yaml:1:20: train sets both lr and lr_d (use lr for both, or lr_g and lr_d)`},
		{"HiddenAndG", "arch: {hidden: [8], g: [8]}\n", `g.yaml:1:21: arch sets both hidden and g (hidden sets both g and d; use one or the other)`},
		{"ZeroWidth", "arch: {g: [8, 0]}\n", `g.yaml:1:15: arch.g: width 0 (layer widths are at least 1)`},
		{"ArchAxisList", "grid:\n  arch: [mlp]\n", `g.yaml:2:9: grid.arch must be a mapping of names to specs, got a list (write name: {…} lines, one per level)`},
		{"SeedsRepeated", "seeds: [1, 2, 1]\n", `g.yaml:1:15: seed 1 repeated (list each seed once)`},
		{"SeedsZero", "seeds: 0\n", `g.yaml:1:8: seeds must be at least 1, got 0 (seeds: N runs seeds 1..N; or give a list)`},
		{"WeightsCount", "dataset: {kind: mixture1d, means: [0, 1], weights: [1]}\n", `g.yaml:1:10: dataset has 1 weights for 2 means (give one weight per mean)`},
		{"CSVNoPath", "dataset: {kind: csv}\n", `g.yaml:1:10: dataset of kind csv needs a path (add path: FILE.csv)`},
		{"DetectUnknownKey", "detect: {patiense: 3}\n", `g.yaml:1:10: unknown key "patiense" in detect (did you mean "patience"? valid keys: enabled, on_failure, warmup, patience, min_modes, min_recall, max_loss, max_grad_norm, max_spread, d_win)`},
		{"DetectOnFailure", "detect: {on_failure: halt}\n", `g.yaml:1:22: unknown detect.on_failure "halt" (valid: stop, continue)`},
		{"DetectEnabled", "detect: {enabled: no}\n", `g.yaml:1:19: detect.enabled must be true or false, got "no" (use true or false)`},
		{"DetectWarmup", "detect: {warmup: 1.5}\n", `g.yaml:1:18: detect.warmup must be in [0, 1), got 1.5 (use a number in [0, 1))`},
		{"SpaceLowHigh", "search: {strategy: random, trials: 4}\nspace:\n  lr: {log_uniform: [1e-2, 1e-5]}\n", `g.yaml:3:21: space.lr: low 0.01 is not below high 1e-05 (give low < high; for one value, set it under train:)`},
		{"SpaceLogZero", "search: {strategy: sobol, trials: 4}\nspace:\n  beta1: {log_uniform: [0, 0.9]}\n", `g.yaml:3:24: space.beta1: a log range cannot include 0 (a log scale needs low > 0)`},
		{"SpaceLogIntZero", "search: {strategy: sobol, trials: 4}\nspace:\n  n_critic: {int: [0, 5], log: true}\n", `g.yaml:3:20: space.n_critic must be at least 1, got 0 (use a whole number ≥ 1)`},
		{"SpaceBoundInvalid", "search: {strategy: random, trials: 4}\nspace:\n  lr: {uniform: [-1, 1]}\n", `g.yaml:3:18: space.lr must be positive, got -1 (use a number > 0)`},
		{"SpaceNoTrials", "search: {strategy: random}\nspace:\n  lr: {uniform: [0.1, 1]}\n", `g.yaml:1:9: search strategy random needs trials: (add trials: N, the configurations to draw)`},
		{"SpaceWithoutSearch", "space:\n  lr: {uniform: [0.1, 1]}\n", `g.yaml:1:1: space: is drawn from, and a grid search draws nothing (add search: {strategy: random, trials: N} (or sobol), or write the values under grid:)`},
		{"GridTrials", "search: {strategy: grid, trials: 3}\n", `g.yaml:1:34: a grid search plans every grid point; trials: does not apply (remove trials:, or pick strategy: random or sobol)`},
		{"UnknownStrategy", "search: {strategy: bayes, trials: 3}\n", `g.yaml:1:20: unknown search.strategy "bayes" (valid: grid, random, sobol, tpe)`},
		{"SpaceIntForReal", "search: {strategy: random, trials: 3}\nspace:\n  lr: {int: [1, 3]}\n", `g.yaml:3:13: space.lr takes real numbers: use uniform or log_uniform, not int (write lr: {uniform: [a, b]} or {log_uniform: [a, b]})`},
		{"PruneNoStrategy", "prune: {metric: loss_g, min_steps: 100}\n", `g.yaml:1:8: prune needs a strategy (add strategy: asha (or median))`},
		{"PruneUnknownStrategy", "prune: {strategy: hyperband, metric: loss_g}\n", `g.yaml:1:19: unknown prune.strategy "hyperband" (valid: asha, median)`},
		{"PruneNoMetric", "prune: {strategy: median}\n", `g.yaml:1:8: prune needs a metric (add metric: M, the metric to compare trials by at a rung (e.g. balanced_hq))`},
		{"PruneASHANoMinSteps", "prune: {strategy: asha, metric: loss_g}\n", `g.yaml:1:8: prune strategy asha needs min_steps (add min_steps: S, the first rung (e.g. a tenth of the steps))`},
		{"PruneEtaBelow2", "prune: {strategy: asha, metric: loss_g, min_steps: 10, reduction_factor: 1}\n", `g.yaml:1:74: prune.reduction_factor must be at least 2, got 1 (use a whole number ≥ 2)`},
		{"PruneEtaOnMedian", "prune: {strategy: median, metric: loss_g, reduction_factor: 3}\n", `g.yaml:1:43: prune.reduction_factor applies to strategy asha only (remove it, or pick strategy: asha)`},
		{"PruneStartupOnASHA", "prune: {strategy: asha, metric: loss_g, min_steps: 10, startup: 3}\n", `g.yaml:1:56: prune.startup applies to strategy median only (remove it, or pick strategy: median)`},
		{"PruneNoRung", "train: {steps: 500}\nprune: {strategy: asha, metric: loss_g, min_steps: 500}\n", `g.yaml:2:8: prune.min_steps 500 leaves no rung before the trials end at step 500 (give min_steps below 500, e.g. 50)`},
		{"PruneUnknownKey", "prune: {strategy: asha, metric: loss_g, min_step: 10}\n", `g.yaml:1:41: unknown key "min_step" in prune (did you mean "min_steps"? valid keys: strategy, metric, direction, min_steps, reduction_factor, startup)`},
		{"SpaceRealForInt", "search: {strategy: random, trials: 3}\nspace:\n  n_critic: {uniform: [1, 3]}\n", `g.yaml:3:23: space.n_critic takes whole numbers: use int, not uniform (write n_critic: {int: [a, b]})`},
		{"SpaceDistForName", "search: {strategy: random, trials: 3}\nspace:\n  loss: {uniform: [1, 3]}\n", `g.yaml:3:9: space.loss takes names: give a list, not a distribution (write a list of values, e.g. loss: [a, b])`},
		{"SpaceNoDist", "search: {strategy: random, trials: 3}\nspace:\n  lr: {log: true}\n", `g.yaml:3:7: space.lr names no distribution (valid: uniform, log_uniform, int, or a list of values) (write e.g. {log_uniform: [1e-5, 1e-2]}, {uniform: [0, 0.9]} or {int: [1, 5]})`},
		{"SpaceAndGrid", "search: {strategy: random, trials: 3}\ngrid:\n  lr: [0.1]\nspace:\n  lr: {uniform: [0.1, 1]}\n", `g.yaml:5:3: lr is in grid: (line 3) and in space: (give it under grid: or under space:, not both)`},
		{"SpaceStepTooBig", "search: {strategy: random, trials: 3}\nspace:\n  n_critic: {int: [1, 3], step: 5}\n", `g.yaml:3:33: space.n_critic: step 5 does not fit [1, 3] (give a step from 1 to high − low)`},
		{"TPENoObjective", "seeds: [1, 2]\nsearch: {strategy: tpe, trials: 5}\nspace:\n  lr: {uniform: [0.1, 1]}\n", `g.yaml:2:9: a tpe search over 2 seeds needs an objective (add objective: {metric: M, direction: maximize or minimize}: TPE optimises the mean over the seeds of one metric)`},
		{"StartupNotTPE", "search: {strategy: random, trials: 5, startup: 3}\nspace:\n  lr: {uniform: [0.1, 1]}\n", `g.yaml:1:39: search.startup applies to strategy tpe only (remove it, or pick strategy: tpe)`},
		{"ObjectiveNoDirection", "search: {strategy: tpe, trials: 5, objective: {metric: swd}}\nspace:\n  lr: {uniform: [0.1, 1]}\n", `g.yaml:1:47: search.objective needs a metric and a direction (write objective: {metric: modes_captured, direction: maximize})`},
		{"ObjectiveDirection", "search: {strategy: tpe, trials: 5, objective: {metric: swd, direction: up}}\nspace:\n  lr: {uniform: [0.1, 1]}\n", `g.yaml:1:72: unknown search.objective.direction "up" (valid: maximize, minimize)`},
		{"TopLevelList", "- a\n", `g.yaml:1:1: the sweep file must be a mapping, got a list (write it as key: value lines or {key: value})`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("g.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("no error, want %s", tt.want)
			}
			var ie *ganexp.InputError
			if !errors.As(err, &ie) {
				t.Errorf("error %T is not an *InputError", err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestParseCSV(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ok.csv", "x,y\n0,1\n2,3\n4,5\n")
	write("ragged.csv", "0,1\n2\n")
	write("word.csv", "0,1\n2,abc\n")
	write("nan.csv", "0,1\n2,NaN\n")
	tests := []struct {
		name, path, want string
	}{
		{"Missing", "none.csv", "none.csv: no such file (check the dataset path; relative paths are relative to the sweep file)"},
		{"Ragged", "ragged.csv", "ragged.csv:2: row has 1 values, earlier rows have 2 (every row needs the same number of values)"},
		{"NotNumber", "word.csv", `word.csv:2 field 2: "abc" is not a number (use plain decimal numbers)`},
		{"NaN", "nan.csv", `nan.csv:2 field 2: value "NaN" is not finite (remove or fix the row)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(filepath.Join(dir, "g.yaml"), []byte("dataset: {kind: csv, path: "+tt.path+"}\n"))
			if err == nil {
				t.Fatal("no error")
			}
			if got, want := err.Error(), filepath.Join(dir, tt.want); got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		s, err := Parse(filepath.Join(dir, "g.yaml"), []byte("dataset: {kind: csv, path: ok.csv}\n"))
		if err != nil {
			t.Fatal(err)
		}
		d := s.Base.Dataset
		if got, want := d.Path, filepath.Join(dir, "ok.csv"); got != want {
			t.Errorf("path: got %s, want %s", got, want)
		}
		if len(d.Digest) != 64 {
			t.Errorf("digest %q is not a sha256", d.Digest)
		}
	})
}

// tinyMNIST writes a train split of n 2×3 images (labels i % 10) into
// the folder dir/name.
func tinyMNIST(t testing.TB, dir, name string, n int) string {
	t.Helper()
	folder := filepath.Join(dir, name)
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	var pixels, labels []byte
	for i := range n {
		pixels = append(pixels, 0, 50, 100, 150, 200, byte(i))
		labels = append(labels, byte(i%10))
	}
	if err := dataset.WriteMNIST(folder, "train", 2, 3, pixels, labels, true); err != nil {
		t.Fatal(err)
	}
	return folder
}

func TestParseMNIST(t *testing.T) {
	dir := t.TempDir()
	data := tinyMNIST(t, dir, "digits", 4) // digits 0 to 3
	t.Setenv(dataset.EnvMNIST, "")
	tests := []struct {
		name, spec, want string // want: the message after the file's name
	}{
		{"MissingFolder", "{kind: mnist, path: nope}", "nope: no such folder (give the folder that holds train-images-idx3-ubyte[.gz] and its three siblings)"},
		{"NotADigit", "{kind: mnist, path: digits, digits: [1, 10]}", "g.yaml:1:50: dataset.digits: 10 is not a digit (digits are 0 to 9)"},
		{"TwiceADigit", "{kind: mnist, path: digits, digits: [1, 1]}", "g.yaml:1:50: dataset.digits: 1 twice (give each digit once)"},
		{"NoSuchDigits", "{kind: stacked_mnist, path: digits, digits: [7, 8]}", "digits: 0 training images of digits [7 8] (choose digits that the training images have)"},
		{"LimitOne", "{kind: mnist, path: digits, limit: 1}", "g.yaml:1:45: dataset.limit must be at least 2"},
		{"UnknownKey", "{kind: mnist, path: digits, size: 3}", "g.yaml:1:38: unknown key \"size\" in dataset of kind mnist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(filepath.Join(dir, "g.yaml"), []byte("dataset: "+tt.spec+"\n"))
			var ie *ganexp.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want an input error", err)
			}
			got := strings.TrimPrefix(err.Error(), dir+string(filepath.Separator))
			if !strings.HasPrefix(got, tt.want) || strings.Contains(got, "\n") {
				t.Errorf("got  %s\nwant %s…", got, tt.want)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		s, err := Parse(filepath.Join(dir, "g.yaml"), []byte("dataset: {kind: mnist, path: digits, digits: [3, 1], limit: 2}\n"))
		if err != nil {
			t.Fatal(err)
		}
		d := s.Base.Dataset
		if d.Path != data || len(d.Digest) != 64 || d.Height != 2 || d.Width != 3 || !slices.Equal(d.Digits, []int{1, 3}) || d.Limit != 2 {
			t.Errorf("got %+v", d)
		}
	})
	// The trial key holds the data's digest, not where it was found: the
	// same files elsewhere (here through $GANEXP_MNIST) plan the same
	// trials, and other contents plan others.
	key := func(spec string) string {
		t.Helper()
		s, err := Parse(filepath.Join(dir, "g.yaml"), []byte("dataset: "+spec+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		return ganexp.NewTrial(s.Base, 1).Key
	}
	byPath := key("{kind: mnist, path: digits}")
	t.Setenv(dataset.EnvMNIST, data)
	if byEnv := key("{kind: mnist}"); byEnv != byPath {
		t.Errorf("the same files through $GANEXP_MNIST: key %s, by path %s", byEnv, byPath)
	}
	tinyMNIST(t, dir, "other", 5)
	if other := key("{kind: mnist, path: other}"); other == byPath {
		t.Error("other contents, same key")
	}
	if sub := key("{kind: mnist, digits: [0, 1]}"); sub == byPath {
		t.Error("a subset, same key")
	}
}

func TestParseDCGAN(t *testing.T) {
	dir := t.TempDir()
	tinyMNIST(t, dir, "digits", 4) // 2×3 images: they cannot halve
	big := filepath.Join(dir, "big")
	if err := os.Mkdir(big, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := dataset.WriteMNIST(big, "train", 8, 8, make([]byte, 4*64), []byte{0, 1, 2, 3}, false); err != nil {
		t.Fatal(err)
	}
	plan := func(body string) (*Plan, error) {
		s, err := Parse(filepath.Join(dir, "g.yaml"), []byte(body))
		if err != nil {
			return nil, err
		}
		return s.Expand()
	}
	p, err := plan("dataset: {kind: mnist, path: big}\ngrid:\n  arch:\n    proto: {kind: dcgan}\n    small: {kind: dcgan, g_channels: [16, 8], d_channels: [8, 16], batch_norm: false}\n")
	if err != nil {
		t.Fatal(err)
	}
	params := func(i int) string {
		var b strings.Builder
		for _, q := range p.Trials[i].Trial.Config.Params() {
			if strings.HasPrefix(q.Name, "arch") || strings.Contains(q.Name, "channels") || q.Name == "batch_norm" {
				fmt.Fprintf(&b, "%s=%v ", q.Name, q.Value)
			}
		}
		return b.String()
	}
	if got, want := params(0), "arch=proto arch_kind=dcgan g_channels=128x64 d_channels=64x128 batch_norm=true "; got != want {
		t.Errorf("protocol's params: got %q, want %q", got, want)
	}
	if got, want := params(1), "arch=small arch_kind=dcgan g_channels=16x8 d_channels=8x16 batch_norm=false "; got != want {
		t.Errorf("small one's params: got %q, want %q", got, want)
	}
	s, err := Parse(filepath.Join(dir, "g.yaml"), []byte("dataset: {kind: mnist, path: big}\narch: {kind: dcgan, batch_norm: false}\n"))
	if err != nil || s.Base.Arch.Name != "dcgan_nobn" {
		t.Errorf("unnamed arch: %v, %v", s, err)
	}
	for _, c := range []struct{ body, want string }{
		{"arch: {kind: dcgan}\n", "g.yaml: the sweep: arch kind dcgan needs image data, not ring (train dcgan on kind mnist or stacked_mnist, or use kind mlp for points)"},
		{"dataset: {kind: mnist, path: digits}\narch: {kind: dcgan}\n", "g.yaml: the sweep: 2×3 images do not halve 2 times, once per DCGAN layer ([128 64])"},
		{"dataset: {kind: mnist, path: big}\narch: {kind: dcgan, hidden: [8]}\n", `g.yaml:2:21: unknown key "hidden" in arch (valid keys: kind, g_channels, d_channels, batch_norm)`},
		{"dataset: {kind: mnist, path: big}\narch: {kind: dcgan, batch_norm: maybe}\n", "g.yaml:2:33: arch.batch_norm must be true or false"},
	} {
		_, err := plan(c.body)
		if err == nil || !strings.HasPrefix(strings.TrimPrefix(err.Error(), dir+string(filepath.Separator)), c.want) {
			t.Errorf("%q: got %v, want %s…", c.body, err, c.want)
		}
	}
}
