package reports

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ganexp/ganexp"
)

func configsOf(params [][]ganexp.Param, ys []float64) []Config {
	cs := make([]Config, len(ys))
	for i := range ys {
		cs[i] = Config{Params: params[i], means: map[string]float64{"m": ys[i]}}
	}
	return cs
}

// TestImportancesByHand: two levels that split the values exactly
// explain all of the variance (between 4, total 4, within 0: ε² = 1); a
// parameter that takes one value is left out.
func TestImportancesByHand(t *testing.T) {
	var params [][]ganexp.Param
	for _, l := range []string{"a", "a", "b", "b"} {
		params = append(params, []ganexp.Param{{Name: "loss", Value: l}, {Name: "steps", Value: 10}})
	}
	got := Importances(configsOf(params, []float64{1, 1, 3, 3}), "m")
	if len(got) != 1 || got[0].Param != "loss" || got[0].Share != 1 || got[0].Groups != 2 {
		t.Errorf("got %+v", got)
	}
}

// TestImportancesOfALinearModel: y = 3·x₁ + x₂ with x₁, x₂ uniform on
// [0, 1] and a loss that does nothing: Var = 9/12 + 1/12, so x₁ explains
// 0.9 and x₂ 0.1 (less a 1/k² of each for k = 20 bins), the loss 0; and
// a log-scaled x₁ gives the same groups, so the same shares.
func TestImportancesOfALinearModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	var params, logParams [][]ganexp.Param
	var ys []float64
	for i := range 400 {
		x1, x2 := r.Float64(), r.Float64()
		loss := []string{"hinge", "lsgan"}[i%2]
		params = append(params, []ganexp.Param{{Name: "x1", Value: x1}, {Name: "x2", Value: x2}, {Name: "loss", Value: loss}})
		logParams = append(logParams, []ganexp.Param{{Name: "x1", Value: math.Pow(10, -5*x1)}, {Name: "x2", Value: x2}, {Name: "loss", Value: loss}})
		ys = append(ys, 3*x1+x2)
	}
	got := Importances(configsOf(params, ys), "m")
	want := map[string]float64{"x1": 0.9, "x2": 0.1, "loss": 0}
	if len(got) != 3 || got[0].Param != "x1" || got[1].Param != "x2" {
		t.Fatalf("order %+v", got)
	}
	for _, g := range got {
		if math.Abs(g.Share-want[g.Param]) > 0.03 {
			t.Errorf("%s: share %.3f, want %.3f", g.Param, g.Share, want[g.Param])
		}
	}
	for _, g := range Importances(configsOf(logParams, ys), "m") {
		if g.Param == "x1" && math.Abs(g.Share-got[0].Share) > 1e-12 {
			t.Errorf("x1 on a log scale: %.4f, linear %.4f", g.Share, got[0].Share)
		}
	}
}
