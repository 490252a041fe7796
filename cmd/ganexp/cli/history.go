package cli

import (
	"encoding/json"
	"math"
	"slices"

	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/detect"
)

// history rebuilds what the detectors saw of a trial from its stored
// metrics (NULL read as NaN) and its first non_finite event, which also
// names non-finite samples and parameters.
func history(series map[string][]db.Point, events []db.Event) []detect.Point {
	byStep := map[int]*detect.Point{}
	var steps []int
	for name, pts := range series {
		for _, p := range pts {
			dp := byStep[p.Step]
			if dp == nil {
				dp = &detect.Point{Step: p.Step, Values: map[string]float64{}}
				byStep[p.Step] = dp
				steps = append(steps, p.Step)
			}
			v := math.NaN()
			if p.Value != nil {
				v = *p.Value
			}
			dp.Values[name] = v
		}
	}
	slices.Sort(steps)
	out := make([]detect.Point, len(steps))
	for i, s := range steps {
		out[i] = *byStep[s]
		for _, m := range []string{"loss_d", "loss_g", "grad_norm_d", "grad_norm_g"} {
			if v, ok := out[i].Values[m]; ok && math.IsNaN(v) {
				out[i].NonFinite = append(out[i].NonFinite, m)
			}
		}
	}
	for _, e := range events {
		if e.Kind != "non_finite" {
			continue
		}
		var d struct {
			NonFinite []string `json:"non_finite"`
		}
		if json.Unmarshal([]byte(e.Detail), &d) != nil {
			continue
		}
		for i := range out {
			if out[i].Step == e.Step {
				for _, n := range d.NonFinite {
					if !slices.Contains(out[i].NonFinite, n) {
						out[i].NonFinite = append(out[i].NonFinite, n)
					}
				}
			}
		}
	}
	return out
}
