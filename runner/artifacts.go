package runner

import (
	"encoding/binary"
	"math"
)

// Artifacts are what the HTML report draws of a trial, stored during
// training with a bounded size: at most maxSnapshots evaluations keep
// them (the first, evenly spaced ones, the last planned one and the one a
// verdict stopped at), and each keeps at most SnapshotPoints samples.
const (
	maxSnapshots = 12
	gridPoints   = 200
	// SnapshotPoints bounds the samples kept per snapshot.
	SnapshotPoints = 500
)

// Artifact kinds.
const (
	// ArtifactSamples is a sample of G's output: SnapshotPoints×dim
	// float32, little-endian, row-major.
	ArtifactSamples = "samples"
	// ArtifactDGrid is D's output on a grid of 1-D points: gridPoints
	// float32 x values, then gridPoints float32 D(x) values.
	ArtifactDGrid = "d_grid"
)

// snapshotStride is the number of evaluations between kept snapshots.
func snapshotStride(steps, evalEvery int) int {
	evals := (steps + evalEvery - 1) / evalEvery
	return max(1, (evals+maxSnapshots-2)/(maxSnapshots-1))
}

// keepSnapshot reports whether the evaluation at step keeps artifacts.
func keepSnapshot(step, steps, evalEvery int) bool {
	if step == steps {
		return true
	}
	if step%evalEvery != 0 {
		return false
	}
	i := step/evalEvery - 1 // 0-based evaluation index
	return i%snapshotStride(steps, evalEvery) == 0
}

// EncodeFloats packs values as little-endian float32.
func EncodeFloats(xs []float32) []byte {
	b := make([]byte, 4*len(xs))
	for i, x := range xs {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// DecodeFloats unpacks EncodeFloats.
func DecodeFloats(b []byte) []float32 {
	xs := make([]float32, len(b)/4)
	for i := range xs {
		xs[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return xs
}
