// Package evaluate measures a trial while it trains. It is the trainer's
// observer: at every evaluation it computes each metric of the registry
// (Metrics) on G's samples against the trial's reference sample of real
// data, names the values that are not finite, records the evaluation, and
// hands the history to the detectors, whose verdict may stop the trial.
// It stores what the reports draw: the reference sample, the data's modes
// and density, and G's samples at a bounded number of evaluations.
package evaluate

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"gonum.org/v1/gonum/mat"
	"math"
	"math/rand/v2"
	"time"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/dataset"
	"github.com/ganexp/ganexp/detect"
	"github.com/ganexp/ganexp/metrics"
)

// streamReal draws a trial's reference sample of real data.
const streamReal = 0x7265616c // "real"

// reference is what every evaluation of a trial compares with: a sample
// of real data drawn once from the trial's seed (not from the training
// batches), so that values compare over time and across trials with the
// same seed, and the structures the metrics build on it once.
type reference struct {
	dim           int
	sample        []float64
	centres, stds []float64 // known modes, flat; nil for csv
	mmd           *metrics.MMDRef
	fid           *metrics.FidelityRef // k-NN balls of the sample, and their tree
	bins          metrics.Bins
	swd           *metrics.SWDRef
	spread        float64 // RMS spread of the sample
	image         bool    // image data: the Points metrics do not apply
	// judge classifies image samples and classP is the data's class
	// distribution (10 digits, or 1,000 digit triples for Stacked MNIST);
	// nil on point data and without a classifier.
	judge          ganexp.ImageClassifier
	classP, digitP []float64
	fdMean         []float64            // the reference sample's features' mean
	fdCov          *mat.SymDense        // and covariance, for fd
	fidFeat        *metrics.FidelityRef // its k-NN balls in feature space
}

// modeCount is the number of modes the mode metrics count: known
// centres, or the classifier's classes.
func (r *reference) modeCount() int {
	if r.judge != nil { // the classes the data has: 10, a digit subset's, or their cube
		n := 0
		for _, p := range r.classP {
			if p > 0 {
				n++
			}
		}
		return n
	}
	return len(r.stds)
}

func newReference(t ganexp.Trial, src dataset.Source) *reference {
	dim, n := src.Dim(), t.Config.EvalSamples
	rng := rand.New(rand.NewPCG(uint64(t.Seed), streamReal))
	buf := make([]float32, n*dim)
	src.Sample(rng, buf)
	ref := make([]float64, n*dim)
	for i, x := range buf {
		ref[i] = float64(x)
	}
	_, _, _, image := t.Config.Dataset.ImageShape()
	r := &reference{dim: dim, sample: ref, image: image}
	if !image {
		r.mmd = metrics.NewMMDRef(ref, dim, metrics.MedianDistance(ref, dim, bandwidthPoints))
		r.fid = metrics.NewFidelityRef(ref, dim, kPR, kDC)
	}
	r.bins = metrics.NewBins(ref, dim, min(ndbBins, n), rng)
	r.swd = metrics.NewSWDRef(ref, dim, metrics.Directions(dim, swdDirectionsFor(dim), rng.NormFloat64))
	r.spread = rmsSpread(ref, dim)
	for _, m := range src.Modes() {
		r.centres = append(r.centres, m.Centre...)
		r.stds = append(r.stds, m.Std)
	}
	return r
}

// Sample is one evaluation as the metrics see it: the trainer's snapshot,
// G's samples as float64, and what several metrics share, computed once.
type Sample struct {
	Snap ganexp.Snapshot
	Fake []float64

	ref       *reference
	modeStats *metrics.ModeStats
	classStat *metrics.ClassStats
	feats     []float64 // the classifier's features of the samples
	fid       *metrics.Fidelity
}

// Evaluator is the trainer's observer for one trial.
type Evaluator struct {
	t        ganexp.Trial
	sink     ganexp.Sink
	start    time.Time
	ref      *reference
	fake     []float64
	grid     []float32 // 1-D points where snapshots carry D(x); nil above 1-D
	history  []detect.Point
	verdict  *detect.Verdict
	reported bool // a non_finite event was recorded
	lastStep int
	tracking ganexp.Tracking
	counts   []int // the last evaluation's class histogram; nil without a classifier
}

