package reports

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"

	"github.com/ganexp/ganexp"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// historyPlot is Optuna's optimisation history: each configuration's
// metric (mean over seeds) in the order the sweep planned them, and the
// best so far as a step line.
func historyPlot(m ganexp.MetricInfo, cs []Config) (*plot.Plot, error) {
	metric := m.Name
	p := newPlot("optimisation history: "+metric+" per configuration, in planned order", "configuration", metric)
	var pts, best plotter.XYs
	var all []float64
	bestV := math.NaN()
	for i, c := range cs {
		v := c.MeanOf(metric)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		all = append(all, v)
		pts = append(pts, plotter.XY{X: float64(i + 1), Y: v})
		if math.IsNaN(bestV) || better(m, v, bestV) < 0 {
			bestV = v
		}
		best = append(best, plotter.XY{X: float64(i + 1), Y: bestV})
	}
	if len(pts) == 0 {
		return nil, nil
	}
	floor := setY(p, scaleFor(metric), all, 0)
	if floor > 0 {
		for i := range pts {
			pts[i].Y, best[i].Y = math.Max(pts[i].Y, floor), math.Max(best[i].Y, floor)
		}
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return nil, err
	}
	s.GlyphStyle.Color, s.GlyphStyle.Radius, s.GlyphStyle.Shape = color.NRGBA{R: 31, G: 119, B: 180, A: 200}, vg.Points(2.5), draw.CircleGlyph{}
	l, err := plotter.NewLine(stepped(best))
	if err != nil {
		return nil, err
	}
	l.Color, l.Width = color.NRGBA{R: 214, G: 39, B: 40, A: 255}, vg.Points(1.5)
	p.Add(s, l)
	p.X.Tick.Marker = intTicks{} // configurations are whole
	p.X.Min, p.X.Max = 0.7, float64(len(cs))+0.3
	p.Legend.Add("configuration", s)
	p.Legend.Add("best so far", l)
	p.Legend.Top = true
	return p, nil
}

// stepped turns points into a staircase that holds each value until the
// next point.
func stepped(xy plotter.XYs) plotter.XYs {
	var out plotter.XYs
	for i, pt := range xy {
		if i > 0 {
			out = append(out, plotter.XY{X: pt.X, Y: xy[i-1].Y})
		}
		out = append(out, pt)
	}
	return out
}

// importancePlot draws the parameters' shares of the metric's variance
// as horizontal bars, the most important on top.
func importancePlot(metric string, imps []Importance) (*plot.Plot, error) {
	p := newPlot("what explains "+metric+": first-order share of its variance", "share of the variance", "")
	vals := make(plotter.Values, len(imps))
	names := make([]string, len(imps))
	for i, im := range imps { // bottom to top: least important first
		vals[len(imps)-1-i], names[len(imps)-1-i] = im.Share, im.Param
	}
	b, err := plotter.NewBarChart(vals, vg.Points(14))
	if err != nil {
		return nil, err
	}
	b.Horizontal, b.Color, b.LineStyle.Width = true, color.NRGBA{R: 31, G: 119, B: 180, A: 255}, 0
	p.Add(b)
	p.NominalY(names...)
	p.X.Min, p.X.Max = 0, math.Max(0.1, slices.MaxFunc(imps, func(a, b Importance) int { return cmp.Compare(a.Share, b.Share) }).Share*1.1)
	return p, nil
}

// slicePlots are Optuna's slice plots: for each numeric parameter that
// takes several values, the metric of every configuration against it,
// early configurations light and late ones dark (where the search went);
// on a log axis when the values span more than a decade.
func slicePlots(metric string, cs []Config) ([]*plot.Plot, error) {
	var names []string
	values := map[string][]float64{}
	for _, c := range cs {
		for _, pm := range c.Params {
			if x, ok := toNumber(pm.Value); ok {
				if _, seen := values[pm.Name]; !seen {
					names = append(names, pm.Name)
				}
				values[pm.Name] = append(values[pm.Name], x)
			}
		}
	}
	var out []*plot.Plot
	for _, name := range names {
		xs := slices.Clone(values[name])
		slices.Sort(xs)
		if len(slices.Compact(xs)) < 3 {
			continue
		}
		p := newPlot(metric+" by "+name, name, metric)
		lo, hi := xs[0], xs[len(xs)-1]
		if lo > 0 && hi/lo > 10 {
			p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, logTicks{}
		}
		var all []float64
		for _, c := range cs {
			all = append(all, c.MeanOf(metric))
		}
		floor := setY(p, scaleFor(metric), all, 0)
		n := len(cs)
		for i, c := range cs {
			x, ok := toNumber(paramValue(c.Params, name))
			y := c.MeanOf(metric)
			if !ok || math.IsNaN(y) || math.IsInf(y, 0) {
				continue
			}
			if floor > 0 {
				y = math.Max(y, floor)
			}
			s, err := plotter.NewScatter(plotter.XYs{{X: x, Y: y}})
			if err != nil {
				return nil, err
			}
			// Light blue for the first configuration, dark for the last.
			t := float64(i) / math.Max(1, float64(n-1))
			s.GlyphStyle.Color = color.NRGBA{R: uint8(170 - 150*t), G: uint8(200 - 150*t), B: uint8(235 - 100*t), A: 255}
			s.GlyphStyle.Radius, s.GlyphStyle.Shape = vg.Points(2.5), draw.CircleGlyph{}
			p.Add(s)
		}
		out = append(out, p)
	}
	return out, nil
}

// searchCharts draws the optimisation history, the importance bars and
// the slice plots of the configurations, in planned order. A sweep of
// fewer than four configurations gets none.
func searchCharts(dir string, m ganexp.MetricInfo, cs []Config) (history, importance *chartRef, slice *chartRef, err error) {
	metric := m.Name
	if len(cs) < 4 {
		return nil, nil, nil, nil
	}
	if p, err := historyPlot(m, cs); err != nil {
		return nil, nil, nil, err
	} else if p != nil {
		if err := saveBoth(dir, "history", 7*vg.Inch, 3.5*vg.Inch, [][]*plot.Plot{{p}}); err != nil {
			return nil, nil, nil, err
		}
		history = &chartRef{Name: "history", Alt: metric + " of each configuration in the order planned, and the best so far"}
	}
	if imps := Importances(cs, metric); len(imps) > 0 {
		p, err := importancePlot(metric, imps)
		if err != nil {
			return nil, nil, nil, err
		}
		if err := saveBoth(dir, "importance", 6*vg.Inch, vg.Length(1+0.35*float64(len(imps)))*vg.Inch, [][]*plot.Plot{{p}}); err != nil {
			return nil, nil, nil, err
		}
		importance = &chartRef{Name: "importance", Alt: fmt.Sprintf("each parameter's first-order share of the variance of %s over %d configurations", metric, len(cs))}
	}
	plots, err := slicePlots(metric, cs)
	if err != nil || len(plots) == 0 {
		return history, importance, nil, err
	}
	var tiles [][]*plot.Plot
	for i := 0; i < len(plots); i += 3 {
		tiles = append(tiles, plots[i:min(i+3, len(plots))])
	}
	if err := saveBoth(dir, "slices", vg.Length(3.4*float64(min(3, len(plots))))*vg.Inch, vg.Length(3*len(tiles))*vg.Inch, tiles); err != nil {
		return nil, nil, nil, err
	}
	return history, importance, &chartRef{Name: "slices", Alt: metric + " of each configuration against each numeric parameter, early light, late dark"}, nil
}
