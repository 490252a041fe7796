package ganexp

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Config is everything that determines one GAN training run except its
// seed. The sweep planner fills every field; the trainer reads it.
type Config struct {
	Dataset     Dataset `json:"dataset"`
	Arch        Arch    `json:"arch"`
	Loss        string  `json:"loss"`
	Optimizer   string  `json:"optimizer"`
	LrG         float64 `json:"lr_g"`
	LrD         float64 `json:"lr_d"`
	Beta1       float64 `json:"beta1,omitempty"` // adam
	Beta2       float64 `json:"beta2,omitempty"` // adam
	Rho         float64 `json:"rho,omitempty"`   // rmsprop decay
	Clip        float64 `json:"clip,omitempty"`  // wgan weight clipping bound
	BatchSize   int     `json:"batch_size"`
	ZDim        int     `json:"z_dim"`
	NCritic     int     `json:"n_critic"`
	Steps       int     `json:"steps"`
	EvalEvery   int     `json:"eval_every"`
	EvalSamples int     `json:"eval_samples"`
	Detect      Detect  `json:"detect"`
	// CheckpointEvery is how often, in steps (a multiple of EvalEvery), a
	// trial saves a checkpoint it can resume from; 0 never. Not part of
	// the key: it changes no result.
	CheckpointEvery int `json:"checkpoint_every,omitempty"`
}

// Dataset describes where real samples come from (README § Sweep files).
type Dataset struct {
	Name    string    `json:"name"` // label shown in reports; not part of the key
	Kind    string    `json:"kind"`
	Modes   int       `json:"modes,omitempty"`   // ring: number of modes
	Radius  float64   `json:"radius,omitempty"`  // ring
	Size    int       `json:"size,omitempty"`    // grid: size×size modes
	Spacing float64   `json:"spacing,omitempty"` // grid
	Std     float64   `json:"std,omitempty"`     // per-mode standard deviation
	Mean    float64   `json:"mean,omitempty"`    // gaussian1d
	Means   []float64 `json:"means,omitempty"`   // mixture1d
	Weights []float64 `json:"weights,omitempty"` // mixture1d; nil means equal
	Path    string    `json:"path,omitempty"`    // csv: the file; mnist: the folder of IDX files
	Digest  string    `json:"digest,omitempty"`  // csv, mnist: sha256 of the contents, so edited data plans new trials
	Digits  []int     `json:"digits,omitempty"`  // mnist: the digits kept; nil keeps all
	Limit   int       `json:"limit,omitempty"`   // mnist: the first Limit images kept; 0 keeps all
	// Height and Width are an image data set's, read from its files when
	// the sweep is planned, so that models know them without the files.
	Height int `json:"height,omitempty"`
	Width  int `json:"width,omitempty"`
}

// Arch is the model family and shape of the generator and the
// discriminator. Kind picks the family (ArchKinds); the fields below it are
// those of an MLP, the one family so far. A new family adds its fields
// here, its parameters in Arch.kindParams, a spec decoder in sweep/ and a
// model file in gan/.
type Arch struct {
	Name string `json:"name"` // label; not part of the key
	// Kind is the model family; "" means "mlp", so that configs stored
	// before kinds existed read as what they were.
	Kind       string `json:"kind,omitempty"`
	G          []int  `json:"g"` // MLP: hidden widths of G; DCGAN: its channels, widest first
	D          []int  `json:"d"` // MLP: hidden widths of D; DCGAN: its channels, narrowest first
	Activation string `json:"activation"`
	// NoBatchNorm leaves DCGAN's batch norm layers out (batch_norm:
	// false); the zero value keeps them, as DCGAN has them.
	NoBatchNorm bool `json:"no_batch_norm,omitempty"`
}

// The arch kinds: the multilayer perceptron, the default, and DCGAN's
// convolutional nets for images (Radford et al. 2016).
const (
	KindMLP   = "mlp"
	KindDCGAN = "dcgan"
)

// ArchKinds are the model families a config may name.
var ArchKinds = []string{KindMLP, KindDCGAN}

// KindOf returns the arch's kind, KindMLP when unset.
func (a Arch) KindOf() string {
	if a.Kind == "" {
		return KindMLP
	}
	return a.Kind
}

// kindParams are the parameters that the arch's kind fixes. An MLP's are
// the ones it had before kinds existed, with no arch_kind, so that every
// MLP trial keeps its key; any other kind starts with arch_kind.
func (a Arch) kindParams() []Param {
	switch a.KindOf() {
	case KindMLP:
		return []Param{
			{"g_hidden", widths(a.G)},
			{"d_hidden", widths(a.D)},
			{"activation", a.Activation},
		}
	case KindDCGAN:
		return []Param{
			{"arch_kind", a.KindOf()},
			{"g_channels", widths(a.G)},
			{"d_channels", widths(a.D)},
			{"batch_norm", strconv.FormatBool(!a.NoBatchNorm)},
		}
	}
	return []Param{{"arch_kind", a.KindOf()}}
}

// Param is one named parameter of a trial, as stored in the params table.
// Value is a string, an int64 or a float64 so that SQLite keeps its type.
type Param struct {
	Name  string
	Value any
}

