package reports

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
)

// Format is an output format of the report commands.
type Format string

// The formats.
const (
	Table Format = "table"
	CSV   Format = "csv"
	JSON  Format = "json"
)

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case Table, CSV, JSON:
		return f, nil
	}
	return "", ganexp.Inputf("--format", "valid: table, csv, json", "unknown format %q", s)
}

// num renders a metric for tables: "-" for no value.
func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e6 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// jnum is a float for JSON: null for no value.
func jnum(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

func direction(m ganexp.MetricInfo) string {
	switch m.Better {
	case ganexp.HigherIsBetter:
		return "higher is better"
	case ganexp.LowerIsBetter:
		return "lower is better"
	}
	return "lower first"
}

func newTab(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
}

func row(w io.Writer, cells []string) {
	fmt.Fprintln(w, strings.Join(cells, "\t"))
}

func paramStrings(ps []ganexp.Param, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		if v := paramValue(ps, n); v != nil {
			out[i] = ganexp.FormatValue(v)
		} else {
			out[i] = "-"
		}
	}
	return out
}

func paramMap(ps []ganexp.Param) map[string]any {
	m := make(map[string]any, len(ps))
	for _, p := range ps {
		m[p.Name] = p.Value
	}
	return m
}

func allParamNames(rows []db.TrialRow) []string {
	var names []string
	seen := map[string]bool{}
	for _, r := range rows {
		for _, p := range r.Params {
			if !seen[p.Name] {
				seen[p.Name] = true
				names = append(names, p.Name)
			}
		}
	}
	return names
}

// WriteTrials renders ranked trials, the first top of them (all if top ≤ 0).
func WriteTrials(w io.Writer, f Format, ranked []db.TrialRow, rk Ranking, top int) error {
	total := len(ranked)
	// The columns are the factors of every trial ranked, shown or not.
	names := Varying(ranked)
	if top > 0 && len(ranked) > top {
		ranked = ranked[:top]
	}
	cols := rk.Columns()
	switch f {
	case JSON:
		out := make([]map[string]any, len(ranked))
		for i, r := range ranked {
			vals := map[string]any{}
			for _, c := range cols {
				vals[c] = jnum(value(r, c))
			}
			out[i] = map[string]any{
				"rank": i + 1, "key": r.Key, "sweep": r.Sweep, "status": r.Status, "seed": r.Seed,
				"steps_done": r.StepsDone, "params": paramMap(r.Params), "metrics": vals, "ranked_by": rk.Names(),
			}
			if r.Verdict != "" {
				out[i]["verdict"] = verdictRecord(r)
			}
		}
		return writeJSON(w, out)
	case CSV:
		names := allParamNames(ranked)
		cw := csv.NewWriter(w)
		cw.Write(append(append(append([]string{"rank", "key", "sweep", "status", "seed", "steps_done"}, names...), cols...), "verdict", "verdict_step"))
		for i, r := range ranked {
			rec := []string{strconv.Itoa(i + 1), r.Key, r.Sweep, string(r.Status), strconv.FormatInt(r.Seed, 10), strconv.Itoa(r.StepsDone)}
			rec = append(rec, paramStrings(r.Params, names)...)
			for _, c := range cols {
				rec = append(rec, csvNum(value(r, c)))
			}
			step := ""
			if r.Verdict != "" {
				step = strconv.Itoa(r.VerdictStep)
			}
			cw.Write(append(rec, r.Verdict, step))
		}
		cw.Flush()
		return cw.Error()
	}
	fmt.Fprintln(w, "trials ranked by "+rk.String())
	if len(ranked) < total {
		fmt.Fprintf(w, "showing the first %d of %d trials (--top 0 for all)\n", len(ranked), total)
	}
	verdicts := anyVerdict(ranked)
	tw := newTab(w)
	head := append(append(append([]string{"rank", "key", "status"}, names...), "seed"), cols...)
	if verdicts {
		head = append(head, "verdict")
	}
	row(tw, head)
	for i, r := range ranked {
		cells := append([]string{strconv.Itoa(i + 1), r.Key, string(r.Status)}, paramStrings(r.Params, names)...)
		cells = append(cells, strconv.FormatInt(r.Seed, 10))
		for _, c := range cols {
			cells = append(cells, num(value(r, c)))
		}
		if verdicts {
			cells = append(cells, verdictText(r))
		}
		row(tw, cells)
	}
	return tw.Flush()
}

func csvNum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Best is a ranking of configurations to render: overall (Factor "") in
// one group, or per level of Factor, each group cut to Top (all if ≤ 0).
type Best struct {
	Groups  []Group
	Ranking Ranking
	Factor  string
	Top     int
	Rows    []db.TrialRow // every trial ranked, for the columns
}

// Shown cuts each group to Top and returns the groups, the configurations
// shown and the configurations in all.
func (b Best) Shown() (groups []Group, shown, total int) {
	for _, g := range b.Groups {
		total += len(g.Configs)
		if b.Top > 0 && len(g.Configs) > b.Top {
			g.Configs = g.Configs[:b.Top]
		}
		shown += len(g.Configs)
		groups = append(groups, g)
	}
	return groups, shown, total
}

// rankLabel numbers the ith configuration of the gth group: groups are
// ranked by their best, so with one per group the rank is the group's.
func (b Best) rankLabel(g, i int) string {
	switch {
	case b.Factor == "":
		return strconv.Itoa(i + 1)
	case b.Top == 1:
		return strconv.Itoa(g + 1)
	}
	return fmt.Sprintf("%d.%d", g+1, i+1)
}

