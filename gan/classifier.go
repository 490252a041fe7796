package gan

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/ganexp/ganexp/dataset"
)

// The classifier that judges image GANs: a small CNN that ganexp trains on
// the real training digits, the way the mode-counting literature does
// (Metz et al. 2017; VEEGAN; PacGAN): a generated image's mode is the class
// the classifier gives it. Its layers, on h×w images of one channel:
//
//	conv 1→32 (k4 s2 p1) → ReLU → conv 32→64 (k4 s2 p1) → ReLU →
//	linear to 128 → ReLU (the features) → linear to 10 (the logits)
//
// trained with Adam (1e-3) on the softmax cross-entropy, batch 64, for
// ClassifierEpochs passes over the training set in an order drawn from
// the seed.
const (
	ClassifierEpochs   = 2
	ClassifierFeatures = 128
	classifierBatch    = 64
	classifierClasses  = 10
	streamClassifier   = 0x636c6173 // "clas"
)

// Classifier is a trained classifier: its weights, and what it was
// trained on and how well it did.
type Classifier struct {
	H, W     int
	Weights  [][]float32 // conv1 W, b, conv2 W, b, features W, b, logits W, b
	Digest   string      // the training data's (dataset.Images.Digest)
	Seed     int64
	Accuracy float64 // on the test split
	Tested   int     // how many test images
}

// classifierLayers are the weight shapes, in order, for h×w images.
func classifierLayers(h, w int) [][2]int {
	flat := (h / 4) * (w / 4) * 64
	return [][2]int{
		{32, 16 * 1}, {1, 32},
		{64, 16 * 32}, {1, 64},
		{flat, ClassifierFeatures}, {1, ClassifierFeatures},
		{ClassifierFeatures, classifierClasses}, {1, classifierClasses},
	}
}

// newClassifierWeights draws PyTorch's default initialisation,
// U(±1/√fan_in), for weights and biases.
func newClassifierWeights(r *rand.Rand, h, w int) [][]float32 {
	var out [][]float32
	fanIn := []int{16, 16, 16 * 32, 16 * 32, 0, 0, ClassifierFeatures, ClassifierFeatures}
	layers := classifierLayers(h, w)
	fanIn[4], fanIn[5] = layers[4][0], layers[4][0]
	for i, s := range layers {
		out = append(out, uniformVec(r, s[0]*s[1], fanIn[i]))
	}
	return out
}

// uniformVec draws n values U(±1/√fanIn): PyTorch's default
// initialisation of linear and convolution weights and biases.
func uniformVec(r *rand.Rand, n, fanIn int) []float32 {
	bound := 1 / math.Sqrt(float64(fanIn))
	v := make([]float32, n)
	for i := range v {
		v[i] = float32((2*r.Float64() - 1) * bound)
	}
	return v
}

// classifierNet builds the forward pass on x (n×h·w) with weight nodes ws:
// the features (n×128) and the logits (n×10).
func classifierNet(x *G.Node, ws []*G.Node, h, w int) (features, logits *G.Node, err error) {
	n := x.Shape()[0]
	hdn, err := G.Reshape(x, tensor.Shape{n * h * w, 1})
	if err != nil {
		return nil, nil, err
	}
	if hdn, err = conv2d(hdn, ws[0], ws[1], geomOf(h, w, 1)); err != nil {
		return nil, nil, err
	}
	if hdn, err = rectify(hdn); err != nil {
		return nil, nil, err
	}
	if hdn, err = conv2d(hdn, ws[2], ws[3], geomOf(h/2, w/2, 32)); err != nil {
		return nil, nil, err
	}
	if hdn, err = rectify(hdn); err != nil {
		return nil, nil, err
	}
	if hdn, err = G.Reshape(hdn, tensor.Shape{n, (h / 4) * (w / 4) * 64}); err != nil {
		return nil, nil, err
	}
	if features, err = dense(hdn, ws[4], ws[5], true); err != nil {
		return nil, nil, err
	}
	logits, err = dense(features, ws[6], ws[7], false)
	return features, logits, err
}

