package reports

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/evaluate"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testMetrics is the evaluator's registry, as the CLI passes it.
var testMetrics = evaluate.Infos()

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func f(v float64) *float64 { return &v }

// trial builds a trial row: loss, lr and seed vary; modes, hq_fraction,
// mode_kl and mmd2 are finals, and balanced_hq = hq·exp(−kl) as a sweep
// would store it.
func trial(key, loss string, lr float64, seed int64, status ganexp.Status, modes, hq, kl, mmd *float64) db.TrialRow {
	var balanced *float64
	if hq != nil && kl != nil {
		balanced = f(*hq * math.Exp(-*kl))
	}
	return db.TrialRow{
		Key: key, Sweep: "demo", Status: status, Seed: seed, StepsDone: 100, StepsTotal: 100,
		Params: []ganexp.Param{{Name: "dataset", Value: "ring"}, {Name: "loss", Value: loss}, {Name: "lr_g", Value: lr}, {Name: "batch_size", Value: int64(64)}},
		Final:  map[string]*float64{"modes_captured": modes, "hq_fraction": hq, "mode_kl": kl, "balanced_hq": balanced, "mmd2": mmd},
	}
}

// fixture has three configurations of two seeds. minimax's second seed is
// the diffuse ring of the quickstart: all 8 modes, the lowest mmd2, but
// 4% of its samples on a mode.
func fixture() []db.TrialRow {
	return []db.TrialRow{
		trial("aaaa00000001", "minimax", 1e-3, 1, ganexp.StatusCompleted, f(6), f(0.5), f(0.2), f(0.02)),
		trial("aaaa00000002", "minimax", 1e-3, 2, ganexp.StatusCompleted, f(8), f(0.036), f(0.05), f(0.0001)),
		trial("bbbb00000001", "nonsaturating", 1e-3, 1, ganexp.StatusCompleted, f(8), f(0.6), f(0.1), f(0.004)),
		trial("bbbb00000002", "nonsaturating", 1e-3, 2, ganexp.StatusCompleted, f(8), f(0.9), f(1.5), f(0.002)),
		trial("cccc00000001", "nonsaturating", 1e-4, 1, ganexp.StatusCollapsed, f(2), f(0.2), f(1.4), f(0.3)),
		trial("cccc00000002", "nonsaturating", 1e-4, 2, ganexp.StatusFailed, nil, nil, nil, nil),
	}
}

func keys(rows []db.TrialRow) []string {
	var ks []string
	for _, r := range rows {
		ks = append(ks, r.Key)
	}
	return ks
}

