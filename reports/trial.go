package reports

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
)

// headline are the final metrics shown in trial lists.
var headline = []string{"modes_captured", "balanced_hq", "hq_fraction", "mmd2"}

// WriteRuns lists trials in plan order, with a column for each parameter
// named in factors: the ones that vary in the sweep, even where they are
// the same in every row listed (say, those with one status). The table and
// the CSV have the same columns, the CSV with numbers in full and the time
// in seconds, and always the verdict.
func WriteRuns(w io.Writer, f Format, rows []db.TrialRow, factors []string) error {
	head := append(append(append([]string{"key", "sweep", "status", "steps", "time"}, factors...), "seed"), headline...)
	cells := func(r db.TrialRow, csv bool) []string {
		c := []string{r.Key, r.Sweep, string(r.Status), fmt.Sprintf("%d/%d", r.StepsDone, r.StepsTotal)}
		if csv {
			c = append(c, csvDuration(r.DurationS))
		} else {
			c = append(c, duration(r.DurationS))
		}
		c = append(c, paramStrings(r.Params, factors)...)
		c = append(c, strconv.FormatInt(r.Seed, 10))
		for _, m := range headline {
			if csv {
				c = append(c, csvNum(value(r, m)))
			} else {
				c = append(c, num(value(r, m)))
			}
		}
		return c
	}
	switch f {
	case JSON:
		out := make([]map[string]any, len(rows))
		for i, r := range rows {
			out[i] = trialRecord(r)
		}
		return writeJSON(w, out)
	case CSV:
		cw := csv.NewWriter(w)
		cw.Write(append(head, "verdict"))
		for _, r := range rows {
			v := ""
			if r.Verdict != "" {
				v = verdictText(r)
			}
			cw.Write(append(cells(r, true), v))
		}
		cw.Flush()
		return cw.Error()
	}
	verdicts := anyVerdict(rows)
	tw := newTab(w)
	if verdicts {
		head = append(head, "verdict")
	}
	row(tw, head)
	for _, r := range rows {
		c := cells(r, false)
		if verdicts {
			c = append(c, verdictText(r))
		}
		row(tw, c)
	}
	return tw.Flush()
}

func csvDuration(d *float64) string {
	if d == nil {
		return ""
	}
	return strconv.FormatFloat(*d, 'g', -1, 64)
}

func anyVerdict(rows []db.TrialRow) bool {
	for _, r := range rows {
		if r.Verdict != "" {
			return true
		}
	}
	return false
}

// verdictText renders a verdict for tables: "mode_collapse@300: 1 of 8
// modes captured, …".
func verdictText(r db.TrialRow) string {
	if r.Verdict == "" {
		return "-"
	}
	return fmt.Sprintf("%s@%d: %s", r.Verdict, r.VerdictStep, r.VerdictMessage)
}

func duration(d *float64) string {
	if d == nil {
		return "-"
	}
	s := *d
	if s < 60 {
		return fmt.Sprintf("%.1fs", s)
	}
	return fmt.Sprintf("%dm%02ds", int(s)/60, int(s)%60)
}

func trialRecord(r db.TrialRow) map[string]any {
	finals := map[string]any{}
	for _, m := range r.Metrics {
		finals[m.Name] = jnum(value(r, m.Name))
	}
	rec := map[string]any{
		"key": r.Key, "sweep": r.Sweep, "status": r.Status, "seed": r.Seed,
		"steps_done": r.StepsDone, "steps_total": r.StepsTotal, "attempts": r.Attempts, "kernel": r.Kernel,
		"started_at": r.StartedAt, "finished_at": r.FinishedAt, "duration_s": r.DurationS,
		"params": paramMap(r.Params), "final": finals,
	}
	if r.Error != "" {
		rec["error"] = r.Error
	}
	if r.Verdict != "" {
		rec["verdict"] = verdictRecord(r)
	}
	return rec
}

// TrialDetail is everything `ganexp show` prints about one trial.
type TrialDetail struct {
	Trial  db.TrialRow
	Series map[string][]db.Point
	Events []db.Event
}

