package reports

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// TrialData is everything a trial page draws.
type TrialData struct {
	TrialDetail
	Artifacts []db.Artifact
}

// trialPage is what trials/KEY.html shows.
type trialPage struct {
	Key, Sweep, Status, Verdict string
	Seed                        int64
	Steps                       string
	Error                       string
	Params                      [][2]string
	Finals                      [][2]string
	Events                      [][3]string
	Charts                      []chartRef // Name is the file name
}

func writeTrialPage(dir string, td TrialData, metric string) error {
	r := td.Trial
	page := trialPage{Key: r.Key, Sweep: r.Sweep, Status: string(r.Status), Seed: r.Seed,
		Steps: fmt.Sprintf("%d of %d", r.StepsDone, r.StepsTotal), Error: r.Error}
	if r.Verdict != "" {
		page.Verdict = verdictText(r)
	}
	for _, p := range r.Params {
		page.Params = append(page.Params, [2]string{p.Name, ganexp.FormatValue(p.Value)})
	}
	for _, m := range r.Metrics {
		page.Finals = append(page.Finals, [2]string{m.Name, num(value(r, m.Name))})
	}
	for _, e := range td.Events {
		page.Events = append(page.Events, [3]string{strconv.Itoa(e.Step), e.Kind, e.Detail})
	}
	base := filepath.Join(dir, "trials", r.Key)
	// Line charts are SVG (small, sharp, quick to write); scatters of
	// thousands of points are PNG.
	add := func(suffix, ext, alt string, w, h vg.Length, plots [][]*plot.Plot) error {
		name := r.Key + "-" + suffix + ext
		if err := saveTiles(filepath.Join(dir, "trials", name), w, h, plots); err != nil {
			return err
		}
		page.Charts = append(page.Charts, chartRef{Name: name, Alt: alt})
		return nil
	}
	// Curves, with the detector events marked.
	var cfg ganexp.Config
	if err := json.Unmarshal([]byte(r.ConfigJSON), &cfg); err != nil {
		return fmt.Errorf("trial %s: read config: %w", r.Key, err)
	}
	data := storedData(td.Artifacts, cfg)
	var curves []*plot.Plot
	for _, c := range []struct {
		title, y string
		names    []string
		scale    yScale
	}{
		{"losses", "loss", []string{"loss_d", "loss_g"}, linearY},
		{"modes captured", "modes", []string{"modes_captured"}, countY},
		{"fidelity and coverage", "share", []string{"hq_fraction", "balanced_hq", "precision", "recall", "coverage"}, shareY},
		{"distances to the data", "distance", []string{"mmd2", "swd"}, distY},
		{"D's mean output", "D", []string{"d_real", "d_fake"}, linearY},
	} {
		if !anySeries(td.Series, c.names) {
			continue
		}
		p, err := curvesPlot(c.title, c.y, td.Series, c.names, td.Events, c.scale, float64(data.modes))
		if err != nil {
			return err
		}
		curves = append(curves, p)
	}
	if len(curves) > 0 {
		var tiles [][]*plot.Plot
		for i := 0; i < len(curves); i += 2 {
			tiles = append(tiles, curves[i:min(i+2, len(curves))])
		}
		if err := add("curves", ".svg", "metric curves over training", 10*vg.Inch, vg.Length(3*len(tiles))*vg.Inch, tiles); err != nil {
			return err
		}
	}
	// Samples.
	snaps, grids := snapshotsOf(td.Artifacts)
	if c, h, w, image := cfg.Dataset.ImageShape(); image && len(snaps) > 0 {
		// Images are drawn as grids, not as scatters of their pixels.
		if err := imageCharts(add, snaps, data, c, h, w); err != nil {
			return err
		}
		return writeTemplate(base+".html", trialTemplate, page)
	}
	if len(snaps) == 0 {
		return writeTemplate(base+".html", trialTemplate, page)
	}
	real, centres, dim := data.real, data.centres, data.dim
	if dim == 0 { // stored before ganexp kept the real data: the snapshot still says its dimension
		dim = len(snaps[len(snaps)-1].data) / max(1, min(cfg.EvalSamples, ganexp.SnapshotPoints))
	}
	last := snaps[len(snaps)-1]
	if dim >= 2 {
		p, err := scatterPlot(fmt.Sprintf("samples at step %d over the data", last.step), real, last.data, dim, centres)
		if err != nil {
			return err
		}
		if err := add("samples", ".png", "final samples over the real data", 6*vg.Inch, 6*vg.Inch, [][]*plot.Plot{{p}}); err != nil {
			return err
		}
		// Small multiples over training, on shared axes, each over the
		// stored real points: enough to see the data's shape.
		tiles, err := snapshotTiles(snaps, real, centres, dim)
		if err != nil {
			return err
		}
		if err := add("snapshots", ".png", "samples over training", 10*vg.Inch, vg.Length(2.6*float64(len(tiles)))*vg.Inch, tiles); err != nil {
			return err
		}
	} else if dim == 1 {
		pdata := data.density
		picks := checkpoints(len(snaps), 4)
		var row []*plot.Plot
		for n, i := range picks {
			s := snaps[i]
			g := grids[s.step]
			var grid, dx []float32
			if g != nil {
				grid, dx = g[:len(g)/2], g[len(g)/2:]
			} else {
				grid = gridOf(s.data, real)
			}
			// One legend, beside the last checkpoint.
			p, err := figure1Plot(fmt.Sprintf("step %d", s.step), grid, dx, s.data, pdata, n == len(picks)-1)
			if err != nil {
				return err
			}
			row = append(row, p)
		}
		if err := add("figure1", ".svg", "p_data, p_g and D(x) at checkpoints (Goodfellow et al. 2014, Figure 1)", vg.Length(3.2*float64(len(row)))*vg.Inch, 3.2*vg.Inch, [][]*plot.Plot{row}); err != nil {
			return err
		}
	}
	return writeTemplate(base+".html", trialTemplate, page)
}

