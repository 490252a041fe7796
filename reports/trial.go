package reports

import (
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
// the same in every row listed (say, those with one status).
func WriteRuns(w io.Writer, f Format, rows []db.TrialRow, factors []string) error {
	switch f {
	case JSON:
		out := make([]map[string]any, len(rows))
		for i, r := range rows {
			out[i] = trialRecord(r)
		}
		return writeJSON(w, out)
	case CSV:
		return WriteTrials(w, CSV, rows, DefaultRanking(rows), 0)
	}
	names := factors
	verdicts := anyVerdict(rows)
	tw := newTab(w)
	head := append(append(append([]string{"key", "sweep", "status", "steps", "time"}, names...), "seed"), headline...)
	if verdicts {
		head = append(head, "verdict")
	}
	row(tw, head)
	for _, r := range rows {
		cells := []string{r.Key, r.Sweep, string(r.Status), fmt.Sprintf("%d/%d", r.StepsDone, r.StepsTotal), duration(r.DurationS)}
		cells = append(cells, paramStrings(r.Params, names)...)
		cells = append(cells, strconv.FormatInt(r.Seed, 10))
		for _, m := range headline {
			cells = append(cells, num(value(r, m)))
		}
		if verdicts {
			cells = append(cells, verdictText(r))
		}
		row(tw, cells)
	}
	return tw.Flush()
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
	for _, m := range ganexp.Metrics {
		finals[m.Name] = jnum(value(r, m.Name))
	}
	rec := map[string]any{
		"key": r.Key, "sweep": r.Sweep, "status": r.Status, "seed": r.Seed,
		"steps_done": r.StepsDone, "steps_total": r.StepsTotal, "attempts": r.Attempts,
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
		fmt.Fprintf(w, "ran: %s to %s (%s)\n", r.StartedAt, orDash(r.FinishedAt), duration(r.DurationS))
	}
	fmt.Fprintln(w, "\nparams:")
	tw := newTab(w)
	for _, p := range r.Params {
		row(tw, []string{"  " + p.Name, ganexp.FormatValue(p.Value)})
	}
	tw.Flush()
	fmt.Fprintln(w, "\nfinal metrics:")
	tw = newTab(w)
	for _, m := range ganexp.Metrics {
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
		writeCurves(w, d.Series)
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
func writeCurves(w io.Writer, series map[string][]db.Point) {
	var names []string
	for _, m := range ganexp.Metrics {
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
