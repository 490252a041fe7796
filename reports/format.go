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

// order says how a ranking is ordered: "modes_captured (higher is
// better; ties by mmd2)".
func order(metric string) string {
	m, _ := ganexp.LookupMetric(metric)
	if metric == TieBreak {
		return fmt.Sprintf("%s (%s)", metric, direction(m))
	}
	return fmt.Sprintf("%s (%s; ties by %s)", metric, direction(m), TieBreak)
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
func WriteTrials(w io.Writer, f Format, ranked []db.TrialRow, metric string, top int) error {
	if top > 0 && len(ranked) > top {
		ranked = ranked[:top]
	}
	cols := []string{metric}
	if metric != TieBreak {
		cols = append(cols, TieBreak)
	}
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
				"steps_done": r.StepsDone, "params": paramMap(r.Params), "metrics": vals,
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
	fmt.Fprintln(w, "trials ranked by "+order(metric))
	names := Varying(ranked)
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

// WriteBest renders the best configurations of each group, top per group
// (all if top ≤ 0). factor is "" for one overall group.
func WriteBest(w io.Writer, f Format, groups []Group, metric, factor string, top int, rows []db.TrialRow) error {
	for i := range groups {
		if top > 0 && len(groups[i].Configs) > top {
			groups[i].Configs = groups[i].Configs[:top]
		}
	}
	switch f {
	case JSON:
		var out []map[string]any
		for _, g := range groups {
			for i, c := range g.Configs {
				out = append(out, bestRecord(g, i, c, metric, factor))
			}
		}
		if out == nil {
			out = []map[string]any{}
		}
		return writeJSON(w, out)
	case CSV:
		names := allParamNames(rows)
		cw := csv.NewWriter(w)
		head := []string{"rank"}
		if factor != "" {
			head = append(head, "group")
		}
		head = append(head, names...)
		head = append(head, "seeds", metric+"_mean", metric+"_sd", TieBreak+"_mean", "statuses", "trials")
		cw.Write(head)
		for _, g := range groups {
			for i, c := range g.Configs {
				rec := []string{strconv.Itoa(i + 1)}
				if factor != "" {
					rec = append(rec, g.Level)
				}
				rec = append(rec, paramStrings(c.Params, names)...)
				rec = append(rec, strconv.Itoa(len(c.Trials)), csvNum(c.Mean), csvNum(c.SD), csvNum(c.TieMean), c.StatusText(), trialKeys(c))
				cw.Write(rec)
			}
		}
		cw.Flush()
		return cw.Error()
	}
	if factor == "" {
		fmt.Fprintf(w, "best configurations, ranked by the mean over seeds of %s\n", order(metric))
	} else {
		fmt.Fprintf(w, "best configuration per %s, ranked by the mean over seeds of %s\n", factor, order(metric))
	}
	names := Varying(rows)
	if factor != "" {
		names = moveFirst(names, factor)
	}
	tw := newTab(w)
	head := append([]string{"rank"}, names...)
	head = append(head, "seeds", metric+" (mean ± sd)")
	if metric != TieBreak {
		head = append(head, TieBreak+" (mean)")
	}
	row(tw, append(head, "status", "trials"))
	for _, g := range groups {
		for i, c := range g.Configs {
			cells := append([]string{strconv.Itoa(i + 1)}, paramStrings(c.Params, names)...)
			cells = append(cells, strconv.Itoa(len(c.Trials)), meanSDText(c))
			if metric != TieBreak {
				cells = append(cells, num(c.TieMean))
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

func bestRecord(g Group, i int, c Config, metric, factor string) map[string]any {
	keys := make([]string, len(c.Trials))
	for j, t := range c.Trials {
		keys[j] = t.Key
	}
	statuses := map[string]int{}
	for s, n := range c.Statuses {
		statuses[string(s)] = n
	}
	rec := map[string]any{
		"rank": i + 1, "params": paramMap(c.Params), "metric": metric,
		"mean": jnum(c.Mean), "sd": jnum(c.SD), "n": c.N,
		TieBreak + "_mean": jnum(c.TieMean), "statuses": statuses, "trials": keys,
	}
	if factor != "" {
		rec["group"] = g.Level
	}
	return rec
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

func verdictRecord(r db.TrialRow) map[string]any {
	return map[string]any{"detector": r.Verdict, "step": r.VerdictStep, "message": r.VerdictMessage, "steps_saved": r.StepsSaved}
}
