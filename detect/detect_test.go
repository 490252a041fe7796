package detect

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/ganexp/ganexp"
)

// testDetect pins the settings the cases below are worked out for, so
// that retuning the defaults does not move them: patience 3, warm-up 0.3,
// min_modes 0.5, d_win 0.02, max_loss 100, max_spread 10.
func testDetect() ganexp.Detect {
	c := ganexp.DefaultDetect()
	c.Patience, c.Warmup, c.MinModes, c.DWin, c.MaxLoss, c.MaxSpread, c.MinRecall = 3, 0.3, 0.5, 0.02, 100, 10, 0.5
	return c
}

// hist builds a history with one point per 100 steps from value rows.
func hist(rows ...map[string]float64) []Point {
	h := make([]Point, len(rows))
	for i, r := range rows {
		h[i] = Point{Step: 100 * (i + 1), Values: r}
	}
	return h
}

func modes(ns ...float64) []Point {
	var rows []map[string]float64
	for _, n := range ns {
		rows = append(rows, map[string]float64{"modes_captured": n, "loss_d": 1.2, "loss_g": 0.9})
	}
	return hist(rows...)
}

func TestDetectors(t *testing.T) {
	def := testDetect()
	ring := Trial{Steps: 1000, Modes: 8, Loss: "nonsaturating"}
	digits := Trial{Steps: 1000, Modes: 10, Loss: "nonsaturating", Images: true}
	tests := []struct {
		name         string
		trial        Trial
		h            []Point
		wantDetector string // "" for no verdict
		wantStep     int
	}{
		{"Healthy", ring, modes(2, 5, 8, 8, 7, 8), "", 0},
		// Warm-up ends at step 300: the first three lows at 100–300 only
		// count from 300 on, so the third low in a row after it is at 500.
		{"CollapseAfterWarmup", ring, modes(1, 1, 1, 1, 2, 8), "mode_collapse", 500},
		// 4 of 8 is "at most half": collapsed; 5 is not.
		{"HalfIsCollapsed", ring, modes(8, 8, 4, 4, 4), "mode_collapse", 500},
		{"RecoveryResetsPatience", ring, modes(8, 8, 3, 3, 6, 3, 3, 8), "", 0},
		{"UnknownModesIgnoreModes", Trial{Steps: 1000, Loss: "hinge"}, modes(1, 1, 1, 1, 1), "", 0},
		{"LowRecall", Trial{Steps: 1000, Loss: "hinge"}, hist(
			map[string]float64{"recall": 0.9}, map[string]float64{"recall": 0.4},
			map[string]float64{"recall": 0.3}, map[string]float64{"recall": 0.2},
			map[string]float64{"recall": 0.2}), "low_recall", 500},
		{"NonFinite", ring, func() []Point {
			h := modes(8, 8)
			h[1].NonFinite = []string{"loss_d"}
			return h
		}(), "non_finite", 200},
		{"ExplodedLoss", ring, hist(map[string]float64{"loss_g": 3}, map[string]float64{"loss_g": 250},
			map[string]float64{"loss_g": 900}, map[string]float64{"loss_g": 1e4}), "explosion", 400},
		{"ExplodedSpread", ring, hist(map[string]float64{"spread_ratio": 1.1}, map[string]float64{"spread_ratio": 45},
			map[string]float64{"spread_ratio": 45}, map[string]float64{"spread_ratio": 45}), "explosion", 400},
		{"SpreadOvershootOnce", ring, hist(map[string]float64{"spread_ratio": 12}, map[string]float64{"spread_ratio": 4},
			map[string]float64{"spread_ratio": 45}, map[string]float64{"spread_ratio": 1}), "", 0},
		// D wins from step 300; at 500 it has won three times in a row while
		// loss_g went from 1 to 5.
		{"DWins", ring, dRows(0.995, 0.004, 1, 3, 5, 8), "d_wins", 500},
		// loss_g stood at 0.7 before D won; it sinks back below that.
		{"DWinsButGLossFalls", ring, dRows(0.995, 0.004, 0.6, 0.5, 0.4, 0.3), "", 0},
		{"DAlmostWins", ring, dRows(0.97, 0.004, 1, 3, 5, 8), "", 0},
		{"DWinsWGANIgnored", Trial{Steps: 1000, Loss: "wgan"}, dRows(0.995, 0.004, 1, 3, 5, 8), "", 0},
		// A hinge D that meets both margins still passes G a gradient.
		{"DWinsHingeIgnored", Trial{Steps: 1000, Loss: "hinge"}, dRows(1.2, -1.5, 1, 3, 5, 8), "", 0},
		// On images classes count by mass too, while at most 3/4 of them
		// get any sample: 7 captured and hit, but mode_kl = ln(10/3),
		// three classes' worth (10·exp(−kl) = 3 ≤ 5), is collapse; with 9
		// of 10 hit it is uneven, not collapsed; on points mass is ignored.
		{"ImagesCollapseByMass", digits, classRows(1000, 0, 7, 7, 7, 7, 7, 7), "mode_collapse", 500},
		{"ImagesUnevenButBroad", digits, classRows(1000, 0, 9, 7, 7, 7, 7, 7), "", 0},
		{"PointsIgnoreMass", ring, classRows(1000, 0, 8, 8, 8, 8, 8, 8), "", 0},
		// ln 2 is exactly half the classes: collapsed; a little less is not.
		{"ImagesHalfByMass", digits, classRows(math.Log(2), 0, 7, 7, 7, 7, 7, 7), "mode_collapse", 500},
		{"ImagesHealthy", digits, classRows(math.Log(2)-0.01, 0, 7, 7, 7, 7, 7, 7), "", 0},
		// With the classes known, low recall in the classifier's features
		// (blurry but balanced digits) is no collapse.
		{"ImagesIgnoreRecall", digits, classRows(0.1, 1, 10, 10, 10, 10, 10, 10), "", 0},
		// Divergence outranks collapse at the same evaluation.
		{"Priority", ring, func() []Point {
			h := modes(0, 0, 0, 0)
			h[3].NonFinite = []string{"samples"}
			return h
		}(), "non_finite", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Replay(def, tt.trial, tt.h)
			if tt.wantDetector == "" {
				if v != nil {
					t.Errorf("got verdict %s at %d (%s), want none", v.Detector, v.Step, v.Message)
				}
				return
			}
			if v == nil || v.Detector != tt.wantDetector || v.Step != tt.wantStep {
				t.Fatalf("got %+v, want %s at step %d", v, tt.wantDetector, tt.wantStep)
			}
			if _, err := json.Marshal(v); err != nil {
				t.Errorf("verdict is not JSON: %v", err)
			}
		})
	}
}

