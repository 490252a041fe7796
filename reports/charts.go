package reports

import (
	"fmt"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/brewer"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Colours used across the report, so that a thing looks the same
// everywhere: real data grey, generated samples blue, modes black, D red.
var (
	realColour  = color.NRGBA{R: 150, G: 150, B: 150, A: 90}
	fakeColour  = color.NRGBA{R: 31, G: 119, B: 180, A: 140}
	modeColour  = color.NRGBA{A: 255}
	dColour     = color.NRGBA{R: 214, G: 39, B: 40, A: 255}
	eventColour = color.NRGBA{R: 214, G: 39, B: 40, A: 200}
)

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(12)
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.X.Tick.Marker = shortTicks{}
	p.Y.Tick.Marker = shortTicks{}
	p.Add(plotter.NewGrid())
	return p
}

// shortTicks are gonum's default ticks labelled with the shortest number
// that reads the same: "250", not "250.00".
type shortTicks struct{}

func (shortTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'g', 4, 64)
		}
	}
	return ticks
}

// saveTiles lays plots out in a grid (rows × cols, nil cells left empty)
// and writes them to path; the extension picks PNG or SVG.
func saveTiles(path string, w, h vg.Length, plots [][]*plot.Plot) error {
	var c draw.Canvas
	var writeTo func(f *os.File) error
	switch strings.ToLower(filepath.Ext(path)) {
	case ".svg":
		cv := vgsvg.New(w, h)
		c = draw.New(cv)
		writeTo = func(f *os.File) error { _, err := cv.WriteTo(f); return err }
	default:
		cv := vgimg.New(w, h)
		c = draw.New(cv)
		// Fast compression: charts are flat colour, and a report of many
		// trials spends most of its time here otherwise.
		writeTo = func(f *os.File) error {
			return (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(f, cv.Image())
		}
	}
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	rows, cols := len(plots), 0
	for _, r := range plots {
		cols = max(cols, len(r))
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 2, PadY: vg.Millimeter * 2,
		PadTop: vg.Millimeter, PadBottom: vg.Millimeter, PadLeft: vg.Millimeter, PadRight: vg.Millimeter * 2}
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
		copy(grid[i], plots[i])
	}
	canvases := plot.Align(grid, tiles, c)
	for i := range grid {
		for j, p := range grid[i] {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write chart %s: %w", path, err)
	}
	if err := writeTo(f); err != nil {
		f.Close()
		return fmt.Errorf("write chart %s: %w", path, err)
	}
	return f.Close()
}

func savePlot(path string, w, h vg.Length, p *plot.Plot) error {
	return saveTiles(path, w, h, [][]*plot.Plot{{p}})
}

// curvesPlot draws metric series over training steps, with the trial's
// events (detector verdicts, the first non-finite value) as labelled
// vertical lines.
func curvesPlot(title, ylabel string, series map[string][]db.Point, names []string, events []db.Event) (*plot.Plot, error) {
	p := newPlot(title, "training step", ylabel)
	p.Legend.Top = true
	lo, hi := math.Inf(1), math.Inf(-1)
	drawn := 0
	for i, name := range names {
		var xy plotter.XYs
		for _, pt := range series[name] {
			if pt.Value != nil && !math.IsNaN(*pt.Value) && !math.IsInf(*pt.Value, 0) {
				xy = append(xy, plotter.XY{X: float64(pt.Step), Y: *pt.Value})
				lo, hi = math.Min(lo, *pt.Value), math.Max(hi, *pt.Value)
			}
		}
		if len(xy) == 0 {
			continue
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, err
		}
		l.Color = plotutil.Color(i)
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(name, l)
		drawn++
	}
	if drawn == 0 {
		lo, hi = 0, 1
	}
	if hi == lo {
		hi = lo + 1
	}
	// Headroom above the curves for the legend.
	p.Y.Min, p.Y.Max = lo, hi+0.08*float64(len(names))*(hi-lo)*2
	for _, e := range events {
		if e.Kind != string(ganexp.StatusCollapsed) && e.Kind != string(ganexp.StatusDiverged) && e.Kind != "non_finite" {
			continue
		}
		x := float64(e.Step)
		l, err := plotter.NewLine(plotter.XYs{{X: x, Y: lo}, {X: x, Y: hi}})
		if err != nil {
			return nil, err
		}
		l.Color = eventColour
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(l)
		labels, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: x, Y: lo}}, Labels: []string{e.Kind + " "}})
		if err != nil {
			return nil, err
		}
		labels.TextStyle[0].Color = eventColour
		labels.TextStyle[0].XAlign = draw.XRight
		labels.TextStyle[0].YAlign = draw.YBottom
		p.Add(labels)
	}
	return p, nil
}

