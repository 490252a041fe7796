// Package sweep reads a sweep file (grid.yaml), validates it strictly and
// expands it into a plan: one trial per point of the grid and seed.
package sweep

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/dataset"
	"go.yaml.in/yaml/v3"
)

// Spec is a parsed, validated sweep file.
type Spec struct {
	Name   string
	File   string
	Source []byte // the file as given, stored with the sweep
	Base   ganexp.Config
	Axes   []Axis
	Seeds  []int64
	// Search is how configurations are chosen: a grid (the default) or
	// draws from Space, whose dimensions are the space: entries and, for
	// a drawn search, the grid: axes too.
	Search Search
	Space  []Dim
	// Prune is the sweep's pruner, nil for none. Like Timeout it is not
	// part of the trials: it decides how far they run, not what.
	Prune *Prune
	// Timeout, when positive, fails a trial that runs longer. It is not
	// part of the trial: it changes what is waited for, not what is
	// trained.
	Timeout time.Duration
}

// Axis is one key under grid: its values are crossed with every other
// axis and with the seeds.
type Axis struct {
	Name   string
	Node   *yaml.Node // the key, for error positions
	Values []Value
}

// Value is one level of an axis.
type Value struct {
	Label string // as shown in plans and reports
	Node  *yaml.Node
	Apply func(*ganexp.Config)
	num   float64 // a drawn value: the number, or a level's index
}

// Load reads and validates the sweep file at path.
func Load(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, ganexp.Inputf(path, "check the path", "no such sweep file")
		}
		return nil, ganexp.Inputf(path, "check that the file is readable", "cannot read sweep file: %v", err)
	}
	return Parse(path, data)
}

