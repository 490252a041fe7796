package gan

import (
	"math"
	"slices"
	"testing"

	"github.com/ganexp/ganexp"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// evalLoss runs one loss on fixed D outputs through a real gorgonia graph.
func evalLoss(t *testing.T, l loss, real, fake []float32) (d, g float64) {
	t.Helper()
	gr := G.NewGraph()
	col := func(name string, v []float32) *G.Node {
		return G.NewMatrix(gr, tensor.Float32, G.WithShape(len(v), 1), G.WithName(name),
			G.WithValue(tensor.New(tensor.WithShape(len(v), 1), tensor.WithBacking(slices.Clone(v)))))
	}
	r, f := col("r", real), col("f", fake)
	var dv, gv G.Value
	G.Read(l.d(r, f), &dv)
	G.Read(l.g(f), &gv)
	vm := G.NewTapeMachine(gr)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return float64(dv.Data().(float32)), float64(gv.Data().(float32))
}

func TestLosses(t *testing.T) {
	// D outputs r = (0.5, 2) on real data and f = (−1, 3) on fakes.
	// softplus values by hand (ln(1+eˣ)): sp(−0.5) = 0.474077,
	// sp(−2) = 0.126928, sp(−1) = 0.313262, sp(3) = 3.048587,
	// sp(1) = 1.313262, sp(−3) = 0.048587.
	// BCE D = mean(sp(−r)) + mean(sp(f)) = 0.300503 + 1.680925 = 1.981427.
	// minimax G = −mean(sp(f)) = −1.680925.
	// nonsaturating G = mean(sp(−f)) = (1.313262 + 0.048587)/2 = 0.680925.
	// wgan D = mean(f) − mean(r) = 1 − 1.25 = −0.25; G = −mean(f) = −1.
	// lsgan D = ½·mean((r−1)²) + ½·mean(f²) = ½·0.625 + ½·5 = 2.8125;
	//       G = ½·mean((f−1)²) = ½·4 = 2.
	// hinge D = mean(relu(1−r)) + mean(relu(1+f)) = 0.25 + 2 = 2.25; G = −1.
	real := []float32{0.5, 2}
	fake := []float32{-1, 3}
	tests := []struct {
		name         string
		wantD, wantG float64
	}{
		{"minimax", 1.9814270, -1.6809245},
		{"nonsaturating", 1.9814270, 0.6809245},
		{"wgan", -0.25, -1},
		{"lsgan", 2.8125, 2},
		{"hinge", 2.25, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, ok := lookupLoss(tt.name)
			if !ok {
				t.Fatalf("loss %q not registered", tt.name)
			}
			gotD, gotG := evalLoss(t, l, real, fake)
			if math.Abs(gotD-tt.wantD) > 1e-5 {
				t.Errorf("D loss: got %.7f, want %.7f", gotD, tt.wantD)
			}
			if math.Abs(gotG-tt.wantG) > 1e-5 {
				t.Errorf("G loss: got %.7f, want %.7f", gotG, tt.wantG)
			}
		})
	}
}

func TestLossesStableAtExtremeLogits(t *testing.T) {
	// D is certain and wrong: r = −1000, f = +1000. A naive log(sigmoid)
	// gives ±Inf in float32; softplus gives exact values:
	// BCE D = sp(1000) + sp(1000) = 2000; minimax G = −1000; NS G = sp(−1000) = 0.
	tests := []struct {
		name         string
		wantD, wantG float64
	}{
		{"minimax", 2000, -1000},
		{"nonsaturating", 2000, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, _ := lookupLoss(tt.name)
			gotD, gotG := evalLoss(t, l, []float32{-1000}, []float32{1000})
			if gotD != tt.wantD || gotG != tt.wantG {
				t.Errorf("got D %v G %v, want D %v G %v", gotD, gotG, tt.wantD, tt.wantG)
			}
		})
	}
}

func TestModelRegistryMatchesArchKinds(t *testing.T) {
	var got []string
	for k := range modelKinds {
		got = append(got, k)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(ganexp.ArchKinds))
	if !slices.Equal(got, want) {
		t.Errorf("gan model kinds %v, ganexp.ArchKinds %v", got, want)
	}
}

func TestLossRegistryMatchesConfigChoices(t *testing.T) {
	var got []string
	for _, l := range losses {
		got = append(got, l.name)
	}
	if want := ganexp.Losses; !slices.Equal(got, want) {
		t.Errorf("gan losses %v, ganexp.Losses %v", got, want)
	}
}