// scatterPlot draws generated samples over real ones with the mode
// centres, in the first two coordinates.
func scatterPlot(title string, real, fake []float64, dim int, centres []float64) (*plot.Plot, error) {
	p := newPlot(title, "x₁", "x₂")
	toXY := func(x []float64) plotter.XYs {
		var xy plotter.XYs
		for i := 0; i+dim <= len(x); i += dim {
			if !math.IsNaN(x[i]) && !math.IsNaN(x[i+1]) && !math.IsInf(x[i], 0) && !math.IsInf(x[i+1], 0) {
				xy = append(xy, plotter.XY{X: x[i], Y: x[i+1]})
			}
		}
		return xy
	}
	for _, set := range []struct {
		xy     plotter.XYs
		colour color.NRGBA
		name   string
	}{{toXY(real), realColour, "real"}, {toXY(fake), fakeColour, "generated"}} {
		if len(set.xy) > 0 {
			s := &pixelScatter{xy: set.xy, colour: set.colour, size: vg.Points(2)}
			p.Add(s)
			p.Legend.Add(set.name, s)
		}
	}
	if xy := toXY(centres); len(xy) > 0 {
		s, err := plotter.NewScatter(xy)
		if err != nil {
			return nil, err
		}
		s.Color, s.Shape, s.Radius = modeColour, draw.CrossGlyph{}, vg.Points(4)
		p.Add(s)
		p.Legend.Add("mode centre", s)
	}
	p.Legend.Top = true
	return p, nil
}

// figure1Plot is Goodfellow et al. 2014, Figure 1, from a real run: the
// data density p_data (dotted), the density of G's samples p_g (solid, a
// histogram: a kernel estimate would smooth the modes away) and D(x)
// (dashed) on a line of x.
func figure1Plot(title string, grid, dx []float32, fake []float64, pdata func(float64) float64) (*plot.Plot, error) {
	p := newPlot(title, "x", "density, D(x)")
	line := func(f func(float64) float64, c color.Color, dashes []vg.Length, name string) error {
		xy := make(plotter.XYs, len(grid))
		for i, x := range grid {
			xy[i] = plotter.XY{X: float64(x), Y: f(float64(x))}
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		l.Color, l.Dashes, l.Width = c, dashes, vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(name, l)
		return nil
	}
	if pdata != nil {
		if err := line(pdata, modeColour, []vg.Length{vg.Points(1), vg.Points(2)}, "p_data"); err != nil {
			return nil, err
		}
	}
	if h := histogram(fake, float64(grid[0]), float64(grid[len(grid)-1]), 80); h != nil {
		l, err := plotter.NewLine(h)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = fakeColour, vg.Points(1.5)
		p.Add(l)
		p.Legend.Add("p_g", l)
	}
	if dx != nil {
		d := func(x float64) float64 {
			i, _ := slices.BinarySearch(grid, float32(x))
			return float64(dx[min(i, len(dx)-1)])
		}
		if err := line(d, dColour, []vg.Length{vg.Points(5), vg.Points(3)}, "D(x)"); err != nil {
			return nil, err
		}
	}
	p.Legend.Top = true
	p.Y.Min = 0
	p.Y.Max = math.Max(p.Y.Max, 1) * 1.3 // room for the legend above D ≤ 1
	return p, nil
}

// histogram is the density of x over [lo, hi] in bins, as a step line;
// points outside are left out (they still count in n). It returns nil for
// no finite points.
func histogram(x []float64, lo, hi float64, bins int) plotter.XYs {
	counts := make([]float64, bins)
	n := 0
	w := (hi - lo) / float64(bins)
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		n++
		if i := int((v - lo) / w); v >= lo && i < bins {
			counts[i]++
		} else if v == hi {
			counts[bins-1]++
		}
	}
	if n == 0 {
		return nil
	}
	xy := make(plotter.XYs, 0, 2*bins)
	for i, c := range counts {
		d := c / (float64(n) * w)
		xy = append(xy, plotter.XY{X: lo + float64(i)*w, Y: d}, plotter.XY{X: lo + float64(i+1)*w, Y: d})
	}
	return xy
}

