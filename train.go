package ganexp

import "math/rand/v2"

// Sampler draws real data points. Implementations must take all randomness
// from r, so a seed fixes the data a trial sees.
type Sampler interface {
	// Dim is the dimension of one point.
	Dim() int
	// Sample fills dst (len(dst)/Dim() points, row-major) with real points.
	Sample(r *rand.Rand, dst []float32)
}

// Snapshot is what a trainer reports at an evaluation step.
type Snapshot struct {
	Step      int
	LossD     float64 // mean over the steps since the previous snapshot
	LossG     float64
	GradNormD float64 // mean L2 norm of D's gradient over the same steps
	GradNormG float64
	// DReal and DFake are D's mean outputs on the real and fake batches of
	// the D steps over the same steps: probabilities for the cross-entropy
	// losses, raw scores for the others.
	DReal, DFake float64
	// NonFiniteParams reports a NaN or infinite weight in G or D.
	NonFiniteParams bool
	Samples         []float32 // eval_samples points from G, row-major; valid only during the call
	Dim             int
	// DOnGrid is D's output at the points of the observer's Grid, as
	// DReal; nil when the observer asked for none.
	DOnGrid []float32
	// DrawS is the time the trainer spent drawing Samples and DOnGrid:
	// part of what evaluating costs, which the observer accounts for.
	DrawS float64
}

// Observer receives a trainer's progress. Calls come from the training
// goroutine, so they must be quick.
type Observer interface {
	// Progress is called after every step.
	Progress(step int)
	// Eval is called every eval_every steps and after the last step.
	// Returning stop = true ends training early.
	Eval(s Snapshot) (stop bool, err error)
	// Grid returns the 1-D points where snapshots should carry D's output
	// (for Figure-1 style plots), or nil. It is called once, before
	// training.
	Grid() []float32
}

// StateSaver is an Observer that a checkpoint can carry: its state at an
// evaluation (say, the detectors' history), restored when a trial resumes
// from that checkpoint.
type StateSaver interface {
	SaveState() ([]byte, error)
	RestoreState([]byte) error
}

// ImageClassifier tells which class an image shows: for each of a batch of
// one-channel images (n×h·w values in [−1, 1]), its class probabilities
// and its features. gan.Classifier is one.
type ImageClassifier interface {
	Predict(images []float32) (probs, features []float32, err error)
}
