package gan

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/ganexp/ganexp"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Trainer trains GANs with gorgonia. The zero value is ready to use, and
// one Trainer may train several trials at once.
type Trainer struct{}

// LoadClassifier reads the cached classifier at path, for the evaluator
// of an image trial.
func (Trainer) LoadClassifier(path string) (ganexp.ImageClassifier, error) {
	return LoadClassifier(path)
}

// buildMu serialises graph construction: gorgonia caches hashes on
// package-level constant nodes, and building two graphs at once races
// on them. Running the built machines concurrently is safe.
var buildMu sync.Mutex

// Random streams derived from the trial seed. Each use has its own stream
// so that, say, changing eval_every does not change the training noise.
const (
	streamInit  = 0x696e6974 // "init"
	streamTrain = 0x74726169 // "trai"
	streamEval  = 0x6576616c // "eval"
)

// Train runs one trial: alternating D and G updates for cfg.Steps steps,
// with a snapshot for obs every cfg.EvalEvery steps and after the last.
// It returns the number of steps done. When ctx is cancelled it stops
// before the next step, reports a last snapshot, and returns ctx's error.
//
// With t.CheckpointDir set it saves a checkpoint every checkpoint_every
// steps, and the final generator at the end; with t.Resume it first puts
// itself (and obs, if a ganexp.StateSaver) where that checkpoint left off.
func (Trainer) Train(ctx context.Context, t ganexp.Trial, data ganexp.Sampler, obs ganexp.Observer) (int, error) {
	s, err := newSession(t, data, obs.Grid())
	if err != nil {
		return 0, fmt.Errorf("build trial %s: %w", t.Key, err)
	}
	defer s.close()
	s.key, s.ckptDir = t.Key, t.CheckpointDir
	if t.Resume != "" {
		c, err := readCheckpoint(t.Resume, t.Key)
		if err != nil {
			return 0, fmt.Errorf("resume trial %s: %w", t.Key, err)
		}
		if err := s.restore(c); err != nil {
			return 0, fmt.Errorf("resume trial %s from %s: %w", t.Key, t.Resume, err)
		}
		if ss, ok := obs.(ganexp.StateSaver); ok {
			if err := ss.RestoreState(c.Observer); err != nil {
				return 0, fmt.Errorf("resume trial %s: the observer: %w", t.Key, err)
			}
		}
	}
	steps, err := s.run(ctx, obs)
	if err == nil && s.ckptDir != "" {
		err = s.finish()
	}
	return steps, err
}

// saveCheckpoint writes the session's state (and obs's) as the trial's
// latest checkpoint, keeping the one before it.
func (s *session) saveCheckpoint(obs ganexp.Observer) error {
	c, err := s.state(s.key)
	if err != nil {
		return err
	}
	if ss, ok := obs.(ganexp.StateSaver); ok {
		if c.Observer, err = ss.SaveState(); err != nil {
			return fmt.Errorf("checkpoint at step %d: the observer: %w", s.step, err)
		}
	}
	latest := ganexp.CheckpointPath(s.ckptDir, s.key)
	if _, err := os.Stat(latest); err == nil {
		if err := os.Rename(latest, ganexp.PrevCheckpointPath(s.ckptDir, s.key)); err != nil {
			return fmt.Errorf("checkpoint at step %d: %w", s.step, err)
		}
	}
	return writeCheckpoint(latest, c)
}

// finish keeps the final generator (a checkpoint of the whole session,
// which `ganexp sample` reads G from) and removes the checkpoints a
// finished trial no longer needs.
func (s *session) finish() error {
	c, err := s.state(s.key)
	if err != nil {
		return err
	}
	if err := writeCheckpoint(ganexp.GeneratorPath(s.ckptDir, s.key), c); err != nil {
		return err
	}
	for _, p := range []string{ganexp.CheckpointPath(s.ckptDir, s.key), ganexp.PrevCheckpointPath(s.ckptDir, s.key)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", p, err)
		}
	}
	return nil
}