// Parse validates a sweep file's contents. file names it in errors, and
// relative data paths are resolved against its directory.
func Parse(file string, data []byte) (*Spec, error) {
	d := &decoder{file: file}
	root, err := d.parseYAML(data)
	if err != nil {
		return nil, err
	}
	spec := &Spec{File: file, Source: data, Base: Defaults(), Seeds: []int64{1}, Search: Search{Strategy: "grid"}}
	var spaceNode, pruneNode *yaml.Node
	dir := filepath.Dir(file)
	err = d.fields(root, "the sweep file", topKeys, func(key string, k, v *yaml.Node) error {
		var err error
		switch key {
		case "name":
			spec.Name, err = d.str(v, "name")
		case "dataset":
			spec.Base.Dataset, err = d.dataset(v, "dataset", dir)
		case "arch":
			spec.Base.Arch, err = d.arch(v, "arch", "")
		case "train":
			err = d.train(v, &spec.Base)
		case "seeds":
			spec.Seeds, err = d.seeds(v)
		case "grid":
			spec.Axes, err = d.grid(v, dir)
		case "search":
			var sr *Search
			if sr, err = d.search(v); err == nil {
				spec.Search = *sr
			}
		case "space":
			spaceNode = k
			spec.Space, err = d.space(v, dir)
		case "prune":
			pruneNode = v // parsed last: its metric defaults to the objective's
		case "detect":
			err = d.detect(v, &spec.Base.Detect)
		case "timeout":
			spec.Timeout, err = d.duration(v, "timeout")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if spec.Name == "" {
		spec.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	if pruneNode != nil {
		if spec.Prune, err = d.prune(pruneNode, spec.Search); err != nil {
			return nil, err
		}
		if err := spec.checkRungs(d, spec.Base.Steps); err != nil && !spec.varies("steps") {
			return nil, err
		}
	}
	if spec.Search.Strategy == "tpe" && len(spec.Seeds) > 1 && spec.Search.Objective.Metric == "" {
		return nil, d.errf(spec.Search.Node, "add objective: {metric: M, direction: maximize or minimize}: TPE optimises the mean over the seeds of one metric",
			"a tpe search over %d seeds needs an objective", len(spec.Seeds))
	}
	if spaceNode != nil && spec.Search.Strategy == "grid" {
		return nil, d.errf(spaceNode, "add search: {strategy: random, trials: N} (or sobol), or write the values under grid:", "space: is drawn from, and a grid search draws nothing")
	}
	if err := d.checkAxes(spec.Axes, spec.Space); err != nil {
		return nil, err
	}
	if spec.Search.Strategy == "sobol" && len(spec.Axes)+len(spec.Space) > sobolMaxDims {
		return nil, d.errf(spec.Search.Node, "use strategy: random", "sobol supports up to %d dimensions, the space has %d", sobolMaxDims, len(spec.Axes)+len(spec.Space))
	}
	return spec, nil
}

func (d *decoder) train(n *yaml.Node, c *ganexp.Config) error {
	var lrNode, lrGDNode *yaml.Node
	return d.fields(n, "train", settingNames(), func(key string, k, v *yaml.Node) error {
		s, _ := lookupSetting(key)
		switch key {
		case "lr":
			lrNode = k
		case "lr_g", "lr_d":
			lrGDNode = k
		}
		if lrNode != nil && lrGDNode != nil {
			return d.errf(k, "use lr for both, or lr_g and lr_d", "train sets both lr and %s", lrGDNode.Value)
		}
		val, err := s.parse(d, v, "train."+key)
		if err != nil {
			return err
		}
		s.apply(c, val)
		return nil
	})
}

// detect parses the detector settings.
func (d *decoder) detect(n *yaml.Node, c *ganexp.Detect) error {
	keys := make([]string, len(detectSettings))
	for i, s := range detectSettings {
		keys[i] = s.name
	}
	return d.fields(n, "detect", keys, func(key string, k, v *yaml.Node) error {
		for _, s := range detectSettings {
			if s.name == key {
				val, err := s.parse(d, v, "detect."+key)
				if err != nil {
					return err
				}
				s.apply(c, val)
			}
		}
		return nil
	})
}

func (d *decoder) seeds(n *yaml.Node) ([]int64, error) {
	if n.Kind == yaml.ScalarNode {
		k, err := d.int(n, "seeds")
		if err != nil {
			return nil, err
		}
		if k < 1 {
			return nil, d.errf(n, "seeds: N runs seeds 1..N; or give a list", "seeds must be at least 1, got %d", k)
		}
		seeds := make([]int64, k)
		for i := range seeds {
			seeds[i] = int64(i + 1)
		}
		return seeds, nil
	}
	items, err := d.seq(n, "seeds")
	if err != nil {
		return nil, err
	}
	var seeds []int64
	for _, it := range items {
		s, err := d.int(it, "seeds")
		if err != nil {
			return nil, err
		}
		if slices.Contains(seeds, int64(s)) {
			return nil, d.errf(it, "list each seed once", "seed %d repeated", s)
		}
		seeds = append(seeds, int64(s))
	}
	return seeds, nil
}

// arch parses {g, d, activation} or {hidden, activation}.
func (d *decoder) arch(n *yaml.Node, what, name string) (ganexp.Arch, error) {
	a := ganexp.Arch{Name: name}
	if n.Kind != yaml.MappingNode {
		return a, d.errf(n, "write it as key: value lines or {key: value}", "%s must be a mapping, got %s", what, describe(n))
	}
	// The kind decides which other keys are valid, so it is read first.
	kind := ganexp.KindMLP
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "kind" {
			k, err := d.choice(deref(n.Content[i+1]), what+".kind", ganexp.ArchKinds)
			if err != nil {
				return a, err
			}
			kind = k
		}
	}
	if kind != ganexp.KindMLP {
		a.Kind = kind // an MLP's stays empty: its stored config is what it always was
	}
	a, err := archSpecs[kind](d, n, what, a)
	if a.Name == "" {
		a.Name = archLabel(a)
	}
	return a, err
}

// archSpecs decode an arch spec of each kind: one entry per kind, next
// to the kind's model in gan/.
var archSpecs = map[string]func(d *decoder, n *yaml.Node, what string, a ganexp.Arch) (ganexp.Arch, error){
	ganexp.KindMLP:   (*decoder).mlpSpec,
	ganexp.KindDCGAN: (*decoder).dcganSpec,
}

// DCGAN's defaults: the pinned protocol mnist-dcgan's channels.
var (
	dcganG = []int{128, 64}
	dcganD = []int{64, 128}
)

// dcganSpec decodes a DCGAN: g_channels, d_channels and batch_norm.
func (d *decoder) dcganSpec(n *yaml.Node, what string, a ganexp.Arch) (ganexp.Arch, error) {
	a.G, a.D, a.Activation = dcganG, dcganD, ""
	err := d.fields(n, what, dcganKeys, func(key string, k, v *yaml.Node) error {
		var err error
		switch key {
		case "g_channels":
			a.G, err = d.widths(v, what+".g_channels")
		case "d_channels":
			a.D, err = d.widths(v, what+".d_channels")
		case "batch_norm":
			var on bool
			on, err = d.bool(v, what+".batch_norm")
			a.NoBatchNorm = !on
		}
		return err
	})
	return a, err
}

// mlpSpec decodes an MLP: g and d, or hidden for both, and activation.
func (d *decoder) mlpSpec(n *yaml.Node, what string, a ganexp.Arch) (ganexp.Arch, error) {
	a.G, a.D, a.Activation = Defaults().Arch.G, Defaults().Arch.D, "relu"
	var hiddenNode, gdNode *yaml.Node
	err := d.fields(n, what, archKeys, func(key string, k, v *yaml.Node) error {
		var err error
		switch key {
		case "kind":
			// read by arch
		case "g":
			gdNode = k
			a.G, err = d.widths(v, what+".g")
		case "d":
			gdNode = k
			a.D, err = d.widths(v, what+".d")
		case "hidden":
			hiddenNode = k
			a.G, err = d.widths(v, what+".hidden")
			a.D = a.G
		case "activation":
			a.Activation, err = d.choice(v, "activation", ganexp.Activations)
		}
		if err == nil && hiddenNode != nil && gdNode != nil {
			err = d.errf(k, "hidden sets both g and d; use one or the other", "%s sets both hidden and %s", what, gdNode.Value)
		}
		return err
	})
	return a, err
}

// archLabel names an unnamed arch after its shape, e.g. "mlp128x128",
// "dcgan" (the protocol's channels) or "dcgan_g64x32_d32x64_nobn".
func archLabel(a ganexp.Arch) string {
	w := func(ws []int) string {
		s := make([]string, len(ws))
		for i, x := range ws {
			s[i] = strconv.Itoa(x)
		}
		return strings.Join(s, "x")
	}
	if a.KindOf() == ganexp.KindDCGAN {
		name := "dcgan"
		if !slices.Equal(a.G, dcganG) || !slices.Equal(a.D, dcganD) {
			name += "_g" + w(a.G) + "_d" + w(a.D)
		}
		if a.NoBatchNorm {
			name += "_nobn"
		}
		return name
	}
	name := "mlp" + w(a.G)
	if !slices.Equal(a.G, a.D) {
		name = "g" + w(a.G) + "_d" + w(a.D)
	}
	if a.Activation != "relu" {
		name += "_" + a.Activation
	}
	return name
}

// dataset parses one data set spec; name labels it in reports.
func (d *decoder) dataset(n *yaml.Node, what, dir string) (ganexp.Dataset, error) {
	if n.Kind != yaml.MappingNode {
		return ganexp.Dataset{}, d.errf(n, "write {kind: ring, ...}", "%s must be a mapping, got %s", what, describe(n))
	}
	var kindNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "kind" {
			kindNode = deref(n.Content[i+1])
		}
	}
	if kindNode == nil {
		return ganexp.Dataset{}, d.errf(n, "valid kinds: "+strings.Join(dataset.Kinds, ", "), "%s needs a kind", what)
	}
	kind, err := d.choice(kindNode, "dataset kind", dataset.Kinds)
	if err != nil {
		return ganexp.Dataset{}, err
	}
	ds := ganexp.Dataset{Kind: kind}
	var pathNode *yaml.Node
	err = d.fields(n, what+" of kind "+kind, dataKeys[kind], func(key string, k, v *yaml.Node) error {
		var err error
		p := what + "." + key
		switch key {
		case "kind":
		case "modes":
			ds.Modes, err = d.positiveInt(v, p)
		case "size":
			ds.Size, err = d.positiveInt(v, p)
		case "radius":
			ds.Radius, err = d.positiveFloat(v, p)
		case "spacing":
			ds.Spacing, err = d.positiveFloat(v, p)
		case "std":
			ds.Std, err = d.positiveFloat(v, p)
		case "mean":
			ds.Mean, err = d.float(v, p)
		case "means":
			ds.Means, err = d.floats(v, p)
		case "weights":
			if ds.Weights, err = d.floats(v, p); err == nil {
				for i, w := range ds.Weights {
					if w <= 0 {
						return d.errf(v.Content[i], "weights are relative and must be > 0", "%s: weight %v", p, w)
					}
				}
			}
		case "path":
			pathNode = v
			ds.Path, err = d.str(v, p)
		case "digits":
			ds.Digits, err = d.digits(v, p)
		case "limit":
			ds.Limit, err = intAtLeastInt(d, v, p, 2)
		}
		return err
	})
	if err != nil {
		return ds, err
	}
	if kind == "mixture1d" && ds.Weights != nil {
		means := len(ds.Means)
		if means == 0 {
			means = len(dataset.Defaults(ganexp.Dataset{Kind: kind}).Means)
		}
		if len(ds.Weights) != means {
			return ds, d.errf(n, "give one weight per mean", "%s has %d weights for %d means", what, len(ds.Weights), means)
		}
	}
	if kind == "csv" {
		if pathNode == nil {
			return ds, d.errf(n, "add path: FILE.csv", "%s of kind csv needs a path", what)
		}
		if !filepath.IsAbs(ds.Path) {
			ds.Path = filepath.Join(dir, ds.Path)
		}
		pts, err := dataset.LoadCSV(ds.Path)
		if err != nil {
			return ds, err
		}
		ds.Digest = pts.Digest
	}
	if _, _, _, image := ds.ImageShape(); image {
		if err := d.images(&ds, dir); err != nil {
			return ds, err
		}
	}
	return dataset.Defaults(ds), nil
}

// images finds and reads an image data set's files, so that a sweep with
// missing or damaged data stops before it plans anything, and records
// what the trials need: the folder, the contents' digest (part of the
// trial key) and the images' size.
func (d *decoder) images(ds *ganexp.Dataset, dir string) error {
	if ds.Path != "" && !filepath.IsAbs(ds.Path) {
		ds.Path = filepath.Join(dir, ds.Path)
	}
	folder, err := dataset.MNISTDir(ds.Path)
	if err != nil {
		return err
	}
	// Messages name the folder as the user wrote it; the workers get it
	// absolute.
	im, err := dataset.LoadMNIST(folder, "train")
	if err != nil {
		return err
	}
	if n := im.Subset(ds.Digits, ds.Limit).Len(); n < 2 {
		return ganexp.Inputf(folder, "choose digits that the training images have", "%d training images of digits %v", n, ds.Digits)
	}
	abs, err := filepath.Abs(folder)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", folder, err)
	}
	ds.Path, ds.Digest, ds.Height, ds.Width = abs, im.Digest, im.H, im.W
	return nil
}

// digits parses a list of distinct digits 0…9, sorted so that the same
// set is the same trial whatever its order in the file.
func (d *decoder) digits(n *yaml.Node, what string) ([]int, error) {
	items, err := d.seq(n, what)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, it := range items {
		v, err := d.int(it, what)
		if err != nil {
			return nil, err
		}
		if v < 0 || v > 9 {
			return nil, d.errf(it, "digits are 0 to 9", "%s: %d is not a digit", what, v)
		}
		if slices.Contains(out, v) {
			return nil, d.errf(it, "give each digit once", "%s: %d twice", what, v)
		}
		out = append(out, v)
	}
	slices.Sort(out)
	return out, nil
}

func intAtLeastInt(d *decoder, n *yaml.Node, what string, lo int) (int, error) {
	v, err := intAtLeast(lo)(d, n, what)
	if err != nil {
		return 0, err
	}
	return v.(int), nil
}

func (d *decoder) positiveInt(n *yaml.Node, what string) (int, error) {
	return intAtLeastInt(d, n, what, 1)
}

func (d *decoder) positiveFloat(n *yaml.Node, what string) (float64, error) {
	v, err := positive(d, n, what)
	return v.(float64), err
}

// grid parses the axes, in file order.
func (d *decoder) grid(n *yaml.Node, dir string) ([]Axis, error) {
	if (n.Kind == yaml.MappingNode && len(n.Content) == 0) || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		// An empty grid would plan one configuration: most likely the
		// axes were forgotten or commented out.
		return nil, d.errf(n, "give at least one axis, e.g. loss: [minimax, nonsaturating], or remove grid: to train one configuration", "grid has no axes")
	}
	var axes []Axis
	err := d.fields(n, "grid", axisNames(), func(key string, k, v *yaml.Node) error {
		ax, err := d.axis("grid", key, k, v, dir)
		axes = append(axes, ax)
		return err
	})
	return axes, err
}

