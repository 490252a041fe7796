package reports

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Curve is one configuration's metric over training, one series per seed.
type Curve struct {
	Label  string
	Series [][]db.Point
}

// PlotCurves draws each curve as its mean over seeds with a band from the
// lowest to the highest seed, and saves the figure to path; the extension
// picks the format (.png, .svg, .pdf).
func PlotCurves(path, title, metric string, curves []Curve) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "training step"
	p.Y.Label.Text = metric
	p.Add(plotter.NewGrid())
	// Curves of a higher-is-better metric rise to the right, so the
	// bottom right is free; lower-is-better ones fall, freeing the top.
	m, _ := ganexp.LookupMetric(metric)
	p.Legend.Top = m.Better != ganexp.HigherIsBetter
	p.Legend.XOffs = -vg.Points(8)
	p.Legend.YOffs = vg.Points(8)
	if p.Legend.Top {
		p.Legend.YOffs = -vg.Points(8)
	}
	for i, c := range curves {
		mean, lo, hi := band(c.Series)
		if len(mean) == 0 {
			continue
		}
		col := plotutil.Color(i)
		if len(c.Series) > 1 {
			poly, err := plotter.NewPolygon(append(slices.Clone(lo), reversed(hi)...))
			if err != nil {
				return fmt.Errorf("plot %s band: %w", c.Label, err)
			}
			r, g, b, _ := col.RGBA()
			poly.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 40}
			poly.LineStyle.Width = 0
			p.Add(poly)
		}
		line, points, err := plotter.NewLinePoints(mean)
		if err != nil {
			return fmt.Errorf("plot %s: %w", c.Label, err)
		}
		line.Color = col
		line.Width = vg.Points(1.5)
		line.Dashes = plotutil.Dashes(i / len(plotutil.SoftColors)) // colours repeat after 7
		points.Color = col
		points.Shape = draw.CircleGlyph{}
		points.Radius = vg.Points(2)
		p.Add(line, points)
		label := c.Label
		if n := len(c.Series); n > 1 {
			label = fmt.Sprintf("%s (%d seeds)", label, n)
		}
		p.Legend.Add(label, line, points)
	}
	if m.Better == ganexp.HigherIsBetter && p.Y.Min >= 0 {
		p.Y.Min = 0 // counts and fractions read best from zero
	}
	if err := p.Save(8*vg.Inch, 4.5*vg.Inch, path); err != nil {
		return fmt.Errorf("save plot %s: %w", path, err)
	}
	return nil
}

// band aligns the series by step and returns the mean, min and max at
// each step where at least one series has a finite value.
func band(series [][]db.Point) (mean, lo, hi plotter.XYs) {
	vals := map[int][]float64{}
	var steps []int
	for _, s := range series {
		for _, p := range s {
			if p.Value == nil || math.IsNaN(*p.Value) || math.IsInf(*p.Value, 0) {
				continue
			}
			if _, ok := vals[p.Step]; !ok {
				steps = append(steps, p.Step)
			}
			vals[p.Step] = append(vals[p.Step], *p.Value)
		}
	}
	slices.Sort(steps)
	for _, st := range steps {
		v := vals[st]
		sum := 0.0
		for _, x := range v {
			sum += x
		}
		x := float64(st)
		mean = append(mean, plotter.XY{X: x, Y: sum / float64(len(v))})
		lo = append(lo, plotter.XY{X: x, Y: slices.Min(v)})
		hi = append(hi, plotter.XY{X: x, Y: slices.Max(v)})
	}
	return mean, lo, hi
}

func reversed(xy plotter.XYs) plotter.XYs {
	out := slices.Clone(xy)
	slices.Reverse(out)
	return out
}
