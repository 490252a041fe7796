package ganexp

import (
	"encoding/binary"
	"math"
)

// Artifacts are objects that the HTML report draws of a trial, stored
// during training with a bounded size (at most 12 evaluations keep them,
// each at most SnapshotPoints samples, or SnapshotImages on image data).
const (
	// ArtifactSamples is a sample of G's output: up to SnapshotPoints×dim
	// float32 (SnapshotImages×dim for images), little-endian, row-major
	// (EncodeFloats).
	ArtifactSamples = "samples"
	// ArtifactDGrid is D's output on a grid of 1-D points: the grid's x
	// values, then D(x) at them, float32.
	ArtifactDGrid = "d_grid"
	// ArtifactReal is the trial's reference sample of real data, up to
	// SnapshotPoints×dim float32, stored once at step 0: what G's samples
	// are drawn over.
	ArtifactReal = "real"
	// ArtifactModes are the data's known modes, stored once at step 0:
	// for each mode its centre (dim float32) then its standard deviation.
	ArtifactModes = "modes"
	// ArtifactDensity is the data's density on the 1-D grid, stored once
	// at step 0: the grid's x values, then p_data(x), float32.
	ArtifactDensity = "p_data"
)

// SnapshotPoints bounds the points kept per sample artifact.
const SnapshotPoints = 500

// SnapshotImages bounds the images kept per sample artifact of image data:
// an 8×8 grid.
const SnapshotImages = 64

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