// WriteBest renders the best configurations.
func WriteBest(w io.Writer, f Format, b Best) error {
	groups, shown, total := b.Shown()
	rk := b.Ranking
	cols := rk.Columns()
	switch f {
	case JSON:
		out := []map[string]any{}
		for gi, g := range groups {
			for i, c := range g.Configs {
				out = append(out, bestRecord(b, gi, g, i, c))
			}
		}
		return writeJSON(w, out)
	case CSV:
		names := allParamNames(b.Rows)
		cw := csv.NewWriter(w)
		head := []string{"rank"}
		if b.Factor != "" {
			head = append(head, "group")
		}
		head = append(head, names...)
		head = append(head, "seeds", rk.Metric()+"_mean", rk.Metric()+"_sd")
		for _, c := range cols[1:] {
			head = append(head, c+"_mean")
		}
		cw.Write(append(head, "statuses", "trials"))
		for gi, g := range groups {
			for i, c := range g.Configs {
				rec := []string{b.rankLabel(gi, i)}
				if b.Factor != "" {
					rec = append(rec, g.Level)
				}
				rec = append(rec, paramStrings(c.Params, names)...)
				rec = append(rec, strconv.Itoa(len(c.Trials)), csvNum(c.Mean), csvNum(c.SD))
				for _, m := range cols[1:] {
					rec = append(rec, csvNum(c.MeanOf(m)))
				}
				cw.Write(append(rec, c.StatusText(), trialKeys(c)))
			}
		}
		cw.Flush()
		return cw.Error()
	}
	if b.Factor == "" {
		fmt.Fprintf(w, "best configurations, ranked by the mean over seeds of %s\n", rk)
		if shown < total {
			fmt.Fprintf(w, "showing the best %d of %d configurations (--top 0 for all)\n", shown, total)
		}
	} else {
		fmt.Fprintf(w, "best configuration per %s, ranked by the mean over seeds of %s\n", b.Factor, rk)
		if shown < total {
			per := "the best configuration"
			if b.Top > 1 {
				per = fmt.Sprintf("the best %d configurations", b.Top)
			}
			fmt.Fprintf(w, "showing %s of each %s: %d of %d configurations (--top K for more per %s, --top 0 for all)\n", per, b.Factor, shown, total, b.Factor)
		}
	}
	names := Varying(b.Rows)
	if b.Factor != "" {
		names = moveFirst(names, b.Factor)
	}
	tw := newTab(w)
	head := append([]string{"rank"}, names...)
	head = append(head, "seeds", rk.Metric()+" (mean ± sd)")
	for _, c := range cols[1:] {
		head = append(head, c+" (mean)")
	}
	row(tw, append(head, "status", "trials"))
	for gi, g := range groups {
		for i, c := range g.Configs {
			cells := append([]string{b.rankLabel(gi, i)}, paramStrings(c.Params, names)...)
			cells = append(cells, strconv.Itoa(len(c.Trials)), meanSDText(c))
			for _, m := range cols[1:] {
				cells = append(cells, num(c.MeanOf(m)))
			}
			row(tw, append(cells, c.StatusText(), shortKeys(c)))
		}
	}
	return tw.Flush()
}

func moveFirst(names []string, first string) []string {
	out := []string{first}
	for _, n := range names {
		if n != first {
			out = append(out, n)
		}
	}
	return out
}

func meanSDText(c Config) string {
	if c.N == 0 {
		return "-"
	}
	if math.IsNaN(c.SD) {
		return num(c.Mean)
	}
	return num(c.Mean) + " ± " + num(c.SD)
}

func trialKeys(c Config) string {
	keys := make([]string, len(c.Trials))
	for i, t := range c.Trials {
		keys[i] = t.Key
	}
	return strings.Join(keys, " ")
}

func shortKeys(c Config) string {
	keys := make([]string, len(c.Trials))
	for i, t := range c.Trials {
		keys[i] = t.Key[:min(8, len(t.Key))]
	}
	return strings.Join(keys, " ")
}

func bestRecord(b Best, gi int, g Group, i int, c Config) map[string]any {
	keys := make([]string, len(c.Trials))
	for j, t := range c.Trials {
		keys[j] = t.Key
	}
	statuses := map[string]int{}
	for s, n := range c.Statuses {
		statuses[string(s)] = n
	}
	means := map[string]any{}
	for _, m := range b.Ranking.Columns() {
		means[m] = jnum(c.MeanOf(m))
	}
	rank := i + 1
	if b.Factor != "" {
		rank = gi + 1 // the level's rank; rank_in_group orders within it
	}
	rec := map[string]any{
		"rank": rank, "params": paramMap(c.Params), "metric": b.Ranking.Metric(),
		"ranked_by": b.Ranking.Names(), "mean": jnum(c.Mean), "sd": jnum(c.SD), "n": c.N,
		"means": means, "statuses": statuses, "trials": keys,
	}
	if b.Factor != "" {
		rec["group"] = g.Level
		rec["rank_in_group"] = i + 1
	}
	return rec
}

func verdictRecord(r db.TrialRow) map[string]any {
	return map[string]any{"detector": r.Verdict, "step": r.VerdictStep, "message": r.VerdictMessage, "steps_saved": r.StepsSaved}
}