func bindAll(g *G.ExprGraph, ws [][]float32, shapes [][2]int, prefix string) []*G.Node {
	nodes := make([]*G.Node, len(ws))
	for i, w := range ws {
		t := tensor.New(tensor.WithShape(shapes[i][0], shapes[i][1]), tensor.WithBacking(w))
		nodes[i] = G.NewMatrix(g, tensor.Float32, G.WithShape(shapes[i][0], shapes[i][1]), G.WithName(fmt.Sprintf("%s%d", prefix, i)), G.WithValue(t))
	}
	return nodes
}

// NewClassifier is an untrained classifier for h×w images, its weights
// drawn from seed: what TrainClassifier starts from, and, since its cost
// does not depend on its weights, what benchmarks time.
func NewClassifier(h, w int, seed int64) *Classifier {
	r := rand.New(rand.NewPCG(uint64(seed), streamClassifier))
	return &Classifier{H: h, W: w, Weights: newClassifierWeights(r, h, w), Seed: seed}
}

// TrainClassifier trains the classifier on train (one-channel images, the
// digits as labels) and measures its accuracy on test. progress, if not
// nil, hears after each epoch.
func TrainClassifier(ctx context.Context, train, test *dataset.Images, seed int64, progress func(epoch int, acc float64)) (*Classifier, error) {
	if train.C != 1 || test.C != 1 || train.H%4 != 0 || train.W%4 != 0 {
		return nil, fmt.Errorf("classifier: needs one-channel images whose sides divide by 4, not %d×%d×%d", train.C, train.H, train.W)
	}
	h, w := train.H, train.W
	r := rand.New(rand.NewPCG(uint64(seed), streamClassifier))
	c := &Classifier{H: h, W: w, Weights: newClassifierWeights(r, h, w), Digest: train.Digest, Seed: seed}
	// (NewClassifier draws the same weights; the stream goes on to the
	// batch order.)
	shapes := classifierLayers(h, w)
	x, y := matrix(classifierBatch, h*w), matrix(classifierBatch, classifierClasses)
	buildMu.Lock()
	g := G.NewGraph()
	ws := bindAll(g, c.Weights, shapes, "clf")
	_, logits, err := classifierNet(input(g, "x", x), ws, h, w)
	var loss *G.Node
	if err == nil {
		loss, err = xent(logits, input(g, "y", y))
	}
	var grads G.Nodes
	if err == nil {
		grads, err = G.Grad(loss, ws...)
	}
	buildMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("classifier graph: %w", err)
	}
	gradV, reads := readAll(grads)
	vm := machine(g, reads)
	defer vm.Close()
	opt, _ := newOptimizer("adam", 1e-3, 0.9, 0.999, 0)
	var gs [][]float32
	order := make([]int, train.Len())
	for i := range order {
		order[i] = i
	}
	d := h * w
	for epoch := 1; epoch <= ClassifierEpochs; epoch++ {
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for b := 0; b+classifierBatch <= len(order); b += classifierBatch {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			xs, ys := x.Data().([]float32), y.Data().([]float32)
			clear(ys)
			for i, k := range order[b : b+classifierBatch] {
				copy(xs[i*d:(i+1)*d], train.Pixels(k))
				ys[i*classifierClasses+train.Labels[k]] = 1
			}
			if err := vm.RunAll(); err != nil {
				return nil, fmt.Errorf("classifier step: %w", err)
			}
			rewind(vm)
			opt.step(c.Weights, slices32(gradV, &gs))
		}
		acc, err := c.accuracy(test)
		if err != nil {
			return nil, err
		}
		c.Accuracy, c.Tested = acc, test.Len()
		if progress != nil {
			progress(epoch, acc)
		}
	}
	return c, nil
}

