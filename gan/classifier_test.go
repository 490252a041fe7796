package gan

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ganexp/ganexp/dataset"
)

// glyphs writes n noisy 8×8 "digits" into a new folder and loads them:
// digit d < 8 is a bright row d, 8 and 9 the two diagonals.
func glyphs(t *testing.T, split string, n int, seed uint64) *dataset.Images {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	var pixels, labels []byte
	for i := range n {
		d := i % 10
		img := make([]byte, 64)
		for p := range img {
			img[p] = byte(r.IntN(60))
		}
		for k := range 8 {
			switch {
			case d < 8:
				img[8*d+k] = 255
			case d == 8:
				img[9*k] = 255
			default:
				img[8*k+7-k] = 255
			}
		}
		pixels, labels = append(pixels, img...), append(labels, byte(d))
	}
	dir := t.TempDir()
	if err := dataset.WriteMNIST(dir, split, 8, 8, pixels, labels, false); err != nil {
		t.Fatal(err)
	}
	im, err := dataset.LoadMNIST(dir, split)
	if err != nil {
		t.Fatal(err)
	}
	return im
}

// TestClassifierLearnsGlyphs: trained on 3,000 noisy glyphs, the
// classifier names held-out ones right (every one: they are easy), gives
// probabilities that sum to 1 and 128 features each, and the same seed
// gives the same weights.
func TestClassifierLearnsGlyphs(t *testing.T) {
	train, test := glyphs(t, "train", 3000, 1), glyphs(t, "t10k", 200, 2)
	var epochs []int
	c, err := TrainClassifier(context.Background(), train, test, 1, func(e int, _ float64) { epochs = append(epochs, e) })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(epochs, []int{1, 2}) || c.Accuracy < 0.99 || c.Tested != 200 {
		t.Fatalf("epochs %v, accuracy %.3f on %d", epochs, c.Accuracy, c.Tested)
	}
	images := append(test.Pixels(0), test.Pixels(1)...)
	probs, feats, err := c.Predict(images)
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) != 20 || len(feats) != 2*ClassifierFeatures {
		t.Fatalf("%d probabilities, %d features", len(probs), len(feats))
	}
	sum := 0.0
	for _, p := range probs[:10] {
		sum += float64(p)
	}
	if sum < 0.9999 || sum > 1.0001 || argmax(probs[10:]) != test.Labels[1] {
		t.Errorf("probabilities sum to %v; second image's class %d, label %d", sum, argmax(probs[10:]), test.Labels[1])
	}
	again, err := TrainClassifier(context.Background(), train, test, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range c.Weights {
		if !slices.Equal(c.Weights[i], again.Weights[i]) {
			t.Fatal("the same seed trained other weights")
		}
	}
}

// TestClassifierCache: a saved classifier loads back whole; a damaged
// file is refused; two processes saving at once leave one whole file.
func TestClassifierCache(t *testing.T) {
	c := &Classifier{H: 8, W: 8, Weights: [][]float32{{1, 2}, {3}}, Digest: "abc", Seed: 1, Accuracy: 0.99, Tested: 10}
	dir := t.TempDir()
	path := ClassifierPath(filepath.Join(dir, "cache"), "abcdef", 1)
	if _, err := LoadClassifier(path); err != ErrNoClassifier {
		t.Fatalf("before saving: %v", err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.Save(path); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, err := LoadClassifier(path)
	if err != nil || got.Accuracy != 0.99 || !slices.Equal(got.Weights[0], []float32{1, 2}) {
		t.Fatalf("loaded %+v, %v", got, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "cache", "*")); len(left) != 1 {
		t.Errorf("the cache holds %v, want one file", left)
	}
	raw, _ := os.ReadFile(path)
	raw[len(raw)/2] ^= 1
	os.WriteFile(path, raw, 0o644)
	if _, err := LoadClassifier(path); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("damaged file: %v", err)
	}
}

// TestClassifierPredictChunks: Predict runs 500 images per pass; on
// 1,100 images (two whole chunks and a partial one) every image gets the
// probabilities and features it gets alone.
func TestClassifierPredictChunks(t *testing.T) {
	c := NewClassifier(8, 8, 3)
	r := rand.New(rand.NewPCG(4, 4))
	images := make([]float32, 1100*64)
	for i := range images {
		images[i] = float32(r.Float64()*2 - 1)
	}
	probs, feats, err := c.Predict(images)
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) != 1100*10 || len(feats) != 1100*ClassifierFeatures {
		t.Fatalf("%d probabilities, %d features", len(probs), len(feats))
	}
	for _, i := range []int{0, 499, 500, 999, 1000, 1099} {
		p, f, err := c.Predict(images[i*64 : (i+1)*64])
		if err != nil {
			t.Fatal(err)
		}
		if !close32(p, probs[i*10:(i+1)*10]) || !close32(f, feats[i*ClassifierFeatures:(i+1)*ClassifierFeatures]) {
			t.Errorf("image %d: alone %v…, in the batch %v…", i, p[:3], probs[i*10:i*10+3])
		}
	}
}

func close32(a, b []float32) bool {
	for i := range a {
		if d := a[i] - b[i]; d > 1e-5 || d < -1e-5 {
			return false
		}
	}
	return len(a) == len(b)
}
