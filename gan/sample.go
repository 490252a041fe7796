package gan

import (
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"

	"github.com/ganexp/ganexp"
)

// streamSample draws the noise of `ganexp sample`, apart from training's.
const streamSample = 0x73616d70 // "samp"

// Sample draws n samples from the final generator of trial t, kept at
// path (ganexp.GeneratorPath), with noise from seed: G in evaluation mode
// (batch norm by its running statistics), as at the trial's evaluations.
// It returns the samples, n rows of dim values in the data's layout.
func Sample(t ganexp.Trial, path string, n int, seed uint64) (samples []float32, dim int, err error) {
	c, err := readCheckpoint(path, t.Key)
	if err != nil {
		return nil, 0, err
	}
	cfg := t.Config
	ch, h, w, _ := cfg.Dataset.ImageShape()
	gen, err := newModel(rand.New(rand.NewPCG(uint64(t.Seed), streamInit)), roleG, dims{in: cfg.ZDim, out: c.Dim, c: ch, h: h, w: w}, cfg.Arch)
	if err != nil {
		return nil, 0, err
	}
	if err := copyShaped(gen.params(), c.G); err != nil {
		return nil, 0, fmt.Errorf("generator %s: %w", path, err)
	}
	if err := copyShaped(gen.buffers(), c.GBuf); err != nil {
		return nil, 0, fmt.Errorf("generator %s: batch norm: %w", path, err)
	}
	z := matrix(n, cfg.ZDim)
	fillNormal(rand.New(rand.NewPCG(seed, streamSample)), z.Data().([]float32))
	buildMu.Lock()
	g := G.NewGraph()
	out, err := gen.apply(input(g, "z", z), gen.bind(g), false)
	buildMu.Unlock()
	if err != nil {
		return nil, 0, err
	}
	var v G.Value
	G.Read(out, &v)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		return nil, 0, fmt.Errorf("sample %s: %w", t.Key, err)
	}
	data, ok := v.Data().([]float32)
	if !ok || v.Shape().TotalSize() != n*c.Dim {
		return nil, 0, fmt.Errorf("sample %s: G gave %v", t.Key, v.Shape())
	}
	return append([]float32(nil), data...), c.Dim, nil
}