// New draws the trial's reference sample and stores what the reports draw
// it with: the reference sample, the data's modes, and on 1-D data its
// density on the grid where D is read.
func New(t ganexp.Trial, src dataset.Source, sink ganexp.Sink) (*Evaluator, error) {
	return NewWith(t, src, sink, nil)
}

// NewWith is New for image data judged by a classifier (nil: none): the
// mode metrics then count its classes (metric_modes.go).
func NewWith(t ganexp.Trial, src dataset.Source, sink ganexp.Sink, judge ganexp.ImageClassifier) (*Evaluator, error) {
	e := &Evaluator{t: t, sink: sink, start: time.Now(), ref: newReference(t, src)}
	if judge != nil && e.ref.image {
		r := e.ref
		r.judge = judge
		r.classP, r.digitP = classDistribution(src)
		feats, err := features(judge, toF32(r.sample))
		if err != nil {
			return nil, fmt.Errorf("classify the reference sample: %w", err)
		}
		width := len(feats) / (len(r.sample) / r.dim)
		r.fdMean, r.fdCov = metrics.MeanCov(feats, width)
		r.fidFeat = metrics.NewFidelityRef(feats, width, kPR, kDC)
		e.tracking.PrepareS = time.Since(e.start).Seconds()
	}
	// Preparing the reference is part of what measuring costs.
	e.tracking.PrepareS = time.Since(e.start).Seconds()
	r := e.ref
	e.fake = make([]float64, len(r.sample))
	if r.dim == 1 {
		e.grid = gridOver(r.sample)
	}
	if err := e.storeData(src); err != nil {
		return nil, fmt.Errorf("record the reference data: %w", err)
	}
	return e, nil
}

// storeData stores the reference sample, the modes and the density, at
// step 0.
func (e *Evaluator) storeData(src dataset.Source) error {
	r := e.ref
	n := min(len(r.sample), snapshotCount(e.t.Config)*r.dim)
	if err := e.sink.Artifact(0, realKind(r.image), encodeSample(r.image, toF32(r.sample[:n]))); err != nil {
		return err
	}
	if r.classP != nil {
		if err := e.sink.Artifact(0, ganexp.ArtifactClassP, ganexp.EncodeFloats(toF32(r.classP))); err != nil {
			return err
		}
	}
	if r.centres != nil {
		var modes []float32
		for i, std := range r.stds {
			modes = append(modes, toF32(r.centres[i*r.dim:(i+1)*r.dim])...)
			modes = append(modes, float32(std))
		}
		if err := e.sink.Artifact(0, ganexp.ArtifactModes, ganexp.EncodeFloats(modes)); err != nil {
			return err
		}
	}
	if p := dataset.Density(e.t.Config.Dataset); p != nil && e.grid != nil {
		xs := append([]float32(nil), e.grid...)
		for _, x := range e.grid {
			xs = append(xs, float32(p(float64(x))))
		}
		return e.sink.Artifact(0, ganexp.ArtifactDensity, ganexp.EncodeFloats(xs))
	}
	return nil
}

func toF32(xs []float64) []float32 {
	out := make([]float32, len(xs))
	for i, x := range xs {
		out[i] = float32(x)
	}
	return out
}

// gridPoints is the size of the 1-D grid where D is read.
const gridPoints = 200

// gridOver spreads gridPoints points over the range of the 1-D sample x,
// widened by a quarter of it on each side.
func gridOver(x []float64) []float32 {
	lo, hi := x[0], x[0]
	for _, v := range x {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	pad := (hi - lo) / 4
	lo, hi = lo-pad, hi+pad
	g := make([]float32, gridPoints)
	for i := range g {
		g[i] = float32(lo + (hi-lo)*float64(i)/float64(gridPoints-1))
	}
	return g
}

// evaluatorState is what a checkpoint keeps of an evaluator: the
// detectors' history and verdict, so that a resumed trial judges as an
// uninterrupted one would. (Its reference sample is drawn again from the
// seed; its times start over.)
type evaluatorState struct {
	History  []detect.Point
	Verdict  *detect.Verdict
	Reported bool
	LastStep int
}

// SaveState implements ganexp.StateSaver. gob, not JSON: the history
// may hold NaNs.
func (e *Evaluator) SaveState() ([]byte, error) {
	var b bytes.Buffer
	err := gob.NewEncoder(&b).Encode(evaluatorState{History: e.history, Verdict: e.verdict, Reported: e.reported, LastStep: e.lastStep})
	return b.Bytes(), err
}

// RestoreState implements ganexp.StateSaver.
func (e *Evaluator) RestoreState(data []byte) error {
	var st evaluatorState
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&st); err != nil {
		return fmt.Errorf("evaluator state: %w", err)
	}
	e.history, e.verdict, e.reported, e.lastStep = st.History, st.Verdict, st.Reported, st.LastStep
	return nil
}