// WriteTrial renders one trial in detail: status, params, final metrics,
// events, the metric curves and any error.
func WriteTrial(w io.Writer, f Format, d TrialDetail) error {
	r := d.Trial
	if f == JSON {
		rec := trialRecord(r)
		series := map[string]any{}
		for name, pts := range d.Series {
			rows := make([][]any, len(pts))
			for i, p := range pts {
				rows[i] = []any{p.Step, pointValue(p), p.WallS}
			}
			series[name] = rows
		}
		rec["series"] = series
		events := make([]map[string]any, len(d.Events))
		for i, e := range d.Events {
			events[i] = map[string]any{"step": e.Step, "kind": e.Kind, "detail": json.RawMessage(e.Detail), "at": e.CreatedAt}
		}
		rec["events"] = events
		return writeJSON(w, rec)
	}
	fmt.Fprintf(w, "trial %s (sweep %s, seed %d)\n", r.Key, r.Sweep, r.Seed)
	fmt.Fprintf(w, "status: %s at step %d/%d, attempt %d\n", r.Status, r.StepsDone, r.StepsTotal, r.Attempts)
	if r.Verdict != "" {
		fmt.Fprintf(w, "verdict: %s by %s at step %d: %s", r.Status, r.Verdict, r.VerdictStep, r.VerdictMessage)
		if r.StepsSaved > 0 {
			fmt.Fprintf(w, "; stopping there saved %d steps", r.StepsSaved)
		}
		fmt.Fprintln(w, " (evidence and thresholds under events)")
	}
	if r.StartedAt != "" {
		fmt.Fprintf(w, "ran: %s to %s (%s)", r.StartedAt, orDash(r.FinishedAt), duration(r.DurationS))
		if r.Kernel != "" {
			fmt.Fprintf(w, ", matrix kernel %s", r.Kernel)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "\nparams:")
	tw := newTab(w)
	for _, p := range r.Params {
		row(tw, []string{"  " + p.Name, ganexp.FormatValue(p.Value)})
	}
	tw.Flush()
	fmt.Fprintln(w, "\nfinal metrics:")
	tw = newTab(w)
	for _, m := range r.Metrics {
		row(tw, []string{"  " + m.Name, num(value(r, m.Name)), m.Doc})
	}
	tw.Flush()
	if len(d.Events) > 0 {
		fmt.Fprintln(w, "\nevents:")
		tw = newTab(w)
		for _, e := range d.Events {
			row(tw, []string{fmt.Sprintf("  step %d", e.Step), e.Kind, e.Detail})
		}
		tw.Flush()
	}
	if len(d.Series) > 0 {
		fmt.Fprintln(w, "\ncurves:")
		writeCurves(w, d.Series, r.Metrics)
	}
	if r.Error != "" {
		fmt.Fprintf(w, "\nerror:\n  %s\n", strings.ReplaceAll(strings.TrimRight(r.Error, "\n"), "\n", "\n  "))
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func pointValue(p db.Point) any {
	if p.Value == nil {
		return nil
	}
	return *p.Value
}

// writeCurves prints the series as one table with a row per step.
func writeCurves(w io.Writer, series map[string][]db.Point, ms ganexp.MetricSet) {
	var names []string
	for _, m := range ms {
		if _, ok := series[m.Name]; ok {
			names = append(names, m.Name)
		}
	}
	byStep := map[int]map[string]float64{}
	var steps []int
	wall := map[int]float64{}
	for name, pts := range series {
		for _, p := range pts {
			if byStep[p.Step] == nil {
				byStep[p.Step] = map[string]float64{}
				steps = append(steps, p.Step)
			}
			v := math.NaN()
			if p.Value != nil {
				v = *p.Value
			}
			byStep[p.Step][name] = v
			wall[p.Step] = p.WallS
		}
	}
	slices.Sort(steps)
	tw := newTab(w)
	row(tw, append(append([]string{"  step"}, names...), "wall_s"))
	for _, s := range steps {
		cells := []string{"  " + strconv.Itoa(s)}
		for _, n := range names {
			v, ok := byStep[s][n]
			if !ok {
				v = math.NaN()
			}
			cells = append(cells, num(v))
		}
		row(tw, append(cells, strconv.FormatFloat(wall[s], 'f', 1, 64)))
	}
	tw.Flush()
}

// WriteSweeps lists sweeps with their trials per status: a column per
// status in the table and CSV, an object of counts in JSON.
func WriteSweeps(w io.Writer, f Format, rows []db.SweepRow) error {
	switch f {
	case JSON:
		out := make([]map[string]any, len(rows))
		for i, r := range rows {
			counts := map[string]int{}
			for s, n := range r.Statuses {
				counts[string(s)] = n
			}
			out[i] = map[string]any{"name": r.Name, "file": r.ConfigPath, "created_at": r.CreatedAt,
				"updated_at": r.UpdatedAt, "trials": r.Trials, "statuses": counts}
		}
		return writeJSON(w, out)
	case CSV:
		cw := csv.NewWriter(w)
		head := []string{"name", "file", "trials"}
		for _, s := range ganexp.Statuses {
			head = append(head, string(s))
		}
		cw.Write(append(head, "updated_at"))
		for _, r := range rows {
			rec := []string{r.Name, r.ConfigPath, strconv.Itoa(r.Trials)}
			for _, s := range ganexp.Statuses {
				rec = append(rec, strconv.Itoa(r.Statuses[s]))
			}
			cw.Write(append(rec, r.UpdatedAt))
		}
		cw.Flush()
		return cw.Error()
	}
	tw := newTab(w)
	head := []string{"sweep", "file", "trials"}
	for _, s := range ganexp.Statuses {
		head = append(head, string(s))
	}
	row(tw, append(head, "last run"))
	for _, r := range rows {
		cells := []string{r.Name, r.ConfigPath, strconv.Itoa(r.Trials)}
		for _, s := range ganexp.Statuses {
			cells = append(cells, strconv.Itoa(r.Statuses[s]))
		}
		row(tw, append(cells, r.UpdatedAt))
	}
	return tw.Flush()
}