// boxPlot draws the metric's spread for each level of a factor.
func boxPlot(metric, factor string, levels []string, values [][]float64) (*plot.Plot, error) {
	p := newPlot(metric+" by "+factor, factor, metric)
	w := vg.Points(20)
	for i, vs := range values {
		var vals plotter.Values
		for _, v := range vs {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				vals = append(vals, v)
			}
		}
		if len(vals) == 0 {
			continue
		}
		b, err := plotter.NewBoxPlot(w, float64(i), vals)
		if err != nil {
			return nil, err
		}
		b.FillColor = color.NRGBA{R: 31, G: 119, B: 180, A: 60}
		p.Add(b)
	}
	p.NominalX(levels...)
	return p, nil
}

// grid is the heatmap's data: z[row][col], NaN where no trial has the
// combination.
type gridXYZ struct{ z [][]float64 }

func (g gridXYZ) Dims() (c, r int)   { return len(g.z[0]), len(g.z) }
func (g gridXYZ) Z(c, r int) float64 { return g.z[r][c] }
func (g gridXYZ) X(c int) float64    { return float64(c) }
func (g gridXYZ) Y(r int) float64    { return float64(r) }
func (g gridXYZ) minMax() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, row := range g.z {
		for _, v := range row {
			if !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	return lo, hi
}

// heatmapPlot draws the mean metric over two factors, each cell labelled
// with its value (so it needs no colour bar). Darker is better.
func heatmapPlot(metric string, better ganexp.Direction, xf, yf string, xLevels, yLevels []string, z [][]float64) (*plot.Plot, error) {
	g := gridXYZ{z}
	lo, hi := g.minMax()
	if math.IsInf(lo, 0) {
		lo, hi = 0, 1
	}
	if hi == lo {
		hi = lo + 1e-9
	}
	pal, err := brewer.GetPalette(brewer.TypeSequential, "YlGnBu", 9)
	if err != nil {
		return nil, err
	}
	colours := pal.Colors()
	if better == ganexp.LowerIsBetter {
		colours = slices.Clone(colours)
		slices.Reverse(colours)
	}
	hm := plotter.NewHeatMap(g, fixedPalette(colours))
	hm.Min, hm.Max = lo, hi
	hm.NaN = color.NRGBA{R: 235, G: 235, B: 235, A: 255}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("mean %s by %s and %s", metric, xf, yf)
	p.Title.TextStyle.Font.Size = vg.Points(12)
	p.X.Label.Text, p.Y.Label.Text = xf, yf
	p.Add(hm)
	var xy plotter.XYs
	var texts []string
	for r, row := range z {
		for c, v := range row {
			xy = append(xy, plotter.XY{X: float64(c), Y: float64(r)})
			texts = append(texts, num(v))
		}
	}
	labels, err := plotter.NewLabels(plotter.XYLabels{XYs: xy, Labels: texts})
	if err != nil {
		return nil, err
	}
	for i := range labels.TextStyle {
		labels.TextStyle[i].XAlign, labels.TextStyle[i].YAlign = draw.XCenter, draw.YCenter
		v := z[int(xy[i].Y)][int(xy[i].X)]
		if !math.IsNaN(v) && (v-lo)/(hi-lo) > 0.6 == (better != ganexp.LowerIsBetter) {
			labels.TextStyle[i].Color = color.White
		}
	}
	p.Add(labels)
	p.NominalX(xLevels...)
	p.NominalY(yLevels...)
	p.X.Min, p.X.Max = -0.5, float64(len(xLevels))-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(len(yLevels))-0.5
	return p, nil
}

type fixedPalette []color.Color

func (f fixedPalette) Colors() []color.Color { return f }

// parallelPlot draws one line per configuration across the factor axes
// (levels spread evenly on each) and a last axis for the metric, coloured
// by the metric: which combinations lead where.
func parallelPlot(metric string, better ganexp.Direction, factors []string, levels [][]string, configs [][]int, values []float64) (*plot.Plot, error) {
	p := newPlot(metric+" across the factors (one line per configuration)", "", "")
	p.HideY()
	axes := append(slices.Clone(factors), metric)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if !math.IsNaN(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if math.IsInf(lo, 0) {
		lo, hi = 0, 1
	}
	if hi == lo {
		hi = lo + 1e-9
	}
	pos := func(axis, level int) float64 {
		n := len(levels[axis])
		if n == 1 {
			return 0.5
		}
		return float64(level) / float64(n-1)
	}
	pal, err := brewer.GetPalette(brewer.TypeSequential, "YlGnBu", 9)
	if err != nil {
		return nil, err
	}
	colours := pal.Colors()[3:] // the palest shades vanish on white
	order := make([]int, len(configs))
	for i := range order {
		order[i] = i
	}
	// Draw the best last, on top.
	slices.SortFunc(order, func(a, b int) int { return better2(better, values[b], values[a]) })
	for _, i := range order {
		v := values[i]
		if math.IsNaN(v) {
			continue
		}
		xy := make(plotter.XYs, len(axes))
		for a := range factors {
			xy[a] = plotter.XY{X: float64(a), Y: pos(a, configs[i][a])}
		}
		xy[len(factors)] = plotter.XY{X: float64(len(factors)), Y: (v - lo) / (hi - lo)}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, err
		}
		t := (v - lo) / (hi - lo)
		if better == ganexp.LowerIsBetter {
			t = 1 - t
		}
		l.Color = colours[min(int(t*float64(len(colours))), len(colours)-1)]
		l.Width = vg.Points(1.2)
		p.Add(l)
	}
	// Axes with their level labels.
	var xy plotter.XYs
	var texts []string
	for a := range factors {
		for lv, name := range levels[a] {
			xy = append(xy, plotter.XY{X: float64(a), Y: pos(a, lv)})
			texts = append(texts, " "+name)
		}
	}
	for _, v := range []float64{lo, hi} {
		xy = append(xy, plotter.XY{X: float64(len(factors)), Y: (v - lo) / (hi - lo)})
		texts = append(texts, " "+num(v))
	}
	for a := range axes {
		l, err := plotter.NewLine(plotter.XYs{{X: float64(a), Y: 0}, {X: float64(a), Y: 1}})
		if err != nil {
			return nil, err
		}
		l.Color = color.Black
		p.Add(l)
	}
	labels, err := plotter.NewLabels(plotter.XYLabels{XYs: xy, Labels: texts})
	if err != nil {
		return nil, err
	}
	p.Add(labels)
	p.NominalX(axes...)
	p.X.Min, p.X.Max = -0.2, float64(len(factors))+0.6
	p.Y.Min, p.Y.Max = -0.05, 1.05
	return p, nil
}

// better2 orders two values of a metric worst first.
func better2(d ganexp.Direction, a, b float64) int {
	m := ganexp.MetricInfo{Better: d}
	return better(m, a, b)
}