// Grid implements ganexp.Observer.
func (e *Evaluator) Grid() []float32 { return e.grid }

// Progress implements ganexp.Observer.
func (e *Evaluator) Progress(step int) {
	e.lastStep = step
	e.sink.Progress(step)
}

// LastStep is the last step the trainer reported.
func (e *Evaluator) LastStep() int { return e.lastStep }

// Verdict is the detectors' verdict, or nil.
func (e *Evaluator) Verdict() *detect.Verdict { return e.verdict }

// Tracking is the time the trial has spent so far, and how much of it
// went to the metrics, the detectors and the sink.
func (e *Evaluator) Tracking() ganexp.Tracking {
	t := e.tracking
	t.WallS = time.Since(e.start).Seconds()
	return t
}

// Eval implements ganexp.Observer: it measures every metric of one
// snapshot, records it, and judges the history. It asks the trainer to
// stop on a verdict with on_failure: stop.
func (e *Evaluator) Eval(s ganexp.Snapshot) (bool, error) {
	e.lastStep = s.Step
	// What is not measuring or judging is handing results to the sink.
	begin := time.Now()
	var measured, judged time.Duration
	defer func() {
		e.tracking.MetricsS += measured.Seconds()
		e.tracking.DetectorsS += judged.Seconds()
		e.tracking.StoreS += (time.Since(begin) - measured - judged).Seconds()
	}()
	e.tracking.DrawS += s.DrawS
	values, nonFinite := e.measure(s)
	measured = time.Since(begin)
	if err := e.sink.Eval(ganexp.Eval{Step: s.Step, WallS: time.Since(e.start).Seconds(), Values: values}); err != nil {
		return false, err
	}
	if len(nonFinite) > 0 && !e.reported {
		e.reported = true
		if err := e.sink.Event(s.Step, "non_finite", map[string]any{"non_finite": nonFinite}); err != nil {
			return false, err
		}
	}
	t := time.Now()
	stop, err := e.judge(s, values, nonFinite)
	judged = time.Since(t)
	if err != nil {
		return false, err
	}
	c := e.t.Config
	if keepSnapshot(s.Step, c.Steps, c.EvalEvery) || stop {
		if err := e.snapshot(s); err != nil {
			return false, err
		}
	}
	return stop, nil
}

// measure computes every metric of the registry on a snapshot and names
// the quantities that were not finite. A sample with a non-finite point
// makes every metric of samples NaN: distances to NaN points mean
// nothing, and the sample is the finding.
func (e *Evaluator) measure(s ganexp.Snapshot) (map[string]ganexp.Number, []string) {
	finite := true
	for i, x := range s.Samples {
		e.fake[i] = float64(x)
		finite = finite && !math.IsNaN(e.fake[i]) && !math.IsInf(e.fake[i], 0)
	}
	smp := &Sample{Snap: s, Fake: e.fake, ref: e.ref}
	values := make(map[string]ganexp.Number, len(Metrics))
	var nonFinite []string
	for _, m := range Metrics {
		switch {
		case m.Modes && e.ref.modeCount() == 0, m.Centres && e.ref.centres == nil,
			m.Classes && e.ref.judge == nil, m.Points && e.ref.image && !(m.Features && e.ref.judge != nil):
			continue // does not apply
		case m.OfSamples && !finite:
			values[m.Name] = ganexp.Number(math.NaN())
			continue
		}
		t0 := time.Now()
		v := m.Measure(smp)
		if m.OfSamples {
			e.charge(m.part(), time.Since(t0))
		}
		values[m.Name] = ganexp.Number(v)
		if m.Watched && (math.IsNaN(v) || math.IsInf(v, 0)) {
			nonFinite = append(nonFinite, m.Name)
		}
	}
	e.counts = nil
	if smp.classStat != nil {
		e.counts = smp.classStat.Counts
	}
	if s.NonFiniteParams {
		nonFinite = append(nonFinite, "params")
	}
	if !finite {
		nonFinite = append(nonFinite, "samples")
	}
	return values, nonFinite
}

