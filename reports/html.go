package reports

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"golang.org/x/sync/errgroup"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// HTMLOptions configures WriteHTML.
type HTMLOptions struct {
	Dir     string // created if missing; files in it are overwritten
	Title   string
	Ranking Ranking
	Best    bool   // rank configurations (mean over seeds) instead of trials
	By      string // with Best: the best configuration per level of this factor
	Top     int    // ranking rows, each with a trial page; 0 for all
	X, Y    string // heatmap factors; "" picks lr_g × lr_d or the first two that vary
}

// WriteHTML writes a self-contained report into opts.Dir: index.html with
// the overview charts and the ranking, and trials/KEY.html for every
// ranked trial. Charts are SVG on the overview (with PNG copies) and PNG
// on trial pages. load reads one trial's series, events and artifacts.
func WriteHTML(ctx context.Context, opts HTMLOptions, rows []db.TrialRow, load func(key string) (TrialData, error)) error {
	if err := prepareDir(opts.Dir); err != nil {
		return err
	}
	rk := opts.Ranking
	metric := rk.Metric()
	info := rk[0]
	page := overview{Title: opts.Title, Metric: metric, Order: rk.String(), Trials: len(rows)}
	page.Statuses = statusCounts(rows)

	factors, aliases := chartFactors(rows)
	// Factor charts.
	for _, f := range factors {
		levels, values := byLevel(rows, f, metric)
		if len(levels) < 2 {
			continue
		}
		p, err := boxPlot(metric, f, levels, values)
		if err != nil {
			return err
		}
		name := "factor-" + safeName(f)
		if err := saveBoth(opts.Dir, name, 6*vg.Inch, 3.5*vg.Inch, [][]*plot.Plot{{p}}); err != nil {
			return err
		}
		alt := metric + " by " + f
		if a := aliases[f]; len(a) > 0 {
			alt += " (the same split as " + strings.Join(a, ", ") + ")"
		}
		page.Factors = append(page.Factors, chartRef{Name: name, Alt: alt})
	}
	// Heatmap of two factors.
	if xf, yf := heatmapFactors(rows, factors, opts.X, opts.Y); xf != "" {
		xl, yl, z := meanGrid(rows, xf, yf, metric)
		hm, err := heatmapPlot(metric, info.Better, xf, yf, xl, yl, z)
		if err != nil {
			return err
		}
		if err := saveBoth(opts.Dir, "heatmap", 6*vg.Inch, 4.5*vg.Inch, [][]*plot.Plot{{hm}}); err != nil {
			return err
		}
		page.Heatmap = &chartRef{Name: "heatmap", Alt: fmt.Sprintf("mean %s by %s and %s", metric, xf, yf)}
	}
	// Parallel coordinates over the configurations.
	configs := GroupConfigs(rows, rk)
	if len(factors) >= 1 && len(configs) >= 2 {
		levels := make([][]string, len(factors))
		for a, f := range factors {
			levels[a], _ = byLevel(rows, f, metric)
		}
		idx := make([][]int, len(configs))
		vals := make([]float64, len(configs))
		for i, c := range configs {
			idx[i] = make([]int, len(factors))
			for a, f := range factors {
				idx[i][a] = slices.Index(levels[a], levelOf(c.Params, f))
			}
			vals[i] = c.Mean
		}
		p, err := parallelPlot(metric, info.Better, factors, levels, idx, vals)
		if err != nil {
			return err
		}
		if err := saveBoth(opts.Dir, "parallel", vg.Length(max(6, 1.6*float64(len(factors)+1)))*vg.Inch, 4*vg.Inch, [][]*plot.Plot{{p}}); err != nil {
			return err
		}
		page.Parallel = &chartRef{Name: "parallel", Alt: metric + " across the factors"}
	}

	// The search: history, importance and slices over the configurations.
	var err error
	if page.History, page.Importance, page.Slices, err = searchCharts(opts.Dir, info, configs); err != nil {
		return err
	}

	// The ranking, and which trials get a page.
	var pages []db.TrialRow
	cols := rk.Columns()
	if opts.Best {
		b := Best{Groups: []Group{{Configs: RankConfigs(configs, rk)}}, Ranking: rk, Factor: opts.By, Top: opts.Top, Rows: rows}
		if opts.By != "" {
			b.Groups = BestBy(configs, opts.By, rk)
		}
		groups, shown, total := b.Shown()
		page.Shown = fmt.Sprintf("%d of %d configurations", shown, total)
		page.Columns = append(append([]string{}, factors...), "seeds", metric+" (mean ± sd)")
		for _, m := range cols[1:] {
			page.Columns = append(page.Columns, m+" (mean)")
		}
		page.Columns = append(page.Columns, "status")
		for gi, g := range groups {
			for i, c := range g.Configs {
				r := rankRow{Rank: b.rankLabel(gi, i), Key: c.Trials[0].Key, Cells: levelsOf(c.Params, factors)}
				r.Cells = append(r.Cells, strconv.Itoa(len(c.Trials)), meanSDText(c))
				for _, m := range cols[1:] {
					r.Cells = append(r.Cells, num(c.MeanOf(m)))
				}
				r.Cells = append(r.Cells, c.StatusText())
				page.Ranking = append(page.Ranking, r)
				pages = append(pages, c.Trials...)
			}
		}
	} else {
		ranked := RankTrials(rows, rk)
		if opts.Top > 0 && len(ranked) > opts.Top {
			ranked = ranked[:opts.Top]
		}
		page.Shown = fmt.Sprintf("%d of %d trials", len(ranked), len(rows))
		page.Columns = append(append(append(append([]string{}, factors...), "seed"), cols...), "status", "verdict")
		for i, r := range ranked {
			cells := append(levelsOf(r.Params, factors), strconv.FormatInt(r.Seed, 10))
			for _, m := range cols {
				cells = append(cells, num(value(r, m)))
			}
			cells = append(cells, string(r.Status))
			verdict := "-"
			if r.Verdict != "" {
				verdict = fmt.Sprintf("%s at %d", r.Verdict, r.VerdictStep)
			}
			page.Ranking = append(page.Ranking, rankRow{Rank: strconv.Itoa(i + 1), Key: r.Key, Cells: append(cells, verdict), Title: r.VerdictMessage})
			pages = append(pages, r)
		}
	}
	for i := range page.Ranking {
		page.Ranking[i].Link = "trials/" + page.Ranking[i].Key + ".html"
	}
	// Trial pages, in parallel: each is independent.
	g, _ := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, r := range pages {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			td, err := load(r.Key)
			if err != nil {
				return err
			}
			return writeTrialPage(opts.Dir, td, metric)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return writeTemplate(filepath.Join(opts.Dir, "index.html"), overviewTemplate, page)
}

// reportMarker marks a directory as a ganexp report, which a later
// report may clear and rewrite.
const reportMarker = ".ganexp-report"

// prepareDir makes dir ready for a report: new, empty, or an earlier
// report, whose files it removes so that no stale page survives. Any
// other directory is left alone and refused.
func prepareDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case os.IsNotExist(err):
	case err != nil:
		return ganexp.Inputf(dir, "", "cannot read report directory: %v", err)
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(dir, reportMarker)); err != nil {
			return ganexp.Inputf(dir, "give a new or empty directory", "directory is not empty and holds no ganexp report")
		}
		for _, e := range entries {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("clear old report %s: %w", dir, err)
			}
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "trials"), 0o755); err != nil {
		return ganexp.Inputf(dir, "pick a directory you can write", "cannot create report directory: %v", err)
	}
	return os.WriteFile(filepath.Join(dir, reportMarker), []byte("written by ganexp report --html\n"), 0o644)
}

