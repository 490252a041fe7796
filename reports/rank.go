// Package reports turns stored trials into rankings, tables and (later)
// plots. It only reads.
package reports

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
)

// TieBreak is the metric that orders trials whose main metric is equal,
// which happens often for modes_captured.
const TieBreak = "mmd2"

// DefaultMetric picks the ranking metric when the user gives none:
// modes_captured where the data has known modes, mmd2 otherwise.
func DefaultMetric(rows []db.TrialRow) string {
	for _, r := range rows {
		if r.Final["modes_captured"] != nil {
			return "modes_captured"
		}
	}
	return "mmd2"
}

// CheckMetric returns the metric called name, or an input error listing
// the valid ones.
func CheckMetric(name string) (ganexp.MetricInfo, error) {
	m, ok := ganexp.LookupMetric(name)
	if !ok {
		return m, ganexp.Inputf("--metric", "valid: "+strings.Join(ganexp.MetricNames(), ", "), "unknown metric %q", name)
	}
	return m, nil
}

// better reports whether a ranks before b on metric m, with NaN (no
// value) last. Neutral metrics rank lower first.
func better(m ganexp.MetricInfo, a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	if m.Better == ganexp.HigherIsBetter {
		return cmp.Compare(b, a)
	}
	return cmp.Compare(a, b)
}

func value(r db.TrialRow, metric string) float64 {
	if v := r.Final[metric]; v != nil {
		return *v
	}
	return math.NaN()
}

// RankTrials orders trials best first by metric, then TieBreak, then key.
func RankTrials(rows []db.TrialRow, metric string) []db.TrialRow {
	m, _ := ganexp.LookupMetric(metric)
	tb, _ := ganexp.LookupMetric(TieBreak)
	out := slices.Clone(rows)
	slices.SortStableFunc(out, func(a, b db.TrialRow) int {
		if c := better(m, value(a, metric), value(b, metric)); c != 0 {
			return c
		}
		if c := better(tb, value(a, TieBreak), value(b, TieBreak)); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return out
}

// Config is one configuration (all parameters but the seed) with its
// metric aggregated over seeds.
type Config struct {
	ID       string // key of its first trial, a stable handle
	Params   []ganexp.Param
	Trials   []db.TrialRow
	N        int     // trials with a value of the metric
	Mean, SD float64 // NaN when N = 0; SD is NaN when N < 2
	TieMean  float64 // mean of TieBreak
	Statuses map[ganexp.Status]int
}

// StatusText renders the status counts, e.g. "2 completed, 1 collapsed".
func (c Config) StatusText() string {
	var parts []string
	for _, s := range ganexp.Statuses {
		if n := c.Statuses[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	return strings.Join(parts, ", ")
}

// GroupConfigs groups trials that differ only in seed.
func GroupConfigs(rows []db.TrialRow, metric string) []Config {
	var out []Config
	index := map[string]int{}
	for _, r := range rows {
		id := configID(r)
		i, ok := index[id]
		if !ok {
			i = len(out)
			index[id] = i
			out = append(out, Config{ID: r.Key, Params: r.Params, Statuses: map[ganexp.Status]int{}})
		}
		out[i].Trials = append(out[i].Trials, r)
		out[i].Statuses[r.Status]++
	}
	for i := range out {
		out[i].Mean, out[i].SD, out[i].N = meanSD(out[i].Trials, metric)
		out[i].TieMean, _, _ = meanSD(out[i].Trials, TieBreak)
	}
	return out
}

func configID(r db.TrialRow) string {
	var b strings.Builder
	for _, p := range r.Params {
		fmt.Fprintf(&b, "%s=%s;", p.Name, ganexp.FormatValue(p.Value))
	}
	return b.String()
}

func meanSD(rows []db.TrialRow, metric string) (mean, sd float64, n int) {
	sum, sq := 0.0, 0.0
	for _, r := range rows {
		v := value(r, metric)
		if math.IsNaN(v) {
			continue
		}
		n++
		sum += v
		sq += v * v
	}
	if n == 0 {
		return math.NaN(), math.NaN(), 0
	}
	mean = sum / float64(n)
	if n < 2 {
		return mean, math.NaN(), n
	}
	return mean, math.Sqrt(math.Max(0, (sq-float64(n)*mean*mean)/float64(n-1))), n
}

// RankConfigs orders configurations best first by mean metric.
func RankConfigs(cs []Config, metric string) []Config {
	m, _ := ganexp.LookupMetric(metric)
	tb, _ := ganexp.LookupMetric(TieBreak)
	out := slices.Clone(cs)
	slices.SortStableFunc(out, func(a, b Config) int {
		if c := better(m, a.Mean, b.Mean); c != 0 {
			return c
		}
		if c := better(tb, a.TieMean, b.TieMean); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

// Group is the configurations that share one level of a factor.
type Group struct {
	Level   string
	Configs []Config // ranked
}

// BestBy ranks configurations within each level of factor, levels in
// order of their best configuration.
func BestBy(cs []Config, factor, metric string) []Group {
	var groups []Group
	index := map[string]int{}
	for _, c := range RankConfigs(cs, metric) {
		level := ganexp.FormatValue(paramValue(c.Params, factor))
		i, ok := index[level]
		if !ok {
			i = len(groups)
			index[level] = i
			groups = append(groups, Group{Level: level})
		}
		groups[i].Configs = append(groups[i].Configs, c)
	}
	return groups
}

func paramValue(ps []ganexp.Param, name string) any {
	for _, p := range ps {
		if p.Name == name {
			return p.Value
		}
	}
	return nil
}

// Varying returns the parameter names whose values differ across rows
// (a parameter missing from some rows differs), in config order: the
// columns worth showing.
func Varying(rows []db.TrialRow) []string {
	var order []string
	values := map[string]map[string]bool{}
	for _, r := range rows {
		for _, p := range r.Params {
			if values[p.Name] == nil {
				values[p.Name] = map[string]bool{}
				order = append(order, p.Name)
			}
		}
	}
	for _, r := range rows {
		for _, n := range order {
			v := "\x00absent"
			if pv := paramValue(r.Params, n); pv != nil {
				v = ganexp.FormatValue(pv)
			}
			values[n][v] = true
		}
	}
	var out []string
	for _, n := range order {
		if len(values[n]) > 1 && !impliedByLabel(rows, n) {
			out = append(out, n)
		}
	}
	return out
}

// labelOf names the label parameter whose value fixes a parameter: an
// arch's name fixes its widths and activation, a dataset's name its data_*
// parameters.
var labelOf = map[string]string{"g_hidden": "arch", "d_hidden": "arch", "activation": "arch"}

// impliedByLabel reports whether, in these rows, name's value is fixed by
// its label's value, so that showing the label says it all.
func impliedByLabel(rows []db.TrialRow, name string) bool {
	label, ok := labelOf[name]
	if !ok && strings.HasPrefix(name, "data_") {
		label, ok = "dataset", true
	}
	if !ok {
		return false
	}
	seen := map[string]string{}
	for _, r := range rows {
		l := ganexp.FormatValue(paramValue(r.Params, label))
		v := ganexp.FormatValue(paramValue(r.Params, name))
		if prev, ok := seen[l]; ok && prev != v {
			return false
		}
		seen[l] = v
	}
	return true
}

// CheckFactor returns an input error, naming flag, unless factor is a
// parameter of rows.
func CheckFactor(rows []db.TrialRow, factor, flag string) error {
	names := allParamNames(rows)
	if slices.Contains(names, factor) {
		return nil
	}
	return ganexp.Inputf(flag, "valid: "+strings.Join(names, ", "), "no parameter %q in these trials", factor)
}
