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
	"gonum.org/v1/plot/vg/vgpdf"
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
	// A pruner's stop is a ranking, not a failure: dark grey.
	prunedColour = color.NRGBA{R: 90, G: 90, B: 90, A: 220}
)

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(12)
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.X.Tick.Marker = shortTicks{}
	p.Y.Tick.Marker = shortTicks{}
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	p.Add(plotter.NewGrid())
	return p
}

// shortTicks label round numbers, 1, 2 or 5 times a power of ten apart,
// three to six of them, with the shortest text that reads the same
// ("250", not "250.00"), and an unlabelled tick between labels.
type shortTicks struct{}

func (shortTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) {
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	var step float64
	for e := math.Floor(math.Log10(max-min)) - 1; ; e++ {
		found := false
		for _, m := range []float64{1, 2, 5} {
			step = m * math.Pow(10, e)
			if (max-min)/step <= 6 {
				found = true
				break
			}
		}
		if found {
			break
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(min/step) * step; v <= max+step*1e-9; v += step {
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 4, 64)})
		if mid := v + step/2; mid <= max {
			ticks = append(ticks, plot.Tick{Value: mid})
		}
	}
	if first := math.Ceil(min/step)*step - step/2; first >= min {
		ticks = append(ticks, plot.Tick{Value: first})
	}
	return ticks
}

