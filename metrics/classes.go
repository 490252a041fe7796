package metrics

import "math"

// ClassStats are the mode metrics of image GANs as a classifier sees
// them (Metz et al. 2017 on Stacked MNIST; VEEGAN Table 2; PacGAN Table
// 3): a generated image's mode is the class the classifier gives it.
type ClassStats struct {
	// Captured is the number of classes given to at least one confident
	// sample: one whose class probability is at least ConfidentProb.
	Captured int
	// KL is KL(q ‖ p) = Σ_k q_k log(q_k/p_k), with q the histogram of
	// the samples' classes (every sample, confident or not) and p the
	// data's class distribution: 0 when G reproduces the data's class
	// balance, log K when every sample has one of K equally common
	// classes. It is +Inf when G gives a class the data does not have.
	KL float64
	// Confidence is the mean class probability of the samples: near 1
	// when every image looks like some class, lower for blurry ones.
	Confidence float64
	// Hit is the number of classes given to at least one sample,
	// confident or not: the count of the Stacked MNIST tables (VEEGAN
	// Table 2, PacGAN Table 3).
	Hit int
	// Counts is the class histogram: how many samples each class got.
	Counts []int
}

// ConfidentProb is the class probability a sample needs to capture its
// class.
const ConfidentProb = 0.5

// Classes computes ClassStats from each sample's class and its
// probability (same length), over classes classes whose data
// distribution is p (len classes, summing to 1).
func Classes(class []int, prob []float64, p []float64) ClassStats {
	k := len(p)
	count := make([]int, k)
	captured := make([]bool, k)
	var st ClassStats
	for i, c := range class {
		count[c]++
		if prob[i] >= ConfidentProb {
			captured[c] = true
		}
		st.Confidence += prob[i]
	}
	n := float64(len(class))
	st.Confidence /= n
	st.Counts = count
	for c := range k {
		if captured[c] {
			st.Captured++
		}
		if count[c] == 0 {
			continue
		}
		st.Hit++
		q := float64(count[c]) / n
		st.KL += q * math.Log(q/p[c])
	}
	return st
}