type chartRef struct {
	Name string // file name without extension; .svg and .png exist
	Alt  string
}

type rankRow struct {
	Rank  string
	Key   string
	Link  string
	Cells []string
	Title string // the verdict's message, shown on hover
}

func levelsOf(ps []ganexp.Param, factors []string) []string {
	out := make([]string, len(factors))
	for i, f := range factors {
		out[i] = levelOf(ps, f)
	}
	return out
}

type statusCount struct {
	Status string
	Count  int
}

type overview struct {
	Title    string
	Metric   string
	Order    string
	Trials   int
	Statuses []statusCount
	Factors  []chartRef
	Heatmap  *chartRef
	Parallel *chartRef
	// The search over configurations (Optuna's plots): the optimisation
	// history, the parameters' importance and the slice plots.
	History, Importance, Slices *chartRef
	Columns                     []string
	Ranking                     []rankRow
	Shown                       string // "5 of 12 configurations"
}

func statusCounts(rows []db.TrialRow) []statusCount {
	n := map[ganexp.Status]int{}
	for _, r := range rows {
		n[r.Status]++
	}
	var out []statusCount
	for _, s := range []ganexp.Status{ganexp.StatusCompleted, ganexp.StatusCollapsed, ganexp.StatusDiverged,
		ganexp.StatusPruned, ganexp.StatusFailed, ganexp.StatusInterrupted, ganexp.StatusRunning, ganexp.StatusPending} {
		if n[s] > 0 || s == ganexp.StatusCompleted || s == ganexp.StatusCollapsed || s == ganexp.StatusDiverged ||
			s == ganexp.StatusFailed || s == ganexp.StatusInterrupted {
			out = append(out, statusCount{string(s), n[s]})
		}
	}
	return out
}

// chartFactors are the parameters that vary, with lr_g and lr_d shown as
// one factor "lr" when they are equal in every trial (a sweep over lr),
// and without a factor whose levels match another's one to one (two
// sweeps that differ in dataset and batch size at once): the charts would
// repeat. aliases maps each kept factor to the ones it stands for.
func chartFactors(rows []db.TrialRow) (factors []string, aliases map[string][]string) {
	fs := Varying(rows)
	if slices.Contains(fs, "lr_g") && slices.Contains(fs, "lr_d") && sameEverywhere(rows, "lr_g", "lr_d") {
		var merged []string
		for _, f := range fs {
			switch f {
			case "lr_g":
				merged = append(merged, "lr")
			case "lr_d":
			default:
				merged = append(merged, f)
			}
		}
		fs = merged
	}
	aliases = map[string][]string{}
	for _, f := range fs {
		dup := false
		for _, kept := range factors {
			if oneToOne(rows, kept, f) {
				aliases[kept] = append(aliases[kept], f)
				dup = true
				break
			}
		}
		if !dup {
			factors = append(factors, f)
		}
	}
	return factors, aliases
}