// saveTiles lays plots out in a grid (rows × cols, nil cells left empty)
// and writes them to path; the extension picks PNG, SVG or PDF. Every
// legend is drawn outside its plot's data area, beside it or (when wide)
// below it, so that it never covers a curve or a band.
func saveTiles(path string, w, h vg.Length, plots [][]*plot.Plot) error {
	var c draw.Canvas
	var writeTo func(f *os.File) error
	switch strings.ToLower(filepath.Ext(path)) {
	case ".svg":
		cv := vgsvg.New(w, h)
		c = draw.New(cv)
		writeTo = func(f *os.File) error { _, err := cv.WriteTo(f); return err }
	case ".pdf":
		cv := vgpdf.New(w, h)
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
				drawOutside(canvases[i][j], p)
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

// drawOutside draws p in c with its legend outside the data area: in a
// column to the right, or in rows below when that column would take more
// than a third of the width.
func drawOutside(c draw.Canvas, p *plot.Plot) {
	leg := p.Legend
	box := leg.Rectangle(c)
	width, height := box.Size().X, box.Size().Y
	if width == 0 {
		p.Draw(c)
		return
	}
	// Rectangle leaves out the space between the thumbnail and the text;
	// and an SVG viewer may set the text in a wider font than the one it
	// was measured in.
	width = width*1.2 + 2*leg.TextStyle.Rectangle(" ").Size().X
	// Plot.Draw draws its legend inside: hand it an empty one meanwhile.
	empty := plot.NewLegend()
	empty.TextStyle = leg.TextStyle
	p.Legend = empty
	defer func() { p.Legend = leg }()
	gap := vg.Millimeter * 2
	titleH := vg.Length(0)
	if p.Title.Text != "" {
		titleH = p.Title.TextStyle.Rectangle(p.Title.Text).Size().Y + p.Title.Padding
	}
	leg.Top, leg.Left, leg.XOffs, leg.YOffs = true, true, 0, 0
	if width < c.Size().X/3 {
		plotC := draw.Crop(c, 0, -(width + gap), 0, 0)
		p.Draw(plotC)
		legC := draw.Crop(c, c.Size().X-width, 0, 0, -titleH)
		leg.Draw(legC)
		return
	}
	plotC := draw.Crop(c, 0, 0, height+gap, 0)
	p.Draw(plotC)
	legC := draw.Crop(c, vg.Millimeter*6, 0, 0, -(c.Size().Y - height))
	leg.Draw(legC)
}

func savePlot(path string, w, h vg.Length, p *plot.Plot) error {
	return saveTiles(path, w, h, [][]*plot.Plot{{p}})
}

// intTicks label whole numbers only, for counts: 1, 2, 5 or 10 apart,
// whichever gives at most ten labels.
type intTicks struct{}

func (intTicks) Ticks(min, max float64) []plot.Tick {
	lo, hi := math.Ceil(min), math.Floor(max)
	step := 1.0
	for _, s := range []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000} {
		step = s
		if (hi-lo)/s <= 10 {
			break
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	return ticks
}

// logTicks label the powers of ten between min and max (and 2 and 5
// times them when fewer than three powers fit), for log axes.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	lo, hi := math.Floor(math.Log10(min)), math.Ceil(math.Log10(max))
	for e := lo; e <= hi; e++ {
		for _, m := range []float64{1, 2, 3, 4, 5, 6, 7, 8, 9} {
			v := m * math.Pow(10, e)
			if v < min*(1-1e-9) || v > max*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || (hi-lo <= 2 && (m == 2 || m == 5)) {
				t.Label = strconv.FormatFloat(v, 'g', 3, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// yScale says how a chart's vertical axis reads its values.
type yScale int

const (
	linearY yScale = iota // scaled to the data
	shareY                // scaled to the data within [0, 1]
	countY                // from 0 to the count's ceiling, whole-number ticks
	distY                 // log when the positive values span more than a decade
	logY                  // log, asked for
)

// logFloor is where a log axis draws values at or below zero (an
// unbiased MMD² estimate can be slightly negative): a tenth of the
// smallest positive value.
func logFloor(values []float64) float64 {
	floor := math.Inf(1)
	for _, v := range values {
		if v > 0 {
			floor = math.Min(floor, v)
		}
	}
	if math.IsInf(floor, 1) {
		return 1e-6
	}
	return floor / 10
}

// wantsLog reports whether values span more than a decade, reading best on
// a log axis.
func wantsLog(values []float64) bool {
	lo, hi := math.Inf(1), 0.0
	for _, v := range values {
		if v > 0 {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	return hi > 0 && hi/lo > 10
}

// setY scales p's vertical axis to values as scale says, with count the
// ceiling of a countY axis (0: the largest value). It returns the value
// that values at or below zero must be drawn at on a log axis (0 on a
// linear one).
func setY(p *plot.Plot, scale yScale, values []float64, count float64) (floor float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if math.IsInf(lo, 0) {
		lo, hi = 0, 1
	}
	if scale == distY && wantsLog(values) {
		scale = logY
	}
	switch scale {
	case logY:
		floor = logFloor(values)
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, logTicks{}
		p.Y.Min, p.Y.Max = math.Max(lo, floor)/1.3, math.Max(hi, floor)*1.3
		// gonum places a y label's box at the arithmetic middle of the
		// range, which on a log axis lies near the top, and pads the plot
		// down to fit it; the title says what the axis is instead.
		note := "log scale"
		if lo <= 0 {
			note += "; values ≤ 0 at the bottom"
		}
		if l := p.Y.Label.Text; l != "" && !strings.Contains(p.Title.Text, l) {
			note = l + ", " + note
		}
		p.Title.Text += " (" + note + ")"
		p.Y.Label.Text = ""
		return floor
	case countY:
		p.Y.Tick.Marker = intTicks{}
		p.Y.Min, p.Y.Max = 0, math.Max(math.Max(hi, count), 1)+0.3
		return 0
	}
	pad := 0.06 * (hi - lo)
	if pad == 0 {
		pad = math.Max(0.05*math.Abs(hi), 0.05)
	}
	p.Y.Min, p.Y.Max = lo-pad, hi+pad
	if scale == shareY {
		p.Y.Min, p.Y.Max = math.Max(0, p.Y.Min), math.Min(1, p.Y.Max)
		if p.Y.Max <= p.Y.Min {
			p.Y.Min, p.Y.Max = 0, 1
		}
	}
	return 0
}

// curvesPlot draws metric series over training steps, the axis scaled
// as scale says (count is a countY axis's ceiling), with the trial's
// events (detector verdicts, the first non-finite value) as labelled
// vertical lines.
func curvesPlot(title, ylabel string, series map[string][]db.Point, names []string, events []db.Event, scale yScale, count float64) (*plot.Plot, error) {
	p := newPlot(title, "training step", ylabel)
	var all []float64
	for _, name := range names {
		for _, pt := range series[name] {
			if pt.Value != nil {
				all = append(all, *pt.Value)
			}
		}
	}
	floor := setY(p, scale, all, count)
	for i, name := range names {
		var xy plotter.XYs
		for _, pt := range series[name] {
			if pt.Value != nil && !math.IsNaN(*pt.Value) && !math.IsInf(*pt.Value, 0) {
				y := *pt.Value
				if floor > 0 {
					y = math.Max(y, floor)
				}
				xy = append(xy, plotter.XY{X: float64(pt.Step), Y: y})
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
	}
	lo, hi := p.Y.Min, p.Y.Max
	for i, e := range events {
		colour, label := eventColour, e.Kind
		switch e.Kind {
		case string(ganexp.StatusCollapsed), string(ganexp.StatusDiverged), "non_finite":
		case string(ganexp.StatusPruned):
			// Where a pruner stopped the trial; a curve that goes on past
			// it was paused there and promoted later.
			colour = prunedColour
			for _, later := range events[i+1:] {
				if later.Kind == "promoted" && later.Step == e.Step {
					label = "paused, promoted"
				}
			}
		default:
			continue
		}
		x := float64(e.Step)
		l, err := plotter.NewLine(plotter.XYs{{X: x, Y: lo}, {X: x, Y: hi}})
		if err != nil {
			return nil, err
		}
		l.Color = colour
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(l)
		labels, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: x, Y: hi}}, Labels: []string{label + " "}})
		if err != nil {
			return nil, err
		}
		labels.TextStyle[0].Color = colour
		labels.TextStyle[0].XAlign = draw.XRight
		labels.TextStyle[0].YAlign = draw.YTop
		p.Add(labels)
	}
	// The lines and labels above must not widen the axis set by setY.
	p.Y.Min, p.Y.Max = lo, hi
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
func figure1Plot(title string, grid, dx []float32, fake []float64, pdata func(float64) float64, legend bool) (*plot.Plot, error) {
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
	if !legend {
		p.Legend = plot.NewLegend()
	}
	p.Y.Min = 0
	p.Y.Max = math.Max(p.Y.Max, 1) * 1.05 // D's plateau at 1 stays visible
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
	var all []float64
	for _, vs := range values {
		all = append(all, vs...)
	}
	floor := setY(p, scaleFor(metric), all, 0)
	w := vg.Points(20)
	for i, vs := range values {
		var vals plotter.Values
		for _, v := range vs {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				if floor > 0 {
					v = math.Max(v, floor)
				}
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
	// The colour bar, right of the cells, as wide as a sixth of a column
	// and as tall as the grid.
	nx := float64(len(xLevels))
	unit := math.Max(nx, 3) / 3
	x0 := nx - 0.5 + 0.12*unit
	p.Add(colourKey{x0: x0, x1: x0 + 0.12*unit, y0: -0.5, y1: float64(len(yLevels)) - 0.5, lo: lo, hi: hi,
		ticks: tickerFor(metric), colour: func(t float64) color.Color {
			return colours[int(t*float64(len(colours)-1)+0.5)]
		}})
	p.NominalX(xLevels...)
	p.NominalY(yLevels...)
	p.X.Min, p.X.Max = -0.5, x0+0.55*unit
	p.Y.Min, p.Y.Max = -0.5, float64(len(yLevels))-0.5
	return p, nil
}

type fixedPalette []color.Color

func (f fixedPalette) Colors() []color.Color { return f }

// colourKey is a colour bar drawn in data coordinates: a vertical strip
// from (x0, y0) to (x1, y1) that shows which colour stands for which
// value, from lo at the bottom to hi at the top, labelled on its right.
type colourKey struct {
	x0, x1, y0, y1 float64
	lo, hi         float64
	colour         func(t float64) color.Color // t in [0, 1] from lo to hi
	ticks          plot.Ticker
	title          string
}

// Plot implements plot.Plotter.
func (k colourKey) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	const slices = 64
	for i := range slices {
		t0, t1 := float64(i)/slices, float64(i+1)/slices
		ya, yb := k.y0+t0*(k.y1-k.y0), k.y0+t1*(k.y1-k.y0)
		r := vg.Rectangle{Min: vg.Point{X: trX(k.x0), Y: trY(ya)}, Max: vg.Point{X: trX(k.x1), Y: trY(yb) + 0.5}}
		c.SetColor(k.colour((t0 + t1) / 2))
		c.Fill(r.Path())
	}
	outline := draw.LineStyle{Color: color.Gray{Y: 120}, Width: vg.Points(0.5)}
	c.StrokeLines(outline, []vg.Point{{X: trX(k.x0), Y: trY(k.y0)}, {X: trX(k.x1), Y: trY(k.y0)},
		{X: trX(k.x1), Y: trY(k.y1)}, {X: trX(k.x0), Y: trY(k.y1)}, {X: trX(k.x0), Y: trY(k.y0)}})
	sty := p.Y.Tick.Label
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
	span := k.hi - k.lo
	for _, t := range k.ticks.Ticks(k.lo, k.hi) {
		if t.Label == "" || span == 0 {
			continue
		}
		y := trY(k.y0 + (t.Value-k.lo)/span*(k.y1-k.y0))
		c.StrokeLine2(outline, trX(k.x1), y, trX(k.x1)+vg.Points(3), y)
		c.FillText(sty, vg.Point{X: trX(k.x1) + vg.Points(5), Y: y}, t.Label)
	}
	if k.title != "" {
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YBottom
		c.FillText(sty, vg.Point{X: (trX(k.x0) + trX(k.x1)) / 2, Y: trY(k.y1) + vg.Points(4)}, k.title)
	}
}

// tickerFor picks whole-number ticks for counts and round numbers else.
func tickerFor(metric string) plot.Ticker {
	if metric == "modes_captured" {
		return intTicks{}
	}
	return shortTicks{}
}

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
	shade := func(t float64) color.Color {
		if better == ganexp.LowerIsBetter {
			t = 1 - t
		}
		return colours[min(int(t*float64(len(colours))), len(colours)-1)]
	}
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
		l.Color = shade((v - lo) / (hi - lo))
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
	// The metric's axis is its own colour key: a strip beside it in the
	// lines' colours, labelled with the metric's values.
	mx := float64(len(factors))
	p.Add(colourKey{x0: mx + 0.04, x1: mx + 0.12, y0: 0, y1: 1, lo: lo, hi: hi, colour: shade, ticks: tickerFor(metric)})
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