// Params flattens the config into the rows of the params table, in a
// fixed order. Parameters that do not apply (beta1 without Adam, clip
// without WGAN) are left out, so that two configs differing only in them
// are the same trial.
func (c Config) Params() []Param {
	ps := []Param{
		{"dataset", c.Dataset.Name},
		{"data_kind", c.Dataset.Kind},
	}
	d := c.Dataset
	switch d.Kind {
	case "ring":
		ps = append(ps, Param{"data_modes", int64(d.Modes)}, Param{"data_radius", d.Radius}, Param{"data_std", d.Std})
	case "grid":
		ps = append(ps, Param{"data_size", int64(d.Size)}, Param{"data_spacing", d.Spacing}, Param{"data_std", d.Std})
	case "gaussian1d":
		ps = append(ps, Param{"data_mean", d.Mean}, Param{"data_std", d.Std})
	case "mixture1d":
		ps = append(ps, Param{"data_means", floatList(d.Means)}, Param{"data_std", d.Std})
		if d.Weights != nil {
			ps = append(ps, Param{"data_weights", floatList(d.Weights)})
		}
	case "csv":
		ps = append(ps, Param{"data_path", d.Path}, Param{"data_digest", d.Digest})
	case "mnist", "stacked_mnist":
		// The contents, not the folder: the same files found through
		// $GANEXP_MNIST or the module cache are the same trials.
		ps = append(ps, Param{"data_digest", d.Digest})
		if d.Digits != nil {
			ps = append(ps, Param{"data_digits", intList(d.Digits)})
		}
		if d.Limit > 0 {
			ps = append(ps, Param{"data_limit", int64(d.Limit)})
		}
	}
	ps = append(ps, Param{"arch", c.Arch.Name})
	ps = append(ps, c.Arch.kindParams()...)
	ps = append(ps,
		Param{"loss", c.Loss},
		Param{"optimizer", c.Optimizer},
		Param{"lr_g", c.LrG},
		Param{"lr_d", c.LrD},
	)
	switch c.Optimizer {
	case "adam":
		ps = append(ps, Param{"beta1", c.Beta1}, Param{"beta2", c.Beta2})
	case "rmsprop":
		ps = append(ps, Param{"rho", c.Rho})
	}
	if c.Loss == "wgan" {
		ps = append(ps, Param{"clip", c.Clip})
	}
	ps = append(ps,
		Param{"batch_size", int64(c.BatchSize)},
		Param{"z_dim", int64(c.ZDim)},
		Param{"n_critic", int64(c.NCritic)},
		Param{"steps", int64(c.Steps)},
		Param{"eval_every", int64(c.EvalEvery)},
		Param{"eval_samples", int64(c.EvalSamples)},
		Param{"detect", c.Detect.Summary()},
	)
	return ps
}

// labelParams are shown to users but do not change what is trained.
var labelParams = map[string]bool{"dataset": true, "arch": true}

// TrialKey is the stable identity of a trial: the first 12 hex digits of
// the SHA-256 of its canonical parameters and its seed. Labels (the names
// given to an arch or dataset) are not part of it.
func (c Config) TrialKey(seed int64) string {
	var b strings.Builder
	for _, p := range c.Params() {
		if labelParams[p.Name] {
			continue
		}
		b.WriteString(p.Name)
		b.WriteByte('=')
		b.WriteString(FormatValue(p.Value))
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "seed=%d\n", seed)
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:6])
}

// FormatValue renders a param value canonically: the shortest decimal that
// round-trips for floats, so that 1e-3 and 0.001 are the same value.
func FormatValue(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case string:
		return x
	case nil:
		return ""
	default:
		return fmt.Sprint(x)
	}
}

func widths(ws []int) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = strconv.Itoa(w)
	}
	return strings.Join(parts, "x")
}

func floatList(xs []float64) string {
	b, _ := json.Marshal(xs) // a []float64 of finite values always marshals
	return string(b)
}

// imageChannels is the number of channels of a data set's images: one
// for mnist, three for stacked_mnist (three digits, one per channel).
var imageChannels = map[string]int{"mnist": 1, "stacked_mnist": 3}

// ImageShape is the channels, height and width of an image data set, or
// ok = false for point data. It reads the config only, not the files.
func (d Dataset) ImageShape() (c, h, w int, ok bool) {
	c, ok = imageChannels[d.Kind]
	return c, d.Height, d.Width, ok
}

func intList(xs []int) string {
	b, _ := json.Marshal(xs) // a []int always marshals
	return string(b)
}

// Trial is one planned GAN training run: a config, a seed and its key.
type Trial struct {
	Key    string `json:"key"`
	Seed   int64  `json:"seed"`
	Config Config `json:"config"`
	// CheckpointDir is the folder of the trial's checkpoints and final
	// generator (the runner's; empty keeps none), and Resume the
	// checkpoint file it goes on from, or empty to start at step 0.
	CheckpointDir string `json:"checkpoint_dir,omitempty"`
	Resume        string `json:"resume,omitempty"`
	// Classifier is the cached digit classifier that judges image trials
	// (`ganexp classifier`), or empty.
	Classifier string `json:"classifier,omitempty"`
}

// NewTrial builds a trial and computes its key.
func NewTrial(c Config, seed int64) Trial {
	return Trial{Key: c.TrialKey(seed), Seed: seed, Config: c}
}

// Choices a config may name. gan and dataset test that they implement
// exactly these; sweep uses them to validate and to list valid values.
var (
	Losses      = []string{"minimax", "nonsaturating", "wgan", "lsgan", "hinge"}
	Optimizers  = []string{"adam", "rmsprop", "sgd"}
	Activations = []string{"relu", "leaky_relu", "tanh"}
)