// session is one trial's models, graphs, machines and buffers. Nothing in
// it is rebuilt per step.
type session struct {
	cfg  ganexp.Config
	loss loss
	dim  int
	data ganexp.Sampler

	gen, dis       model
	genW, disW     [][]float32 // parameter slices, shared with the graphs
	optG, optD     optimizer
	x, zD, zG, zE  *tensor.Dense
	vmD, vmG, vmE  G.VM
	vmGrid         G.VM          // D on the observer's grid; nil without one
	grid           *tensor.Dense // the grid points, n×1
	onGrid         G.Value       // D's raw output on the grid
	dGrid          []float32
	lossD, lossG   G.Value
	outReal        G.Value // D's outputs in the D step, for d_real and d_fake
	outFake        G.Value
	gradD, gradG   []G.Value
	gradDS, gradGS [][]float32
	samples        G.Value   // G's output on one chunk of zE
	zAll           []float32 // the evaluation's noise, eval_samples×z_dim
	evalOut        []float32 // the evaluation's samples, eval_samples×dim

	trainRng, evalRng *rand.Rand
	trainSrc, evalSrc *rand.PCG  // their sources, saved in checkpoints
	key, ckptDir      string     // the trial's, for checkpoints; no dir: none
	step              int        // steps done
	nonFiniteSeen     bool       // a non-finite loss or gradient was reported
	reset             func(G.VM) // readies a machine for its next run: rewind
}

func newSession(t ganexp.Trial, data ganexp.Sampler, grid []float32) (*session, error) {
	c := t.Config
	l, ok := lookupLoss(c.Loss)
	if !ok {
		return nil, fmt.Errorf("unknown loss %q", c.Loss)
	}
	s := &session{
		cfg: c, loss: l, dim: data.Dim(), data: data,
		reset: rewind,
	}
	s.trainRng, s.trainSrc = newStream(t.Seed, streamTrain)
	s.evalRng, s.evalSrc = newStream(t.Seed, streamEval)
	var err error
	if s.optG, err = newOptimizer(c.Optimizer, c.LrG, c.Beta1, c.Beta2, c.Rho); err != nil {
		return nil, err
	}
	if s.optD, err = newOptimizer(c.Optimizer, c.LrD, c.Beta1, c.Beta2, c.Rho); err != nil {
		return nil, err
	}
	initRng := rand.New(rand.NewPCG(uint64(t.Seed), streamInit))
	ch, h, w, _ := c.Dataset.ImageShape()
	if s.gen, err = newModel(initRng, roleG, dims{in: c.ZDim, out: s.dim, c: ch, h: h, w: w}, c.Arch); err != nil {
		return nil, err
	}
	if s.dis, err = newModel(initRng, roleD, dims{in: s.dim, out: 1, c: ch, h: h, w: w}, c.Arch); err != nil {
		return nil, err
	}
	s.genW, s.disW = s.gen.params(), s.dis.params()

	s.x = matrix(c.BatchSize, s.dim)
	s.zD = matrix(c.BatchSize, c.ZDim)
	s.zG = matrix(c.BatchSize, c.ZDim)
	s.zE = matrix(evalChunk(c), c.ZDim)
	s.zAll = make([]float32, c.EvalSamples*c.ZDim)
	s.evalOut = make([]float32, c.EvalSamples*s.dim)

	buildMu.Lock()
	defer buildMu.Unlock()
	if err := s.buildD(); err != nil {
		return nil, fmt.Errorf("D step graph: %w", err)
	}
	if err := s.buildG(); err != nil {
		return nil, fmt.Errorf("G step graph: %w", err)
	}
	if err := s.buildEval(); err != nil {
		return nil, fmt.Errorf("eval graph: %w", err)
	}
	if grid != nil && s.dim == 1 {
		if err := s.buildGrid(grid); err != nil {
			return nil, fmt.Errorf("grid graph: %w", err)
		}
	}
	return s, nil
}