// charge adds d to the part of the metrics' time named part (the trainer's
// own numbers cost nothing to record and are not charged).
func (e *Evaluator) charge(part string, d time.Duration) {
	if e.tracking.Parts == nil {
		e.tracking.Parts = map[string]float64{}
	}
	e.tracking.Parts[part] += d.Seconds()
}

// judge adds the evaluation to the history and runs the detectors; it
// reports whether the trial should stop.
func (e *Evaluator) judge(s ganexp.Snapshot, values map[string]ganexp.Number, nonFinite []string) (bool, error) {
	d := e.t.Config.Detect
	if !d.Enabled || e.verdict != nil {
		return false, nil
	}
	point := detect.Point{Step: s.Step, Values: make(map[string]float64, len(values)), NonFinite: nonFinite}
	for k, v := range values {
		point.Values[k] = float64(v)
	}
	e.history = append(e.history, point)
	info := detect.Trial{Steps: e.t.Config.Steps, EvalEvery: e.t.Config.EvalEvery, Modes: e.ref.modeCount(), Loss: e.t.Config.Loss, Images: e.ref.judge != nil}
	v := detect.Judge(d, info, e.history)
	if v == nil {
		return false, nil
	}
	e.verdict = v
	stop := d.OnFailure == "stop"
	detail := map[string]any{
		"detector": v.Detector, "message": v.Message, "evidence": v.Evidence, "thresholds": v.Thresholds,
		"on_failure": d.OnFailure, "steps_saved": 0,
	}
	if stop {
		detail["steps_saved"] = e.t.Config.Steps - s.Step
	}
	if err := e.sink.Event(s.Step, string(v.Status), detail); err != nil {
		return false, err
	}
	return stop, nil
}

// snapshotCount is how many samples an artifact keeps: SnapshotPoints
// points, or SnapshotImages images (a 784-value image is 1,568 points'
// worth of storage).
func snapshotCount(c ganexp.Config) int {
	if _, _, _, image := c.Dataset.ImageShape(); image {
		return ganexp.SnapshotImages
	}
	return ganexp.SnapshotPoints
}

// realKind and sampleKind are the artifact kinds of the reference sample
// and of G's samples: images are stored as compressed 8-bit pixels.
func realKind(image bool) string {
	if image {
		return ganexp.ArtifactRealImages
	}
	return ganexp.ArtifactReal
}

func sampleKind(image bool) string {
	if image {
		return ganexp.ArtifactImages
	}
	return ganexp.ArtifactSamples
}

func encodeSample(image bool, xs []float32) []byte {
	if image {
		return ganexp.EncodePixels(xs)
	}
	return ganexp.EncodeFloats(xs)
}

// snapshot stores the samples (and D on the grid, or the class histogram)
// of an evaluation.
func (e *Evaluator) snapshot(s ganexp.Snapshot) error {
	n := min(len(s.Samples), snapshotCount(e.t.Config)*s.Dim)
	image := e.ref.image
	if err := e.sink.Artifact(s.Step, sampleKind(image), encodeSample(image, s.Samples[:n])); err != nil {
		return err
	}
	if e.counts != nil {
		counts := make([]float32, len(e.counts))
		for i, c := range e.counts {
			counts[i] = float32(c)
		}
		if err := e.sink.Artifact(s.Step, ganexp.ArtifactClasses, ganexp.EncodeFloats(counts)); err != nil {
			return err
		}
	}
	if s.DOnGrid != nil {
		return e.sink.Artifact(s.Step, ganexp.ArtifactDGrid, ganexp.EncodeFloats(append(append([]float32(nil), e.grid...), s.DOnGrid...)))
	}
	return nil
}