// classRows: evaluations with classes_hit = hit and modes_captured as
// given, from the second one on with mode_kl = kl (the first is healthy:
// 0.05); with lowRecall, recall falls to 0.2 from the second one on (else
// 0.9).
func classRows(kl float64, lowRecall int, hit float64, captured ...float64) []Point {
	var rows []map[string]float64
	for i, n := range captured {
		r := map[string]float64{"modes_captured": n, "classes_hit": hit, "mode_kl": kl, "recall": 0.9}
		if i == 0 {
			r["mode_kl"] = 0.05
		} else if lowRecall == 1 {
			r["recall"] = 0.2
		}
		rows = append(rows, r)
	}
	return hist(rows...)
}

// dRows: two evaluations with D undecided, then four with D at the given
// outputs and loss_g taking the listed values.
func dRows(real, fake float64, lossG ...float64) []Point {
	rows := []map[string]float64{
		{"d_real": 0.6, "d_fake": 0.4, "loss_g": 0.7, "modes_captured": 8},
		{"d_real": 0.6, "d_fake": 0.4, "loss_g": 0.7, "modes_captured": 8},
	}
	for _, g := range lossG {
		rows = append(rows, map[string]float64{"d_real": real, "d_fake": fake, "loss_g": g, "modes_captured": 8})
	}
	return hist(rows...)
}

func TestVerdictEvidence(t *testing.T) {
	v := Judge(testDetect(), Trial{Steps: 1000, Modes: 8}, modes(2, 2, 2, 2, 2))
	if v == nil {
		t.Fatal("no verdict")
	}
	if v.Status != ganexp.StatusCollapsed || v.Evidence["modes_captured"] != 2.0 || v.Thresholds["max_modes"] != 4.0 {
		t.Errorf("verdict %+v", v)
	}
	if got, want := v.Message, "2 of 8 modes captured, at most 4 for 3 evaluations in a row"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	// Non-finite evidence still encodes.
	h := hist(map[string]float64{"loss_g": math.Inf(1)})
	h[0].NonFinite = []string{"loss_g"}
	e := Judge(testDetect(), Trial{Steps: 1000, Modes: 8}, h)
	if b, err := json.Marshal(e); err != nil || e.Detector != "non_finite" {
		t.Errorf("%s %v", b, err)
	}
}

func TestPatience(t *testing.T) {
	c := ganexp.DefaultDetect() // patience 6
	tests := []struct {
		name         string
		steps, every int
		configured   int
		want         int
	}{
		{"LongRun", 3000, 100, 6, 6},   // 30 evaluations: a fifth is 6
		{"MediumRun", 2000, 100, 6, 4}, // 20 evaluations: a fifth is 4
		{"ShortRun", 1500, 250, 6, 3},  // 6 evaluations: at least 3
		{"Configured", 3000, 100, 2, 2},
		{"UnknownCadence", 3000, 0, 6, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.Patience = tt.configured
			if got := Patience(c, Trial{Steps: tt.steps, EvalEvery: tt.every}); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}