// buildGrid builds D's forward pass on fixed 1-D points.
func (s *session) buildGrid(grid []float32) error {
	s.grid = tensor.New(tensor.WithShape(len(grid), 1), tensor.WithBacking(append([]float32(nil), grid...)))
	s.dGrid = make([]float32, len(grid))
	g := G.NewGraph()
	out, err := s.dis.apply(input(g, "grid", s.grid), s.dis.bind(g), false)
	if err != nil {
		return err
	}
	G.Read(out, &s.onGrid)
	s.vmGrid = G.NewTapeMachine(g)
	return nil
}

func sizes(in int, hidden []int, out int) []int {
	s := append([]int{in}, hidden...)
	return append(s, out)
}

func matrix(rows, cols int) *tensor.Dense {
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(make([]float32, rows*cols)))
}

func input(g *G.ExprGraph, name string, t *tensor.Dense) *G.Node {
	return G.NewMatrix(g, tensor.Float32, G.WithShape(t.Shape()...), G.WithName(name), G.WithValue(t))
}

// buildD builds the D step: D's loss on a real batch and on G(z) for fresh
// z, with gradients for D's weights only, so G is in effect detached.
func (s *session) buildD() error {
	g := G.NewGraph()
	gw, dw := s.gen.bind(g), s.dis.bind(g)
	fake, err := s.gen.apply(input(g, "zD", s.zD), gw, true)
	if err != nil {
		return err
	}
	real, err := s.dis.apply(input(g, "x", s.x), dw, true)
	if err != nil {
		return err
	}
	fakeOut, err := s.dis.apply(fake, dw, true)
	if err != nil {
		return err
	}
	lossD := s.loss.d(real, fakeOut)
	grads, err := G.Grad(lossD, dw...)
	if err != nil {
		return err
	}
	reads := G.Nodes{G.Read(lossD, &s.lossD), G.Read(real, &s.outReal), G.Read(fakeOut, &s.outFake)}
	var gr G.Nodes
	s.gradD, gr = readAll(grads)
	s.vmD = machine(g, append(reads, gr...))
	return nil
}

// buildG builds the G step on its own fresh noise, with gradients for
// G's weights only.
func (s *session) buildG() error {
	g := G.NewGraph()
	gw, dw := s.gen.bind(g), s.dis.bind(g)
	fake, err := s.gen.apply(input(g, "zG", s.zG), gw, true)
	if err != nil {
		return err
	}
	out, err := s.dis.apply(fake, dw, true)
	if err != nil {
		return err
	}
	lossG := s.loss.g(out)
	grads, err := G.Grad(lossG, gw...)
	if err != nil {
		return err
	}
	reads := G.Nodes{G.Read(lossG, &s.lossG)}
	var gr G.Nodes
	s.gradG, gr = readAll(grads)
	s.vmG = machine(g, append(reads, gr...))
	return nil
}

// dcganEvalChunk is evalChunk's rows for a DCGAN; a variable for tests.
var dcganEvalChunk = 500

// evalChunk is how many samples G draws per pass at an evaluation. An
// MLP draws all eval_samples at once. A DCGAN draws 500 at a time: its
// transposed convolutions' scratch grows with the rows (about 0.26 MB per
// sample for the pinned generator), so Stacked MNIST's 10,000 samples in
// one pass would need several GB. In eval mode batch norm uses its running
// statistics, so a sample does not depend on the others in its pass and
// chunking changes no value.
func evalChunk(c ganexp.Config) int {
	if c.Arch.Kind == ganexp.KindDCGAN {
		return min(c.EvalSamples, dcganEvalChunk)
	}
	return c.EvalSamples
}