func sameEverywhere(rows []db.TrialRow, a, b string) bool {
	for _, r := range rows {
		if levelOf(r.Params, a) != levelOf(r.Params, b) {
			return false
		}
	}
	return true
}

// oneToOne reports whether the levels of a and b determine each other.
func oneToOne(rows []db.TrialRow, a, b string) bool {
	ab, ba := map[string]string{}, map[string]string{}
	for _, r := range rows {
		la, lb := levelOf(r.Params, a), levelOf(r.Params, b)
		if v, ok := ab[la]; ok && v != lb {
			return false
		}
		if v, ok := ba[lb]; ok && v != la {
			return false
		}
		ab[la], ba[lb] = lb, la
	}
	return true
}

func levelOf(ps []ganexp.Param, name string) string {
	if name == "lr" {
		name = "lr_g" // equal to lr_d wherever chartFactors offers "lr"
	}
	if v := paramValue(ps, name); v != nil {
		return ganexp.FormatValue(v)
	}
	return "-"
}

// byLevel groups the metric by the levels of a factor, levels sorted
// numerically when they are numbers.
func byLevel(rows []db.TrialRow, factor, metric string) ([]string, [][]float64) {
	var levels []string
	vals := map[string][]float64{}
	for _, r := range rows {
		l := levelOf(r.Params, factor)
		if _, ok := vals[l]; !ok {
			levels = append(levels, l)
		}
		vals[l] = append(vals[l], value(r, metric))
	}
	sortLevels(levels)
	out := make([][]float64, len(levels))
	for i, l := range levels {
		out[i] = vals[l]
	}
	return levels, out
}

func sortLevels(levels []string) {
	slices.SortStableFunc(levels, func(a, b string) int {
		fa, ea := strconv.ParseFloat(a, 64)
		fb, eb := strconv.ParseFloat(b, 64)
		if ea == nil && eb == nil {
			return cmpFloat(fa, fb)
		}
		return strings.Compare(a, b)
	})
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// heatmapFactors picks the heatmap's two factors: the requested ones,
// else the pair whose combinations the trials fill most (a pair set
// together, like lr_g and lr_d under an lr axis, fills only a diagonal),
// preferring lr_g × lr_d, then pairs with a learning rate, then file
// order.
func heatmapFactors(rows []db.TrialRow, factors []string, x, y string) (string, string) {
	if x != "" && y != "" {
		return x, y
	}
	isLR := func(f string) bool { return f == "lr" || f == "lr_g" || f == "lr_d" }
	bx, by, bestScore := "", "", -1
	for i, a := range factors {
		for _, b := range factors[i+1:] {
			cells := map[[2]string]bool{}
			for _, r := range rows {
				cells[[2]string{levelOf(r.Params, a), levelOf(r.Params, b)}] = true
			}
			score := 4 * len(cells)
			switch {
			case a == "lr_g" && b == "lr_d":
				score += 3
			case isLR(a) || isLR(b):
				score++
			}
			if score > bestScore {
				bx, by, bestScore = a, b, score
			}
		}
	}
	return bx, by
}

// meanGrid averages the metric over the cells of two factors.
func meanGrid(rows []db.TrialRow, xf, yf, metric string) ([]string, []string, [][]float64) {
	xl, _ := byLevel(rows, xf, metric)
	yl, _ := byLevel(rows, yf, metric)
	sum := make([][]float64, len(yl))
	n := make([][]int, len(yl))
	for i := range sum {
		sum[i] = make([]float64, len(xl))
		n[i] = make([]int, len(xl))
	}
	for _, r := range rows {
		v := value(r, metric)
		if math.IsNaN(v) {
			continue
		}
		c := slices.Index(xl, levelOf(r.Params, xf))
		rw := slices.Index(yl, levelOf(r.Params, yf))
		sum[rw][c] += v
		n[rw][c]++
	}
	for i := range sum {
		for j := range sum[i] {
			if n[i][j] == 0 {
				sum[i][j] = math.NaN()
			} else {
				sum[i][j] /= float64(n[i][j])
			}
		}
	}
	return xl, yl, sum
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			return r
		}
		return '-'
	}, s)
}

// saveBoth writes a chart as name.svg and name.png.
func saveBoth(dir, name string, w, h vg.Length, plots [][]*plot.Plot) error {
	if err := saveTiles(filepath.Join(dir, name+".svg"), w, h, plots); err != nil {
		return err
	}
	return saveTiles(filepath.Join(dir, name+".png"), w, h, plots)
}

func writeTemplate(path string, t *template.Template, data any) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := t.Execute(f, data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
