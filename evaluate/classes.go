package evaluate

import (
	"fmt"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/dataset"
	"github.com/ganexp/ganexp/metrics"
)

// classDistribution is the data's class distribution: the training
// digits' shares, or for Stacked MNIST the product of three of them (its
// channels are drawn independently), over 1,000 digit triples; and the
// digits' shares alone.
func classDistribution(src dataset.Source) (classes, digits []float64) {
	var im *dataset.Images
	stacked := false
	switch s := src.(type) {
	case *dataset.Images:
		im = s
	case dataset.Stacked:
		im, stacked = s.Images, true
	default:
		return nil, nil
	}
	p := make([]float64, 10)
	for _, l := range im.Labels {
		p[l]++
	}
	for i := range p {
		p[i] /= float64(im.Len())
	}
	if !stacked {
		return p, p
	}
	out := make([]float64, 1000)
	for a := range 10 {
		for b := range 10 {
			for c := range 10 {
				out[100*a+10*b+c] = p[a] * p[b] * p[c]
			}
		}
	}
	return out, p
}

// classes classifies the evaluation's samples once: each image's class
// (for Stacked MNIST, its three channels' digits as one number) and that
// class's probability, then the class metrics.
func (s *Sample) classes() metrics.ClassStats {
	if s.classStat != nil {
		return *s.classStat
	}
	r := s.ref
	channels := 1
	if len(r.classP) == 1000 {
		channels = 3
	}
	// Channel by channel, each a one-channel image the classifier reads.
	probs, feats, err := r.judge.Predict(s.Snap.Samples)
	if err != nil {
		// The classifier was trained on this data's images; a failure here
		// is a broken invariant, and fails only this trial.
		panic(fmt.Sprintf("evaluate: classify the samples: %v", err))
	}
	n := len(probs) / 10 / channels
	class, prob := make([]int, n), make([]float64, n)
	for i := range n {
		prob[i] = 1
		for c := range channels {
			k, pk := mostLikely(probs[(i*channels+c)*10:(i*channels+c+1)*10], r.digitP)
			class[i] = 10*class[i] + k
			prob[i] *= pk
		}
	}
	st := metrics.Classes(class, prob, r.classP)
	s.feats = toF64(feats) // each image's channels' features, one after another
	s.classStat = &st
	return st
}

// mostLikely is the most likely digit among those the data has (digitP
// above 0; a sweep may train on some digits only), and its probability
// among them: a sample's mode is one of the data's, as on points it is
// the nearest of the data's modes.
func mostLikely(row []float32, digitP []float64) (int, float64) {
	best, sum := -1, 0.0
	for k, v := range row {
		if digitP[k] == 0 {
			continue
		}
		sum += float64(v)
		if best < 0 || v > row[best] {
			best = k
		}
	}
	return best, float64(row[best]) / sum
}

// features is the classifier's features of images (an image's channels'
// features side by side).
func features(judge ganexp.ImageClassifier, images []float32) ([]float64, error) {
	_, feats, err := judge.Predict(images)
	return toF64(feats), err
}

func toF64(xs []float32) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x)
	}
	return out
}