func anySeries(series map[string][]db.Point, names []string) bool {
	for _, n := range names {
		for _, p := range series[n] {
			if p.Value != nil {
				return true
			}
		}
	}
	return false
}

type snapshot struct {
	step    int
	data    []float64
	classes []float64 // the class histogram on image data; nil without one
}

// snapshotsOf decodes the sample snapshots (ascending steps), with their
// class histograms, and the D grids by step. A damaged image blob is
// skipped: the page draws what it can.
func snapshotsOf(arts []db.Artifact) ([]snapshot, map[int][]float32) {
	var snaps []snapshot
	grids := map[int][]float32{}
	counts := map[int][]float64{}
	for _, a := range arts {
		switch a.Kind {
		case ganexp.ArtifactSamples:
			snaps = append(snaps, snapshot{step: a.Step, data: toF64(ganexp.DecodeFloats(a.Data))})
		case ganexp.ArtifactImages:
			if xs, err := ganexp.DecodePixels(a.Data); err == nil {
				snaps = append(snaps, snapshot{step: a.Step, data: toF64(xs)})
			}
		case ganexp.ArtifactClasses:
			counts[a.Step] = toF64(ganexp.DecodeFloats(a.Data))
		case ganexp.ArtifactDGrid:
			grids[a.Step] = ganexp.DecodeFloats(a.Data)
		}
	}
	slices.SortFunc(snaps, func(a, b snapshot) int { return a.step - b.step })
	for i := range snaps {
		snaps[i].classes = counts[snaps[i].step]
	}
	return snaps, grids
}

// stored is what a trial stored of its data at step 0: the reference
// sample (over which G's samples are drawn), the known modes, and on 1-D
// data the density. A trial stored by an older ganexp has none of them,
// and its charts show G's samples alone.
type stored struct {
	dim     int
	real    []float64
	centres []float64 // mode centres, flat
	modes   int
	density func(float64) float64 // nil without one
	classP  []float64             // the data's class distribution; nil without a classifier
}

