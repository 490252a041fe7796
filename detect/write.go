package detect

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/ganexp/ganexp"
)

var verdictOrder = []ganexp.Status{ganexp.StatusCompleted, ganexp.StatusCollapsed, ganexp.StatusDiverged}

func verdictName(s ganexp.Status) string {
	if s == ganexp.StatusCompleted {
		return "healthy"
	}
	return string(s)
}

// WriteScore prints a detect-eval score: per-verdict precision, recall
// and F1 with lead times, for the settled runs and for all, the confusion
// matrix, the compute saved, and with verbose every misjudged run; as a
// table, or as one JSON object.
func WriteScore(w io.Writer, asJSON bool, title string, s Score, verbose bool) error {
	settled := s.Settled()
	if asJSON {
		rec := detectEvalRecord(title, s)
		rec["settled"] = detectEvalRecord(title+" (settled runs)", settled)
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rec)
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

func writeClasses(w io.Writer, s Score) {
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

func detectEvalRecord(title string, s Score) map[string]any {
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

func newTab(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

func row(w io.Writer, cells []string) { fmt.Fprintln(w, strings.Join(cells, "\t")) }

// num renders a count or a lead time: "-" for none.
func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e6 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// jnum is a float for JSON: null for none.
func jnum(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}
