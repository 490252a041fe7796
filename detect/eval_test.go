package detect

import (
	"math"
	"testing"

	"github.com/ganexp/ganexp"
)

func TestLabel(t *testing.T) {
	ring := Trial{Steps: 300, Modes: 8, Loss: "nonsaturating"}
	row := func(kv ...any) map[string]float64 {
		m := map[string]float64{"modes_captured": 8, "loss_d": 1.2, "loss_g": 0.8, "d_real": 0.6, "d_fake": 0.4, "spread_ratio": 1}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1].(float64)
		}
		return m
	}
	tests := []struct {
		name  string
		trial Trial
		h     []Point
		want  ganexp.Status
	}{
		{"Healthy", ring, hist(row("modes_captured", 2.0), row(), row("modes_captured", 5.0)), ganexp.StatusCompleted},
		// The end is the median of the last three evaluations: (8, 4, 4) → 4.
		{"CollapsedAtHalf", ring, hist(row(), row(), row("modes_captured", 4.0), row("modes_captured", 4.0)), ganexp.StatusCollapsed},
		{"OneLowEvaluationAtTheEnd", ring, hist(row(), row(), row(), row("modes_captured", 2.0)), ganexp.StatusCompleted},
		{"NaNAnywhere", ring, func() []Point {
			h := hist(row(), row(), row())
			h[1].NonFinite = []string{"samples"}
			return h
		}(), ganexp.StatusDiverged},
		// Transient explosions that recovered do not count; the end does.
		{"ExplodedThenRecovered", ring, hist(row("loss_g", 500.0), row(), row()), ganexp.StatusCompleted},
		{"ExplodedAtEnd", ring, hist(row(), row(), row("spread_ratio", 12.0)), ganexp.StatusDiverged},
		{"DWonAtEnd", ring, hist(row(), row(), row("d_real", 0.995, "d_fake", 0.001, "modes_captured", 0.0)), ganexp.StatusDiverged},
		{"DAlmostWon", ring, hist(row("modes_captured", 0.0), row("modes_captured", 0.0), row("d_real", 0.98, "d_fake", 0.001, "modes_captured", 0.0)), ganexp.StatusCollapsed},
		// On images the classes count by mass while few are hit: seven
		// captured and hit but three classes' worth of mass (mode_kl =
		// ln(10/3)) is collapsed; with nine hit, it is not.
		{"ImagesCollapsedByMass", Trial{Steps: 300, Modes: 10, Loss: "nonsaturating", Images: true},
			hist(row(), row("modes_captured", 7.0, "classes_hit", 7.0, "mode_kl", math.Log(10.0/3)), row("modes_captured", 7.0, "classes_hit", 7.0, "mode_kl", math.Log(10.0/3))), ganexp.StatusCollapsed},
		{"ImagesUnevenButBroad", Trial{Steps: 300, Modes: 10, Loss: "nonsaturating", Images: true},
			hist(row(), row("modes_captured", 7.0, "classes_hit", 9.0, "mode_kl", math.Log(10.0/3)), row("modes_captured", 7.0, "classes_hit", 9.0, "mode_kl", math.Log(10.0/3))), ganexp.StatusCompleted},
		{"ImagesBalanced", Trial{Steps: 300, Modes: 10, Loss: "nonsaturating", Images: true},
			hist(row("modes_captured", 10.0, "mode_kl", 0.1), row("modes_captured", 10.0, "mode_kl", 0.1), row("modes_captured", 9.0, "mode_kl", 0.2)), ganexp.StatusCompleted},
		{"HingeNeverWins", Trial{Steps: 300, Modes: 8, Loss: "hinge"}, hist(row(), row(), row("d_real", 5.0, "d_fake", -5.0)), ganexp.StatusCompleted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := Label(tt.trial, tt.h)
			if got != tt.want {
				t.Errorf("got %s (%s), want %s", got, why, tt.want)
			}
		})
	}
}

func TestEvaluate(t *testing.T) {
	def := testDetect()
	ring := Trial{Steps: 1000, Modes: 8, Loss: "nonsaturating"}
	healthy := modes(2, 6, 8, 8, 8, 8, 8, 8, 8, 8)
	collapsed := modes(2, 2, 2, 2, 2, 2, 2, 2, 2, 2)    // caught at step 500: lead 500
	lateCollapse := modes(8, 8, 8, 8, 8, 8, 8, 8, 3, 3) // missed: patience not reached
	falseAlarm := modes(8, 8, 3, 3, 3, 8, 8, 8, 8, 8)   // flagged at 500, healthy at the end
	diverged := modes(8, 8, 8, 8, 8, 8, 8, 8, 8, 8)     // NaN at step 700: lead 300
	diverged[6].NonFinite = []string{"loss_d"}
	cases := []Case{
		{Key: "h", Detect: def, Trial: ring, History: healthy},
		{Key: "c", Detect: def, Trial: ring, History: collapsed},
		{Key: "l", Detect: def, Trial: ring, History: lateCollapse},
		{Key: "f", Detect: def, Trial: ring, History: falseAlarm},
		{Key: "d", Detect: def, Trial: ring, History: diverged},
	}
	s := Evaluate(cases, func(c Case) int { return c.Trial.Modes })
	// collapsed: TP c; FP f; FN l → precision ½, recall ½, lead 500.
	// diverged: TP d → precision 1, recall 1, lead 300.
	div, col := s.Classes[0], s.Classes[1]
	if div.TP != 1 || div.FP != 0 || div.FN != 0 || div.Precision != 1 || div.Recall != 1 || div.MedianLead != 300 {
		t.Errorf("diverged: %+v", div)
	}
	if col.TP != 1 || col.FP != 1 || col.FN != 1 || col.Precision != 0.5 || col.Recall != 0.5 || col.F1 != 0.5 || col.MedianLead != 500 {
		t.Errorf("collapsed: %+v", col)
	}
	// Saved: c stops at 500 (500), f at 500 (500), d at 700 (300) of 5000.
	if s.Steps != 5000 || s.Saved != 1300 {
		t.Errorf("steps %d saved %d, want 5000 and 1300", s.Steps, s.Saved)
	}
	if got := s.Confusion[ganexp.StatusCompleted][ganexp.StatusCollapsed]; got != 1 {
		t.Errorf("healthy runs flagged collapsed: %d, want 1", got)
	}
	if !math.IsNaN(Evaluate(nil, nil).Classes[0].Precision) {
		t.Error("precision of an empty corpus should be undefined")
	}
}
