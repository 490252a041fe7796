package metrics

import (
	"math"
	"testing"
)

func TestExpNeg(t *testing.T) {
	// Against math.Exp on a fine grid over the whole useful range, plus
	// the edges.
	worst := 0.0
	for t0 := 0.0; t0 < 700; t0 += 0.0137 {
		got, want := expNeg(t0), math.Exp(-t0)
		if rel := math.Abs(got-want) / want; rel > worst {
			worst = rel
		}
	}
	if worst > 1e-12 {
		t.Errorf("worst relative error %g, want ≤ 1e-12", worst)
	}
	if got := expNeg(0); got != 1 {
		t.Errorf("expNeg(0) = %v, want 1", got)
	}
	if got := expNeg(800); got != 0 {
		t.Errorf("expNeg(800) = %v, want 0", got)
	}
}