// buildEval builds G's forward pass on one chunk of noise vectors.
func (s *session) buildEval() error {
	g := G.NewGraph()
	out, err := s.gen.apply(input(g, "zE", s.zE), s.gen.bind(g), false)
	if err != nil {
		return err
	}
	G.Read(out, &s.samples)
	s.vmE = G.NewTapeMachine(g)
	return nil
}

// readAll reads every node into a value of its own, and returns the
// values and the read nodes.
func readAll(nodes G.Nodes) ([]G.Value, G.Nodes) {
	vals := make([]G.Value, len(nodes))
	reads := make(G.Nodes, len(nodes))
	for i, n := range nodes {
		reads[i] = G.Read(n, &vals[i])
	}
	return vals, reads
}

// machine compiles only what the step reads: gorgonia's SymDiff of an op
// builds the gradients of all its inputs, and a machine of the whole graph
// would compute every one of them, used or not (D's weight gradients in
// the G step, the gradient reaching the data in the D step). The results
// are the same numbers; the work is less.
func machine(g *G.ExprGraph, reads G.Nodes) G.VM {
	return G.NewTapeMachine(g.ExactSubgraphRoots(reads...))
}

func (s *session) close() {
	for _, vm := range []G.VM{s.vmD, s.vmG, s.vmE, s.vmGrid} {
		if vm != nil {
			vm.Close()
		}
	}
}

// run is the training loop.
func (s *session) run(ctx context.Context, obs ganexp.Observer) (int, error) {
	c := s.cfg
	var win window
	lastEval := s.step // a resumed session's last evaluation
	snapshot := func() (bool, error) {
		lastEval = s.step
		stop, err := s.evaluate(obs, &win)
		win = window{}
		return stop, err
	}
	for s.step < c.Steps {
		if err := ctx.Err(); err != nil {
			if s.step > lastEval {
				if _, serr := snapshot(); serr != nil {
					return s.step, errors.Join(err, serr)
				}
			}
			return s.step, err
		}
		finite := true
		for range c.NCritic {
			l, gn, err := s.stepD()
			if err != nil {
				return s.step, fmt.Errorf("D step %d: %w", s.step+1, err)
			}
			win.lossD += l
			win.gradD += gn
			win.dReal += s.meanOutput(s.outReal)
			win.dFake += s.meanOutput(s.outFake)
			win.nD++
			finite = finite && isFinite(l) && isFinite(gn)
		}
		l, gn, err := s.stepG()
		if err != nil {
			return s.step, fmt.Errorf("G step %d: %w", s.step+1, err)
		}
		win.lossG += l
		win.gradG += gn
		win.nG++
		finite = finite && isFinite(l) && isFinite(gn)
		s.step++
		obs.Progress(s.step)
		// The first non-finite value is reported at once, not at the next
		// evaluation, so that a detector can stop the run now.
		firstNaN := !finite && !s.nonFiniteSeen
		s.nonFiniteSeen = s.nonFiniteSeen || !finite
		if s.step%c.EvalEvery == 0 || s.step == c.Steps || firstNaN {
			stop, err := snapshot()
			if err != nil {
				return s.step, err
			}
			if stop {
				break
			}
			if s.ckptDir != "" && c.CheckpointEvery > 0 && s.step%c.CheckpointEvery == 0 && s.step < c.Steps {
				if err := s.saveCheckpoint(obs); err != nil {
					return s.step, err
				}
			}
		}
	}
	return s.step, nil
}

