package gan

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/ganexp/ganexp"
	G "gorgonia.org/gorgonia"
)

// fullRecorder keeps every number of every snapshot.
type fullRecorder struct {
	grid []float32
	all  []float64
}

func (r *fullRecorder) Progress(int)    {}
func (r *fullRecorder) Grid() []float32 { return r.grid }
func (r *fullRecorder) Eval(s ganexp.Snapshot) (bool, error) {
	r.all = append(r.all, float64(s.Step), s.LossD, s.LossG, s.GradNormD, s.GradNormG, s.DReal, s.DFake)
	for _, x := range s.Samples {
		r.all = append(r.all, float64(x))
	}
	for _, x := range s.DOnGrid {
		r.all = append(r.all, float64(x))
	}
	return false, nil
}

// TestRewindMatchesReset trains the same trial with machines rewound
// (registers kept) and with machines reset (registers dropped, gorgonia's
// way): every loss, gradient norm, D output and sample must be the same
// bit for bit, for every loss, activation and optimizer.
func TestRewindMatchesReset(t *testing.T) {
	var cases []ganexp.Config
	for _, loss := range []string{"minimax", "nonsaturating", "wgan", "lsgan", "hinge"} {
		cases = append(cases, smallConfig(loss))
	}
	for _, act := range []string{"leaky_relu", "tanh"} {
		c := smallConfig("nonsaturating")
		c.Arch.Activation = act
		cases = append(cases, c)
	}
	for _, opt := range []string{"rmsprop", "sgd"} {
		c := smallConfig("hinge")
		c.Optimizer, c.Rho = opt, 0.99
		cases = append(cases, c)
	}
	deep := smallConfig("wgan")
	deep.Arch.G, deep.Arch.D, deep.NCritic = []int{16, 8}, []int{8, 16}, 3
	cases = append(cases, deep)

	for _, c := range cases {
		c.Steps, c.EvalEvery = 60, 20
		name := fmt.Sprintf("%s/%s/%s/critic%d", c.Loss, c.Arch.Activation, c.Optimizer, c.NCritic)
		t.Run(name, func(t *testing.T) {
			train := func(reset func(G.VM)) []float64 {
				rec := &fullRecorder{grid: []float32{-2, 0, 2, 4}}
				s, err := newSession(ganexp.NewTrial(c, 7), gauss1d{3, 0.5}, rec.grid)
				if err != nil {
					t.Fatal(err)
				}
				defer s.close()
				s.reset = reset
				if _, err := s.run(context.Background(), rec); err != nil {
					t.Fatal(err)
				}
				return rec.all
			}
			got, want := train(rewind), train(G.VM.Reset)
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Errorf("rewound machines computed other numbers than reset ones (%d vs %d values)", len(got), len(want))
			}
		})
	}
}

// TestRewindFindsTheProgramCounter guards the reflection: if gorgonia's
// tape machine ever loses its pc field, rewind silently becomes Reset and
// the allocations come back.
func TestRewindFindsTheProgramCounter(t *testing.T) {
	s, err := newSession(ganexp.NewTrial(smallConfig("hinge"), 1), gauss1d{0, 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if pcIndex(reflectType(s.vmD)) == nil {
		t.Fatal("no pc field in gorgonia's tape machine")
	}
}
