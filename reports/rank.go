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

// Ranking is how trials and configurations are ordered: by its metrics
// in turn, each breaking the ties of the one before, then by key. The
// first is the ranking's metric, the one its charts show.
type Ranking []ganexp.MetricInfo

// DefaultRanking is what a researcher would rank by. Where the data has
// known modes: the modes captured, then balanced_hq, the share of samples
// on a mode discounted for uneven modes (hq_fraction · exp(−mode_kl)), the
// way the VEEGAN and PacGAN tables read modes, high-quality samples and
// reverse KL together. Many generators capture every mode of a ring, and
// among those the tie-breaker must prefer the one whose samples sit on
// the modes, evenly: not a diffuse cloud (mmd2 used to pick one with 4%
// of its samples on a mode) nor one that starves a mode. mmd2 breaks the
// ties left, as between runs with no sample on a mode yet. Without known
// modes: mmd2. On images, where mmd2 is not measured in pixel space: the
// classifier's modes captured, then mode_kl, then swd; without a
// classifier, swd, the sliced Wasserstein distance (which Karras et al.
// 2018 used on images too).
func DefaultRanking(rows []db.TrialRow, ms ganexp.MetricSet) Ranking {
	has := func(metric string) bool {
		for _, r := range rows {
			if r.Final[metric] != nil {
				return true
			}
		}
		return false
	}
	switch {
	case has("modes_captured") && has("balanced_hq"):
		return rankingOf(ms, "modes_captured", "balanced_hq", "mmd2")
	case has("modes_captured"):
		// Images judged by a classifier: its classes, then how evenly G
		// uses them (the PacGAN table's two columns), then swd.
		return rankingOf(ms, "modes_captured", "mode_kl", "swd")
	case !has("mmd2") && has("swd"):
		return rankingOf(ms, "swd")
	}
	return rankingOf(ms, "mmd2")
}

// RankingBy ranks by metric first, then by the default ranking's metrics
// as tie-breakers; "" is the default ranking.
func RankingBy(metric string, rows []db.TrialRow, ms ganexp.MetricSet) Ranking {
	def := DefaultRanking(rows, ms)
	if metric == "" {
		return def
	}
	names := []string{metric}
	for _, m := range def {
		if m.Name != metric {
			names = append(names, m.Name)
		}
	}
	return rankingOf(ms, names...)
}

func rankingOf(ms ganexp.MetricSet, names ...string) Ranking {
	r := make(Ranking, len(names))
	for i, n := range names {
		m, ok := ms.Lookup(n)
		if !ok {
			panic("reports: unknown metric " + n)
		}
		r[i] = m
	}
	return r
}

// Metric is the ranking's first metric.
func (r Ranking) Metric() string { return r[0].Name }

// Names lists the ranking's metrics in order.
func (r Ranking) Names() []string {
	out := make([]string, len(r))
	for i, m := range r {
		out[i] = m.Name
	}
	return out
}

// String says exactly how the ranking orders: "modes_captured (higher is
// better), then balanced_hq (higher is better)".
func (r Ranking) String() string {
	parts := make([]string, len(r))
	for i, m := range r {
		parts[i] = fmt.Sprintf("%s (%s)", m.Name, direction(m))
	}
	return strings.Join(parts, ", then ")
}

// Context lists metrics shown beside the ranking's own, to read it by:
// the parts of balanced_hq, and mmd2, a distance that needs no modes (on
// images, the classifier's fd and confidence instead).
func (r Ranking) Context() []string {
	var out []string
	add := func(n string) {
		if !slices.Contains(r.Names(), n) && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	if slices.Contains(r.Names(), "balanced_hq") {
		add("hq_fraction")
		add("mode_kl")
	}
	if slices.Contains(r.Names(), "swd") {
		// An image ranking: no mmd2 in pixel space.
		add("fd")
		add("confidence")
		return out
	}
	add("mmd2")
	return out
}

// Columns are the ranking's metrics and then its context.
func (r Ranking) Columns() []string { return append(r.Names(), r.Context()...) }

// CheckMetric returns the metric called name, or an input error listing
// the valid ones.
func CheckMetric(name string, ms ganexp.MetricSet) (ganexp.MetricInfo, error) {
	m, ok := ms.Lookup(name)
	if !ok {
		return m, ganexp.Inputf("--metric", "valid: "+strings.Join(ms.Names(), ", "), "unknown metric %q", name)
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

// RankTrials orders trials best first by the ranking, then by key;
// pruned trials come after all others, their values being from a rung.
func RankTrials(rows []db.TrialRow, rk Ranking) []db.TrialRow {
	out := slices.Clone(rows)
	slices.SortStableFunc(out, func(a, b db.TrialRow) int {
		if pa, pb := a.Status == ganexp.StatusPruned, b.Status == ganexp.StatusPruned; pa != pb {
			if pa {
				return 1
			}
			return -1
		}
		for _, m := range rk {
			if c := better(m, value(a, m.Name), value(b, m.Name)); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return out
}

// Config is one configuration (all parameters but the seed) with its
// trials over seeds.
type Config struct {
	ID       string // key of its first trial, a stable handle
	Params   []ganexp.Param
	Trials   []db.TrialRow
	Statuses map[ganexp.Status]int
	// Mean, SD and N are the ranking metric's mean over the seeds, its
	// standard deviation (NaN below 2 values) and the trials with a value.
	Mean, SD float64
	N        int
	means    map[string]float64
}

// MeanOf is a metric's mean over the configuration's seeds (NaN when no
// trial has a value).
func (c Config) MeanOf(metric string) float64 {
	if v, ok := c.means[metric]; ok {
		return v
	}
	m, _, _ := meanSD(c.Trials, metric)
	return m
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

// GroupConfigs groups trials that differ only in seed, with the means of
// the ranking's metrics and context.
func GroupConfigs(rows []db.TrialRow, rk Ranking) []Config {
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
		c := &out[i]
		c.Mean, c.SD, c.N = meanSD(c.Trials, rk.Metric())
		c.means = map[string]float64{}
		for _, m := range rk.Columns() {
			c.means[m], _, _ = meanSD(c.Trials, m)
		}
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
		// A pruned trial's last values are from the rung it stopped at,
		// not comparable with finished runs' (Optuna too ranks and
		// weighs complete trials only).
		if math.IsNaN(v) || r.Status == ganexp.StatusPruned {
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

// RankConfigs orders configurations best first by the means of the
// ranking's metrics, then by ID.
func RankConfigs(cs []Config, rk Ranking) []Config {
	out := slices.Clone(cs)
	slices.SortStableFunc(out, func(a, b Config) int {
		for _, m := range rk {
			if c := better(m, a.MeanOf(m.Name), b.MeanOf(m.Name)); c != 0 {
				return c
			}
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
func BestBy(cs []Config, factor string, rk Ranking) []Group {
	var groups []Group
	index := map[string]int{}
	for _, c := range RankConfigs(cs, rk) {
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