func storedData(arts []db.Artifact, cfg ganexp.Config) stored {
	var s stored
	var modes, dens []float32
	for _, a := range arts {
		switch {
		case a.Step != 0:
		case a.Kind == ganexp.ArtifactReal:
			s.real = toF64(ganexp.DecodeFloats(a.Data))
		case a.Kind == ganexp.ArtifactRealImages:
			if xs, err := ganexp.DecodePixels(a.Data); err == nil {
				s.real = toF64(xs)
			}
		case a.Kind == ganexp.ArtifactClassP:
			s.classP = toF64(ganexp.DecodeFloats(a.Data))
		case a.Kind == ganexp.ArtifactModes:
			modes = ganexp.DecodeFloats(a.Data)
		case a.Kind == ganexp.ArtifactDensity:
			dens = ganexp.DecodeFloats(a.Data)
		}
	}
	if n := min(cfg.EvalSamples, ganexp.SnapshotPoints); n > 0 && len(s.real) > 0 {
		s.dim = len(s.real) / n
	}
	if s.dim > 0 && len(modes) > 0 {
		s.modes = len(modes) / (s.dim + 1)
		for i := range s.modes {
			s.centres = append(s.centres, toF64(modes[i*(s.dim+1):i*(s.dim+1)+s.dim])...)
		}
	}
	if len(dens) > 0 {
		xs, ps := dens[:len(dens)/2], dens[len(dens)/2:]
		s.density = func(x float64) float64 {
			i, _ := slices.BinarySearch(xs, float32(x))
			return float64(ps[min(i, len(ps)-1)])
		}
	}
	return s
}

// snapshotTiles lays the snapshots out four to a row on shared axes.
func snapshotTiles(snaps []snapshot, real, centres []float64, dim int) ([][]*plot.Plot, error) {
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	extend := func(x []float64) {
		for i := 0; i+dim <= len(x); i += dim {
			if !math.IsNaN(x[i]) && !math.IsNaN(x[i+1]) && !math.IsInf(x[i], 0) && !math.IsInf(x[i+1], 0) {
				xlo, xhi = math.Min(xlo, x[i]), math.Max(xhi, x[i])
				ylo, yhi = math.Min(ylo, x[i+1]), math.Max(yhi, x[i+1])
			}
		}
	}
	extend(real)
	// Generated points far outside the data would shrink it to a dot:
	// clip the axes to four times the data's extent. Without real points
	// (a trial stored before ganexp kept them) there is nothing to clip
	// to, and a NaN bound would hang gonum's tick labelling.
	clip := !math.IsInf(xlo, 0)
	cx, cy, wx, wy := (xlo+xhi)/2, (ylo+yhi)/2, math.Max(xhi-xlo, 1e-3), math.Max(yhi-ylo, 1e-3)
	for _, s := range snaps {
		extend(s.data)
	}
	if clip {
		xlo, xhi = math.Max(xlo, cx-2*wx), math.Min(xhi, cx+2*wx)
		ylo, yhi = math.Max(ylo, cy-2*wy), math.Min(yhi, cy+2*wy)
	}
	var tiles [][]*plot.Plot
	var row []*plot.Plot
	for _, s := range snaps {
		p, err := scatterPlot(fmt.Sprintf("step %d", s.step), real, s.data, dim, centres)
		if err != nil {
			return nil, err
		}
		p.Legend = plot.NewLegend()
		p.X.Label.Text, p.Y.Label.Text = "", ""
		if !math.IsInf(xlo, 0) {
			p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xlo, xhi, ylo, yhi
		}
		row = append(row, p)
		if len(row) == 4 {
			tiles, row = append(tiles, row), nil
		}
	}
	if len(row) > 0 {
		tiles = append(tiles, row)
	}
	return tiles, nil
}

// checkpoints picks up to k indices spread over n, always the first and
// the last.
func checkpoints(n, k int) []int {
	if n <= k {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	out := make([]int, k)
	for i := range out {
		out[i] = i * (n - 1) / (k - 1)
	}
	return out
}

// gridOf spans the samples and the real data when no D grid was stored.
func gridOf(samples, real []float64) []float32 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, xs := range [][]float64{samples, real} {
		for _, v := range xs {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 0) {
		lo, hi = -1, 1
	}
	g := make([]float32, 200)
	for i := range g {
		g[i] = float32(lo + (hi-lo)*float64(i)/199)
	}
	return g
}

func toF64(xs []float32) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x)
	}
	return out
}

func toF32(xs []float64) []float32 {
	out := make([]float32, len(xs))
	for i, x := range xs {
		out[i] = float32(x)
	}
	return out
}