func TestRankTrials(t *testing.T) {
	rows := fixture()
	tests := []struct {
		metric string
		want   []string
	}{
		// Three trials tie at 8 modes. balanced_hq orders them: 0.6·e^−0.1
		// = 0.543 (on the modes, evenly), 0.9·e^−1.5 = 0.201 (on the
		// modes, most on a few), 0.036·e^−0.05 = 0.034 (diffuse). mmd2,
		// the old tie-breaker, would have put the diffuse one first. The
		// trial without a value comes last.
		{"", []string{"bbbb00000001", "bbbb00000002", "aaaa00000002", "aaaa00000001", "cccc00000001", "cccc00000002"}},
		{"mmd2", []string{"aaaa00000002", "bbbb00000002", "bbbb00000001", "aaaa00000001", "cccc00000001", "cccc00000002"}},
	}
	for _, tt := range tests {
		t.Run(tt.metric, func(t *testing.T) {
			if got := keys(RankTrials(rows, RankingBy(tt.metric, rows, testMetrics))); !slices.Equal(got, tt.want) {
				t.Errorf("got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestRankingText(t *testing.T) {
	rows := fixture()
	tests := []struct {
		metric, want, context string
	}{
		{"", "modes_captured (higher is better), then balanced_hq (higher is better), then mmd2 (lower is better)", "hq_fraction mode_kl"},
		{"mmd2", "mmd2 (lower is better), then modes_captured (higher is better), then balanced_hq (higher is better)", "hq_fraction mode_kl"},
		{"precision", "precision (higher is better), then modes_captured (higher is better), then balanced_hq (higher is better), then mmd2 (lower is better)", "hq_fraction mode_kl"},
	}
	for _, tt := range tests {
		rk := RankingBy(tt.metric, rows, testMetrics)
		if got := rk.String(); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.metric, got, tt.want)
		}
		if got := strings.Join(rk.Context(), " "); got != tt.context {
			t.Errorf("%q: context %q, want %q", tt.metric, got, tt.context)
		}
	}
	// Without known modes there is nothing to count: mmd2 alone.
	csv := []db.TrialRow{{Key: "k", Final: map[string]*float64{"mmd2": f(0.1)}}}
	if got := DefaultRanking(csv, testMetrics).String(); got != "mmd2 (lower is better)" {
		t.Errorf("without modes: %q", got)
	}
	// Images judged by a classifier: its modes, then mode_kl, then swd.
	judged := []db.TrialRow{{Key: "k", Final: map[string]*float64{"modes_captured": f(7), "mode_kl": f(0.3), "swd": f(0.3)}}}
	if rk := DefaultRanking(judged, testMetrics); rk.String() != "modes_captured (higher is better), then mode_kl (lower is better), then swd (lower is better)" || strings.Join(rk.Context(), " ") != "fd confidence" {
		t.Errorf("judged images: %q, context %v", rk.String(), rk.Context())
	}
	// On images mmd2 is not measured: the sliced Wasserstein distance.
	images := []db.TrialRow{{Key: "k", Final: map[string]*float64{"swd": f(0.3), "mmd2": nil}}}
	if got := DefaultRanking(images, testMetrics).String(); got != "swd (lower is better)" {
		t.Errorf("on images: %q", got)
	}
}

func TestGroupConfigs(t *testing.T) {
	rk := RankingBy("", fixture(), testMetrics)
	cs := RankConfigs(GroupConfigs(fixture(), rk), rk)
	if len(cs) != 3 {
		t.Fatalf("%d configs, want 3", len(cs))
	}
	// nonsaturating 1e-3: modes 8, 8 → mean 8, sd 0. minimax: 6, 8 →
	// mean 7, sd √2. nonsaturating 1e-4: one value, 2; sd undefined.
	want := []struct {
		id       string
		mean, sd float64
		n        int
		statuses string
	}{
		{"bbbb00000001", 8, 0, 2, "2 completed"},
		{"aaaa00000001", 7, math.Sqrt2, 2, "2 completed"},
		{"cccc00000001", 2, math.NaN(), 1, "1 collapsed, 1 failed"},
	}
	for i, w := range want {
		c := cs[i]
		sdOK := (math.IsNaN(w.sd) && math.IsNaN(c.SD)) || math.Abs(c.SD-w.sd) < 1e-12
		if c.ID != w.id || c.Mean != w.mean || !sdOK || c.N != w.n || c.StatusText() != w.statuses {
			t.Errorf("config %d: got %s mean %v sd %v n %d %q, want %+v", i, c.ID, c.Mean, c.SD, c.N, c.StatusText(), w)
		}
	}
	// The tie-breaker's mean over seeds: (0.6·e^−0.1 + 0.9·e^−1.5)/2.
	if got, want := cs[0].MeanOf("balanced_hq"), (0.6*math.Exp(-0.1)+0.9*math.Exp(-1.5))/2; math.Abs(got-want) > 1e-12 {
		t.Errorf("balanced_hq mean %v, want %v", got, want)
	}
}

func TestVarying(t *testing.T) {
	if got, want := Varying(fixture()), []string{"loss", "lr_g"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestOutputs(t *testing.T) {
	rows := fixture()
	rk := RankingBy("", rows, testMetrics)
	configs := GroupConfigs(rows, rk)
	best := func(factor string, top int) Best {
		b := Best{Groups: []Group{{Configs: RankConfigs(configs, rk)}}, Ranking: rk, Factor: factor, Top: top, Rows: rows}
		if factor != "" {
			b.Groups = BestBy(configs, factor, rk)
		}
		return b
	}
	tests := []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"trials_table", func(b *bytes.Buffer) error {
			return WriteTrials(b, Table, RankTrials(rows, rk), rk, 0)
		}},
		{"trials_table_top", func(b *bytes.Buffer) error {
			return WriteTrials(b, Table, RankTrials(rows, rk), rk, 2)
		}},
		{"trials_csv", func(b *bytes.Buffer) error {
			return WriteTrials(b, CSV, RankTrials(rows, rk), rk, 3)
		}},
		{"best_table", func(b *bytes.Buffer) error { return WriteBest(b, Table, best("", 5)) }},
		{"best_table_top", func(b *bytes.Buffer) error { return WriteBest(b, Table, best("", 2)) }},
		{"best_by_loss_table", func(b *bytes.Buffer) error { return WriteBest(b, Table, best("loss", 1)) }},
		{"best_by_loss_top2_table", func(b *bytes.Buffer) error { return WriteBest(b, Table, best("loss", 2)) }},
		{"best_by_loss_json", func(b *bytes.Buffer) error { return WriteBest(b, JSON, best("loss", 1)) }},
		{"runs_table", func(b *bytes.Buffer) error { return WriteRuns(b, Table, rows, Varying(rows)) }},
		{"runs_csv", func(b *bytes.Buffer) error { return WriteRuns(b, CSV, rows, Varying(rows)) }},
		{"sweeps_table", func(b *bytes.Buffer) error {
			return WriteSweeps(b, Table, []db.SweepRow{
				{Name: "demo", ConfigPath: "demo.yaml", UpdatedAt: "2026-12-01T01:00:00.000Z", Trials: 6,
					Statuses: map[ganexp.Status]int{ganexp.StatusCompleted: 4, ganexp.StatusCollapsed: 1, ganexp.StatusFailed: 1}},
				{Name: "empty", ConfigPath: "e.yaml", UpdatedAt: "2026-12-01T02:00:00.000Z", Statuses: map[ganexp.Status]int{}},
			})
		}},
		// Only the interrupted and failed trials, which share loss and
		// lr: the columns still say which configuration each is.
		{"runs_table_some", func(b *bytes.Buffer) error { return WriteRuns(b, Table, rows[4:], Varying(rows)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, b.Bytes())
		})
	}
}

func TestPlotCurves(t *testing.T) {
	pts := func(vals ...float64) []db.Point {
		var out []db.Point
		for i, v := range vals {
			out = append(out, db.Point{Step: 100 * (i + 1), Value: f(v)})
		}
		return out
	}
	curves := []Curve{
		{Label: "loss=minimax", Series: [][]db.Point{pts(1, 4, 7), pts(2, 6, 8)}},
		{Label: "loss=hinge", Series: [][]db.Point{pts(3, 5, 8)}},
		{Label: "empty", Series: [][]db.Point{{{Step: 100}}}}, // only NULLs: skipped
	}
	for _, ext := range []string{"png", "svg"} {
		path := filepath.Join(t.TempDir(), "c."+ext)
		if err := PlotCurves(path, "modes", "modes_captured", curves, CurveOptions{}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil || len(b) < 1000 {
			t.Fatalf("%s: %d bytes, %v", path, len(b), err)
		}
		if ext == "png" && !bytes.HasPrefix(b, []byte("\x89PNG")) {
			t.Errorf("%s is not a PNG", path)
		}
		if ext == "svg" && (!bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("loss=minimax (mean of 2 seeds, band: lowest to highest)"))) {
			t.Errorf("%s lacks the svg root or the legend", path)
		}
	}
}

func TestBand(t *testing.T) {
	// Two seeds at steps 100 and 200, one NULL: mean/min/max by hand.
	c := Curve{DSteps: 5, Series: [][]db.Point{
		{{Step: 100, Value: f(1), WallS: 2}, {Step: 200, Value: f(4), WallS: 5}},
		{{Step: 100, Value: f(3), WallS: 4}, {Step: 200, WallS: 9}},
	}}
	mean, lo, hi := band(c, XStep, 0)
	if len(mean) != 2 || mean[0].Y != 2 || lo[0].Y != 1 || hi[0].Y != 3 || mean[1].Y != 4 || lo[1].Y != 4 || mean[1].X != 200 {
		t.Errorf("mean %v lo %v hi %v", mean, lo, hi)
	}
	// D steps: 5 per G step. Wall time: the mean of the seeds that have a
	// value there, (2+4)/2 and 5.
	if mean, _, _ := band(c, XDStep, 0); mean[0].X != 500 || mean[1].X != 1000 {
		t.Errorf("d_step x %v", mean)
	}
	if mean, _, _ := band(c, XWall, 0); mean[0].X != 3 || mean[1].X != 5 {
		t.Errorf("wall x %v", mean)
	}
	// On a log axis, values at or below the floor are drawn at it.
	neg := Curve{Series: [][]db.Point{{{Step: 1, Value: f(-0.001)}, {Step: 2, Value: f(0.5)}}}}
	if mean, _, _ := band(neg, XStep, 0.01); mean[0].Y != 0.01 || mean[1].Y != 0.5 {
		t.Errorf("floored %v", mean)
	}
}

func TestTicks(t *testing.T) {
	labels := func(ts []plot.Tick) string {
		var out []string
		for _, t := range ts {
			if t.Label != "" {
				out = append(out, t.Label)
			}
		}
		return strings.Join(out, " ")
	}
	tests := []struct {
		name   string
		ticker plot.Ticker
		lo, hi float64
		want   string
	}{
		// Counts: every whole number up to ten labels, then every 2nd, 5th.
		{"int 0-8", intTicks{}, 0, 8.3, "0 1 2 3 4 5 6 7 8"},
		{"int 0-25", intTicks{}, 0, 25, "0 5 10 15 20 25"},
		{"int 1-1000", intTicks{}, 1, 1000, "100 200 300 400 500 600 700 800 900 1000"},
		// Round steps of 1, 2 or 5 × 10^k, at most six of them.
		{"short losses", shortTicks{}, -0.75, 1.4, "-0.5 0 0.5 1"},
		{"short steps", shortTicks{}, 250, 1500, "500 1000 1500"},
		{"short shares", shortTicks{}, 0, 1, "0 0.2 0.4 0.6 0.8 1"},
		// Log: powers of ten, with 2 and 5 when the span is short.
		{"log wide", logTicks{}, 1e-4, 0.9, "0.0001 0.001 0.01 0.1"},
		{"log short", logTicks{}, 0.02, 0.7, "0.02 0.05 0.1 0.2 0.5"},
	}
	for _, tt := range tests {
		if got := labels(tt.ticker.Ticks(tt.lo, tt.hi)); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSetY(t *testing.T) {
	tests := []struct {
		name      string
		scale     yScale
		values    []float64
		count     float64
		log       bool
		min, max  float64
		wantFloor float64
	}{
		// Shares keep within [0, 1] but follow the data: three curves near
		// 0.03 get an axis near 0.03, not one to 1.5.
		{"share", shareY, []float64{0.02, 0.03, 0.04}, 0, false, 0.02 - 0.0012, 0.04 + 0.0012, 0},
		{"share clamped", shareY, []float64{0, 1}, 0, false, 0, 1, 0},
		{"count", countY, []float64{1, 4}, 8, false, 0, 8.3, 0},
		// MMD² from 0.3 down to 5e-4, with one negative estimate: log, the
		// negative drawn at a tenth of the smallest positive value.
		{"distance over decades", distY, []float64{0.3, 0.01, 5e-4, -1e-5}, 0, true, 5e-5 / 1.3, 0.3 * 1.3, 5e-5},
		{"distance within a decade", distY, []float64{0.1, 0.3}, 0, false, 0.1 - 0.012, 0.3 + 0.012, 0},
	}
	for _, tt := range tests {
		p := plot.New()
		floor := setY(p, tt.scale, tt.values, tt.count)
		_, isLog := p.Y.Scale.(plot.LogScale)
		if isLog != tt.log || math.Abs(p.Y.Min-tt.min) > 1e-12 || math.Abs(p.Y.Max-tt.max) > 1e-12 || math.Abs(floor-tt.wantFloor) > 1e-18 {
			t.Errorf("%s: log %v, y [%v, %v], floor %v; want log %v, [%v, %v], floor %v", tt.name, isLog, p.Y.Min, p.Y.Max, floor, tt.log, tt.min, tt.max, tt.wantFloor)
		}
	}
}

func TestVaryingHidesColumnsImpliedByLabels(t *testing.T) {
	mk := func(arch, g string, lr float64) db.TrialRow {
		return db.TrialRow{Params: []ganexp.Param{{Name: "arch", Value: arch}, {Name: "g_hidden", Value: g}, {Name: "lr_g", Value: lr}}}
	}
	tests := []struct {
		name string
		rows []db.TrialRow
		want []string
	}{
		{"Implied", []db.TrialRow{mk("a", "8", 0.1), mk("b", "16", 0.1), mk("a", "8", 0.2)}, []string{"arch", "lr_g"}},
		// Two labels for one shape, or one label for two shapes (from two
		// sweeps): the widths say something the name does not.
		{"NotImplied", []db.TrialRow{mk("a", "8", 0.1), mk("a", "16", 0.1)}, []string{"g_hidden"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Varying(tt.rows); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestChartGoldens(t *testing.T) {
	// Charts drawn from fixed data are byte-for-byte stable as SVG; a
	// change in how they look shows up here (rerun with -update and look
	// at the new files).
	box, err := boxPlot("modes_captured", "loss", []string{"hinge", "minimax"}, [][]float64{{1, 2, 8, 8}, {6, 7, 7, 8}})
	if err != nil {
		t.Fatal(err)
	}
	heat, err := heatmapPlot("mmd2", ganexp.LowerIsBetter, "lr_g", "lr_d", []string{"0.0001", "0.001"}, []string{"0.0001", "0.001"},
		[][]float64{{0.2, 0.05}, {math.NaN(), 0.01}})
	if err != nil {
		t.Fatal(err)
	}
	par, err := parallelPlot("modes_captured", ganexp.HigherIsBetter, []string{"loss", "lr"}, [][]string{{"hinge", "minimax"}, {"0.0001", "0.001"}},
		[][]int{{0, 0}, {0, 1}, {1, 1}}, []float64{2, 7.5, 8})
	if err != nil {
		t.Fatal(err)
	}
	grid := []float32{-2, -1, 0, 1, 2}
	fig, err := figure1Plot("step 100", grid, []float32{0.4, 0.5, 0.6, 0.5, 0.4}, []float64{-0.1, 0, 0.05, 0.2}, func(x float64) float64 { return math.Exp(-x * x / 2) }, true)
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]*plot.Plot{"box": box, "heatmap": heat, "parallel": par, "figure1": fig} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name+".svg")
			if err := savePlot(path, 5*vg.Inch, 3*vg.Inch, p); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(path)
			golden(t, "chart_"+name+".svg", got)
		})
	}
}
