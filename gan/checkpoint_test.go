package gan

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ganexp/ganexp"
)

// TestCheckpointResumesExactly: a session saved after 15 steps, written,
// read back into a new session and trained 15 more gives the same losses,
// weights, batch norm statistics and random streams, to the bit, as one
// that trained 30 steps straight; for each optimizer, and for a DCGAN
// (running statistics) as well as an MLP.
func TestCheckpointResumesExactly(t *testing.T) {
	type setup struct {
		name string
		cfg  ganexp.Config
		data ganexp.Sampler
	}
	var setups []setup
	for _, opt := range ganexp.Optimizers {
		c := smallConfig("nonsaturating")
		c.Optimizer = opt
		setups = append(setups, setup{"mlp-" + opt, c, gauss1d{3, 0.5}})
	}
	setups = append(setups, setup{"dcgan-adam", dcganConfig(1), halves{1}})
	for _, st := range setups {
		t.Run(st.name, func(t *testing.T) {
			trial := ganexp.NewTrial(st.cfg, 7)
			newS := func() *session {
				s, err := newSession(trial, st.data, nil)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(s.close)
				return s
			}
			steps := func(s *session, n int) []float64 {
				var out []float64
				for range n {
					ld, gd, err := s.stepD()
					if err != nil {
						t.Fatal(err)
					}
					lg, gg, err := s.stepG()
					if err != nil {
						t.Fatal(err)
					}
					s.step++
					out = append(out, ld, gd, lg, gg)
				}
				return out
			}
			straight := newS()
			steps(straight, 15)
			want := steps(straight, 15)

			first := newS()
			steps(first, 15)
			c, err := first.state(trial.Key)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "ckpt")
			if err := writeCheckpoint(path, c); err != nil {
				t.Fatal(err)
			}
			read, err := readCheckpoint(path, trial.Key)
			if err != nil {
				t.Fatal(err)
			}
			resumed := newS()
			if err := resumed.restore(read); err != nil {
				t.Fatal(err)
			}
			if resumed.step != 15 {
				t.Errorf("resumed at step %d, want 15", resumed.step)
			}
			if got := steps(resumed, 15); !slices.Equal(got, want) {
				t.Errorf("losses and gradient norms after resuming differ:\ngot  %v\nwant %v", got[:4], want[:4])
			}
			for _, pair := range [][2][][]float32{
				{resumed.genW, straight.genW}, {resumed.disW, straight.disW},
				{resumed.gen.buffers(), straight.gen.buffers()}, {resumed.dis.buffers(), straight.dis.buffers()},
			} {
				for i := range pair[0] {
					if !slices.Equal(pair[0][i], pair[1][i]) {
						t.Fatalf("tensor %d differs after resuming", i)
					}
				}
			}
			if resumed.evalRng.Uint64() != straight.evalRng.Uint64() || resumed.trainRng.Uint64() != straight.trainRng.Uint64() {
				t.Error("the random streams are elsewhere after resuming")
			}
		})
	}
}

// TestCheckpointRefusesWhatItCannotTrust: another trial's checkpoint, a
// damaged one, a truncated one and a missing one are each refused, a
// write leaves no temporary file behind, and a failed write says so.
func TestCheckpointRefusesWhatItCannotTrust(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt")
	c := &checkpoint{Version: checkpointVersion, Key: "abc", Step: 3, G: [][]float32{{1, 2}}, TrainRng: []byte{1}}
	if err := writeCheckpoint(path, c); err != nil {
		t.Fatal(err)
	}
	if got, err := readCheckpoint(path, "abc"); err != nil || got.Step != 3 || got.G[0][1] != 2 {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("%d files after a write, want the checkpoint alone", len(ents))
	}
	raw, _ := os.ReadFile(path)
	for _, tt := range []struct {
		name, key string
		data      []byte
		want      string
	}{
		{"OtherTrial", "xyz", raw, "of trial abc, not xyz"},
		{"Damaged", "abc", append(slices.Clone(raw[:40]), append([]byte{raw[40] ^ 1}, raw[41:]...)...), "damaged"},
		{"Truncated", "abc", raw[:len(raw)/2], "damaged"},
		{"NotOne", "abc", []byte("hello"), "not a ganexp checkpoint"},
	} {
		p := filepath.Join(dir, tt.name)
		os.WriteFile(p, tt.data, 0o644)
		if _, err := readCheckpoint(p, tt.key); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := readCheckpoint(filepath.Join(dir, "none"), "abc"); err != errNoCheckpoint {
		t.Errorf("missing: got %v", err)
	}
	// A write that cannot happen (no such folder) says so.
	if err := writeCheckpoint(filepath.Join(dir, "nope", "ckpt"), c); err == nil || !strings.Contains(err.Error(), "write ") {
		t.Errorf("write into a missing folder: %v", err)
	}
}