// accuracy is the share of test images given their label.
func (c *Classifier) accuracy(test *dataset.Images) (float64, error) {
	images := make([]float32, 0, test.Len()*c.H*c.W)
	for i := range test.Len() {
		images = append(images, test.Pixels(i)...)
	}
	probs, _, err := c.Predict(images)
	if err != nil {
		return 0, err
	}
	right := 0
	for i, label := range test.Labels {
		if argmax(probs[i*classifierClasses:(i+1)*classifierClasses]) == label {
			right++
		}
	}
	return float64(right) / float64(test.Len()), nil
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// predictChunk is how many images Predict classifies per pass: its
// convolutions' scratch grows with the rows, and Stacked MNIST's
// evaluations classify 30,000 digits at a time.
const predictChunk = 500

// Predict classifies images (n×h·w values in [−1, 1]): each one's class
// probabilities (n×10) and features (n×128). It runs one graph over
// chunks of at most predictChunk images; an image's outputs do not depend
// on the others in its chunk.
func (c *Classifier) Predict(images []float32) (probs, features []float32, err error) {
	d := c.H * c.W
	n := len(images) / d
	if n == 0 || n*d != len(images) {
		return nil, nil, fmt.Errorf("classifier: %d values are not whole %d×%d images", len(images), c.H, c.W)
	}
	rows := min(n, predictChunk)
	x := matrix(rows, d)
	buildMu.Lock()
	g := G.NewGraph()
	feat, logits, err := classifierNet(input(g, "x", x), bindAll(g, c.Weights, classifierLayers(c.H, c.W), "clf"), c.H, c.W)
	buildMu.Unlock()
	if err != nil {
		return nil, nil, err
	}
	var fv, lv G.Value
	G.Read(feat, &fv)
	G.Read(logits, &lv)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	xs := x.Data().([]float32)
	probs = make([]float32, n*classifierClasses)
	features = make([]float32, 0, n*ClassifierFeatures)
	for from := 0; from < n; from += rows {
		m := min(rows, n-from)
		clear(xs[copy(xs, images[from*d:(from+m)*d]):])
		if err := vm.RunAll(); err != nil {
			return nil, nil, fmt.Errorf("classify: %w", err)
		}
		l := lv.Data().([]float32)
		for i := 0; i < m; i++ {
			row := probs[(from+i)*classifierClasses : (from+i+1)*classifierClasses]
			logSoftmaxRow(row, l[i*classifierClasses:(i+1)*classifierClasses])
			for j := range row {
				row[j] = float32(math.Exp(float64(row[j])))
			}
		}
		features = append(features, fv.Data().([]float32)[:m*ClassifierFeatures]...)
		rewind(vm)
	}
	return probs, features, nil
}

// ClassifierPath is where the classifier for data of digest trained from
// seed is cached in dir.
func ClassifierPath(dir, digest string, seed int64) string {
	return filepath.Join(dir, fmt.Sprintf("classifier-%.16s-seed%d.gob", digest, seed))
}

// classifierMagic starts a cached classifier file, which ends with the
// SHA-256 of what comes before.
const classifierMagic = "ganexp classifier 1\n"

// Save writes the classifier to path atomically: two sweeps that train it
// at once leave one whole file, never a mix.
func (c *Classifier) Save(path string) error {
	var b bytes.Buffer
	b.WriteString(classifierMagic)
	if err := gob.NewEncoder(&b).Encode(c); err != nil {
		return fmt.Errorf("encode classifier: %w", err)
	}
	sum := sha256.Sum256(b.Bytes())
	b.Write(sum[:])
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("classifier cache: %w", err)
	}
	return writeAtomic(path, b.Bytes())
}

// ErrNoClassifier says no classifier is cached at a path.
var ErrNoClassifier = errors.New("no classifier cached")

// LoadClassifier reads a cached classifier and checks it is whole.
func LoadClassifier(path string) (*Classifier, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoClassifier
	}
	if err != nil {
		return nil, err
	}
	n := len(raw) - sha256.Size
	if n < len(classifierMagic) || string(raw[:len(classifierMagic)]) != classifierMagic {
		return nil, fmt.Errorf("%s: not a ganexp classifier", path)
	}
	if sum := sha256.Sum256(raw[:n]); !bytes.Equal(sum[:], raw[n:]) {
		return nil, fmt.Errorf("%s: damaged (its checksum does not match)", path)
	}
	var c Classifier
	if err := gob.NewDecoder(bytes.NewReader(raw[len(classifierMagic):n])).Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &c, nil
}
