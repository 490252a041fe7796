package ganexp

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"io"
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
	// ArtifactImages is a sample of G's images on image data, up to
	// SnapshotImages of them (an 8×8 grid): EncodePixels.
	ArtifactImages = "images"
	// ArtifactRealImages is the trial's reference sample of real images,
	// up to SnapshotImages, stored once at step 0: EncodePixels.
	ArtifactRealImages = "real_images"
	// ArtifactClasses is the class histogram of an evaluation's samples as
	// ganexp's classifier sees them: one float32 count per class (10, or
	// 1,000 on Stacked MNIST).
	ArtifactClasses = "classes"
	// ArtifactClassP is the data's class distribution, stored once at
	// step 0: one float32 share per class.
	ArtifactClassP = "class_p"
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

// EncodePixels packs image values in [−1, 1] as one byte each (0 is −1,
// 255 is +1, as an 8-bit image stores them), deflate-compressed: an 8×8
// grid of MNIST digits takes about a tenth of its 200 kB as float32.
func EncodePixels(xs []float32) []byte {
	raw := make([]byte, len(xs))
	for i, x := range xs {
		raw[i] = uint8(max(0, min(255, (float64(x)+1)*127.5+0.5)))
	}
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression) // the level is valid
	w.Write(raw)                                       // a bytes.Buffer does not fail
	w.Close()
	return b.Bytes()
}

// DecodePixels unpacks EncodePixels into values in [−1, 1].
func DecodePixels(b []byte) ([]float32, error) {
	raw, err := io.ReadAll(flate.NewReader(bytes.NewReader(b)))
	if err != nil {
		return nil, fmt.Errorf("decode pixels: %w", err)
	}
	xs := make([]float32, len(raw))
	for i, v := range raw {
		xs[i] = float32(float64(v)/127.5 - 1)
	}
	return xs, nil
}