// axisNames are the keys valid as grid axes and space dimensions.
func axisNames() []string { return append([]string{"dataset", "arch"}, settingNames()...) }

// axis parses one list of levels under section (grid or space): named
// specs for dataset and arch, values for a setting.
func (d *decoder) axis(section, key string, k, v *yaml.Node, dir string) (Axis, error) {
	ax := Axis{Name: key, Node: k}
	what := section + "." + key
	switch key {
	case "dataset", "arch":
		if v.Kind != yaml.MappingNode {
			return ax, d.errf(v, "write name: {…} lines, one per level", "%s must be a mapping of names to specs, got %s", what, describe(v))
		}
		if len(v.Content) == 0 {
			return ax, d.errf(v, "give at least one entry or remove the key", "%s is empty", what)
		}
		err := d.fields(v, what, mapKeys(v), func(name string, _, spec *yaml.Node) error {
			var apply func(*ganexp.Config)
			if key == "arch" {
				a, err := d.arch(spec, what+"."+name, name)
				if err != nil {
					return err
				}
				apply = func(c *ganexp.Config) { c.Arch = a }
			} else {
				ds, err := d.dataset(spec, what+"."+name, dir)
				if err != nil {
					return err
				}
				ds.Name = name
				apply = func(c *ganexp.Config) { c.Dataset = ds }
			}
			ax.Values = append(ax.Values, Value{Label: name, Node: spec, Apply: apply})
			return nil
		})
		return ax, err
	}
	s, _ := lookupSetting(key)
	items, err := d.seq(v, what)
	if err != nil {
		return ax, err
	}
	for _, it := range items {
		val, err := s.parse(d, it, what)
		if err != nil {
			return ax, err
		}
		ax.Values = append(ax.Values, Value{
			Label: ganexp.FormatValue(val),
			Node:  it,
			Apply: func(c *ganexp.Config) { s.apply(c, val) },
		})
	}
	return ax, nil
}

func mapKeys(n *yaml.Node) []string {
	var keys []string
	for i := 0; i < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i].Value)
	}
	return keys
}

// checkAxes rejects axes and dimensions that would fight over the same
// parameter.
func (d *decoder) checkAxes(axes []Axis, space []Dim) error {
	has := map[string]*yaml.Node{}
	for _, a := range axes {
		has[a.Name] = a.Node
	}
	for _, dim := range space {
		if prev := has[dim.Name]; prev != nil {
			return d.errf(dim.Node, "give it under grid: or under space:, not both", "%s is in grid: (line %d) and in space:", dim.Name, prev.Line)
		}
		has[dim.Name] = dim.Node
	}
	if lr := has["lr"]; lr != nil {
		for _, other := range []string{"lr_g", "lr_d"} {
			if has[other] != nil {
				return d.errf(lr, "use lr for both, or lr_g and lr_d", "the sweep varies both lr and %s", other)
			}
		}
	}
	return nil
}
