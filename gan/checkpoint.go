package gan

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/ganexp/ganexp"
)

// A checkpoint is everything a session needs to go on from a step as if
// it had never stopped: the weights of G and D, their batch norm running
// statistics, both optimizers' state and the random streams' positions.
// Checkpoints are taken at evaluation steps, where the loss windows are
// empty, so that the metric series of a resumed trial is the one an
// uninterrupted run writes.
type checkpoint struct {
	Version       int
	Key           string // the trial's
	Step          int
	Dim           int // values per sample, G's output
	G, D          [][]float32
	GBuf, DBuf    [][]float32 // batch norm running statistics
	OptG, OptD    optState
	TrainRng      []byte // rand.PCG state
	EvalRng       []byte
	NonFiniteSeen bool
	Observer      []byte // the observer's state (ganexp.StateSaver)
}

// checkpointVersion changes whenever a checkpoint's contents change
// meaning; an older file is refused, not misread.
const checkpointVersion = 1

// state captures the session after s.step steps.
func (s *session) state(key string) (*checkpoint, error) {
	tr, err := s.trainSrc.MarshalBinary()
	if err != nil {
		return nil, err
	}
	ev, err := s.evalSrc.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return &checkpoint{
		Version: checkpointVersion, Key: key, Step: s.step, Dim: s.dim,
		G: s.genW, D: s.disW, GBuf: s.gen.buffers(), DBuf: s.dis.buffers(),
		OptG: s.optG.state(), OptD: s.optD.state(),
		TrainRng: tr, EvalRng: ev, NonFiniteSeen: s.nonFiniteSeen,
	}, nil
}

// restore puts the session in the state c captured. Shapes must match:
// c was taken from a session of the same trial.
func (s *session) restore(c *checkpoint) error {
	sets := []struct {
		what     string
		dst, src [][]float32
	}{{"G", s.genW, c.G}, {"D", s.disW, c.D}, {"G's batch norm", s.gen.buffers(), c.GBuf}, {"D's batch norm", s.dis.buffers(), c.DBuf}}
	for _, set := range sets {
		if err := copyShaped(set.dst, set.src); err != nil {
			return fmt.Errorf("%s: %w", set.what, err)
		}
	}
	if err := s.optG.restore(c.OptG, s.genW); err != nil {
		return fmt.Errorf("G's optimizer: %w", err)
	}
	if err := s.optD.restore(c.OptD, s.disW); err != nil {
		return fmt.Errorf("D's optimizer: %w", err)
	}
	if err := s.trainSrc.UnmarshalBinary(c.TrainRng); err != nil {
		return err
	}
	if err := s.evalSrc.UnmarshalBinary(c.EvalRng); err != nil {
		return err
	}
	s.step, s.nonFiniteSeen = c.Step, c.NonFiniteSeen
	return nil
}

// copyShaped copies src into dst, slice by slice, which must have the
// same lengths.
func copyShaped(dst, src [][]float32) error {
	if len(dst) != len(src) {
		return fmt.Errorf("%d tensors, the checkpoint has %d", len(dst), len(src))
	}
	for i := range dst {
		if len(dst[i]) != len(src[i]) {
			return fmt.Errorf("tensor %d has %d values, the checkpoint's %d", i, len(dst[i]), len(src[i]))
		}
		copy(dst[i], src[i])
	}
	return nil
}

// writeCheckpoint writes c to path atomically: into a temporary file in
// the same folder, synced, then renamed over path, so that a reader (or
// a crash at any moment) sees the old checkpoint or the new one, never
// part of one. The contents end with their SHA-256.
func writeCheckpoint(path string, c *checkpoint) error {
	var b bytes.Buffer
	b.WriteString(ganexp.CheckpointHeader(c.Key, c.Step))
	if err := gob.NewEncoder(&b).Encode(c); err != nil {
		return fmt.Errorf("encode checkpoint: %w", err)
	}
	sum := sha256.Sum256(b.Bytes())
	b.Write(sum[:])
	return writeAtomic(path, b.Bytes())
}

// writeAtomic writes data to path: into a temporary file in the same
// folder, synced, then renamed over path and the folder synced, so that a
// reader, or a crash at any moment, sees the old file or the new one.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return &ganexp.WriteError{Path: path, Err: err}
	}
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmp.Name())
		return &ganexp.WriteError{Path: path, Err: err}
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return &ganexp.WriteError{Path: path, Err: err}
	}
	// The rename itself is durable once the folder is synced.
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// errNoCheckpoint says there is no checkpoint file.
var errNoCheckpoint = errors.New("no checkpoint")

// readCheckpoint reads and checks the checkpoint at path, which must be
// of this version and of the trial key.
func readCheckpoint(path, key string) (*checkpoint, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, errNoCheckpoint
	}
	if err != nil {
		return nil, fmt.Errorf("read checkpoint %s: %w", path, err)
	}
	_, _, head, err := ganexp.ReadCheckpointHeader(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %w", err)
	}
	n := len(raw) - sha256.Size
	if n < head {
		return nil, fmt.Errorf("checkpoint %s: damaged (cut short)", path)
	}
	if sum := sha256.Sum256(raw[:n]); !bytes.Equal(sum[:], raw[n:]) {
		return nil, fmt.Errorf("checkpoint %s: damaged (its checksum does not match)", path)
	}
	var c checkpoint
	if err := gob.NewDecoder(bytes.NewReader(raw[head:n])).Decode(&c); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	if c.Version != checkpointVersion {
		return nil, fmt.Errorf("checkpoint %s: version %d, this ganexp reads %d", path, c.Version, checkpointVersion)
	}
	if c.Key != key {
		return nil, fmt.Errorf("checkpoint %s: of trial %s, not %s", path, c.Key, key)
	}
	return &c, nil
}

// newStream is a seeded random stream whose source can be saved and
// restored.
func newStream(seed int64, stream uint64) (*rand.Rand, *rand.PCG) {
	src := rand.NewPCG(uint64(seed), stream)
	return rand.New(src), src
}