// window accumulates losses, gradient norms and D's outputs between
// evaluations.
type window struct {
	lossD, lossG, gradD, gradG float64
	dReal, dFake               float64
	nD, nG                     int
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// meanOutput is D's mean output over a batch: the mean probability σ(l)
// for the cross-entropy losses, the mean raw output otherwise.
func (s *session) meanOutput(v G.Value) float64 {
	sum := 0.0
	for _, l := range v.Data().([]float32) {
		x := float64(l)
		if s.loss.prob {
			x = 1 / (1 + math.Exp(-x))
		}
		sum += x
	}
	return sum / float64(v.Shape().TotalSize())
}

func (s *session) stepD() (lossV, gradNorm float64, err error) {
	s.data.Sample(s.trainRng, s.x.Data().([]float32))
	fillNormal(s.trainRng, s.zD.Data().([]float32))
	if err := s.vmD.RunAll(); err != nil {
		return 0, 0, err
	}
	s.reset(s.vmD)
	grads := slices32(s.gradD, &s.gradDS)
	s.optD.step(s.disW, grads)
	if s.loss.clip {
		clamp(s.disW, float32(s.cfg.Clip))
	}
	return scalar(s.lossD), math.Sqrt(sqNorm(grads)), nil
}

func (s *session) stepG() (lossV, gradNorm float64, err error) {
	fillNormal(s.trainRng, s.zG.Data().([]float32))
	if err := s.vmG.RunAll(); err != nil {
		return 0, 0, err
	}
	s.reset(s.vmG)
	grads := slices32(s.gradG, &s.gradGS)
	s.optG.step(s.genW, grads)
	return scalar(s.lossG), math.Sqrt(sqNorm(grads)), nil
}

// evaluate draws eval_samples points from G and hands them to obs.
func (s *session) evaluate(obs ganexp.Observer, w *window) (bool, error) {
	begin := time.Now()
	// All the noise is drawn first, so the samples are the same whatever
	// the chunk size.
	fillNormal(s.evalRng, s.zAll)
	z, zd := s.zE.Data().([]float32), s.cfg.ZDim
	rows := len(z) / zd
	for from := 0; from < s.cfg.EvalSamples; from += rows {
		n := min(rows, s.cfg.EvalSamples-from)
		clear(z[copy(z, s.zAll[from*zd:(from+n)*zd]):])
		if err := s.vmE.RunAll(); err != nil {
			return false, fmt.Errorf("eval at step %d: %w", s.step, err)
		}
		copy(s.evalOut[from*s.dim:(from+n)*s.dim], s.samples.Data().([]float32))
		s.reset(s.vmE)
	}
	snap := ganexp.Snapshot{
		Step:            s.step,
		LossD:           mean64(w.lossD, w.nD),
		LossG:           mean64(w.lossG, w.nG),
		GradNormD:       mean64(w.gradD, w.nD),
		GradNormG:       mean64(w.gradG, w.nG),
		DReal:           mean64(w.dReal, w.nD),
		DFake:           mean64(w.dFake, w.nD),
		NonFiniteParams: !isFinite(sqNorm(s.genW)) || !isFinite(sqNorm(s.disW)),
		Samples:         s.evalOut,
		Dim:             s.dim,
	}
	if s.vmGrid != nil {
		if err := s.vmGrid.RunAll(); err != nil {
			return false, fmt.Errorf("D on the grid at step %d: %w", s.step, err)
		}
		s.reset(s.vmGrid)
		for i, l := range s.onGrid.Data().([]float32) {
			x := float64(l)
			if s.loss.prob {
				x = 1 / (1 + math.Exp(-x))
			}
			s.dGrid[i] = float32(x)
		}
		snap.DOnGrid = s.dGrid
	}
	snap.DrawS = time.Since(begin).Seconds()
	return obs.Eval(snap)
}

func mean64(sum float64, n int) float64 {
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

// slices32 returns the backing slices of vals, caching them in *cache:
// Read allocates its destination on the first run and copies into it
// after that, so the slices are stable from then on.
func slices32(vals []G.Value, cache *[][]float32) [][]float32 {
	if *cache == nil {
		out := make([][]float32, len(vals))
		for i, v := range vals {
			out[i] = v.Data().([]float32)
		}
		*cache = out
	}
	return *cache
}

func scalar(v G.Value) float64 {
	return float64(v.Data().(float32))
}

func fillNormal(r *rand.Rand, dst []float32) {
	for i := range dst {
		dst[i] = float32(r.NormFloat64())
	}
}
