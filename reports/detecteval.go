package reports

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/detect"
)

// History rebuilds what the detectors saw of a trial from its stored
// metrics (NULL read as NaN) and its first non_finite event, which also
// names non-finite samples and parameters.
func History(series map[string][]db.Point, events []db.Event) []detect.Point {
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
		if jsonUnmarshal(e.Detail, &d) != nil {
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

var verdictOrder = []ganexp.Status{ganexp.StatusCompleted, ganexp.StatusCollapsed, ganexp.StatusDiverged}

func verdictName(s ganexp.Status) string {
	if s == ganexp.StatusCompleted {
		return "healthy"
	}
	return string(s)
}

// WriteDetectEval prints a detect-eval score: per-verdict precision,
// recall and F1 with lead times, for the settled runs and for all, the
// confusion matrix, the compute saved, and with verbose every misjudged
// run.
func WriteDetectEval(w io.Writer, f Format, title string, s detect.Score, verbose bool) error {
	settled := s.Settled()
	if f == JSON {
		rec := detectEvalRecord(title, s)
		rec["settled"] = detectEvalRecord(title+" (settled runs)", settled)
		return writeJSON(w, rec)
	}
	counts := map[ganexp.Status]int{}
	for _, c := range s.Cases {
		counts[c.Truth]++
	}
	fmt.Fprintf(w, "%s: %d runs, labelled %d healthy, %d collapsed, %d diverged\n",
		title, len(s.Cases), counts[ganexp.StatusCompleted], counts[ganexp.StatusCollapsed], counts[ganexp.StatusDiverged])
	fmt.Fprintf(w, "settled runs (the label held over the last 30%% of training): %d\n", len(settled.Cases))
	writeClasses(w, settled)
	fmt.Fprintf(w, "all runs: %d\n", len(s.Cases))
	writeClasses(w, s)
	fmt.Fprintln(w, "confusion, all runs (rows: label, columns: verdict):")
	tw := newTab(w)
	row(tw, []string{"", "none", "collapsed", "diverged"})
	for _, truth := range verdictOrder {
		cells := []string{"  " + verdictName(truth)}
		for _, pred := range verdictOrder {
			cells = append(cells, strconv.Itoa(s.Confusion[truth][pred]))
		}
		row(tw, cells)
	}
	tw.Flush()
	fmt.Fprintf(w, "stopping at every verdict saves %.1f%% of the %d planned steps\n", 100*float64(s.Saved)/float64(max(s.Steps, 1)), s.Steps)
	if !verbose {
		return nil
	}
	fmt.Fprintln(w, "misjudged:")
	tw = newTab(w)
	for _, c := range s.Cases {
		pred, why := ganexp.StatusCompleted, ""
		if c.Verdict != nil {
			pred, why = c.Verdict.Status, fmt.Sprintf("%s at %d: %s", c.Verdict.Detector, c.Verdict.Step, c.Verdict.Message)
		}
		if pred == c.Truth {
			continue
		}
		settledText := "settled"
		if !c.Settled {
			settledText = "unsettled"
		}
		row(tw, []string{"  " + c.Key, "label " + verdictName(c.Truth) + " (" + c.Why + ", " + settledText + ")", "verdict " + verdictName(pred), why})
	}
	return tw.Flush()
}

func writeClasses(w io.Writer, s detect.Score) {
	tw := newTab(w)
	row(tw, []string{"  verdict", "precision", "recall", "F1", "TP", "FP", "FN", "median lead (steps before the end)"})
	for _, c := range s.Classes {
		row(tw, []string{"  " + string(c.Status), fixed(c.Precision), fixed(c.Recall), fixed(c.F1),
			strconv.Itoa(c.TP), strconv.Itoa(c.FP), strconv.Itoa(c.FN), num(c.MedianLead)})
	}
	tw.Flush()
}

func fixed(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

func detectEvalRecord(title string, s detect.Score) map[string]any {
	classes := map[string]any{}
	for _, c := range s.Classes {
		classes[string(c.Status)] = map[string]any{
			"precision": jnum(c.Precision), "recall": jnum(c.Recall), "f1": jnum(c.F1),
			"tp": c.TP, "fp": c.FP, "fn": c.FN, "median_lead_steps": jnum(c.MedianLead),
		}
	}
	confusion := map[string]map[string]int{}
	for _, truth := range verdictOrder {
		confusion[verdictName(truth)] = map[string]int{}
		for _, pred := range verdictOrder {
			confusion[verdictName(truth)][verdictName(pred)] = s.Confusion[truth][pred]
		}
	}
	var cases []map[string]any
	for _, c := range s.Cases {
		rec := map[string]any{"key": c.Key, "label": verdictName(c.Truth), "why": c.Why, "settled": c.Settled, "verdict": "healthy"}
		if c.Verdict != nil {
			rec["verdict"], rec["detector"], rec["step"] = verdictName(c.Verdict.Status), c.Verdict.Detector, c.Verdict.Step
		}
		cases = append(cases, rec)
	}
	return map[string]any{
		"title": title, "runs": len(s.Cases), "classes": classes, "confusion": confusion,
		"planned_steps": s.Steps, "saved_steps": s.Saved, "cases": cases,
	}
}
