package reports

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"

	"github.com/ganexp/ganexp/db"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Curve is one configuration's metric over training, one series per seed.
type Curve struct {
	Label  string
	Series [][]db.Point
	// DSteps is D steps per training step (n_critic), for an x-axis of D
	// steps; 0 counts as 1.
	DSteps float64
}

// X axes of PlotCurves.
const (
	XStep  = "step"   // training (G) steps
	XWall  = "wall"   // seconds since the trial started
	XDStep = "d_step" // discriminator steps: G steps × n_critic
)

// XAxes lists the valid CurveOptions.X values.
var XAxes = []string{XStep, XWall, XDStep}

// CurveOptions shape PlotCurves' axes.
type CurveOptions struct {
	X   string // XStep (default), XWall or XDStep
	Log bool   // a log y-axis whatever the values' span
}

// scaleFor is how a metric's axis reads best: counts from zero with whole
// ticks, shares within [0, 1], distances on a log axis when they span
// decades.
func scaleFor(metric string) yScale {
	switch metric {
	case "modes_captured":
		return countY
	case "hq_fraction", "balanced_hq", "precision", "recall", "coverage", "ndb_k", "confidence":
		return shareY
	case "mmd2", "swd", "mode_kl", "fd":
		return distY
	}
	return linearY
}

// PlotCurves draws each curve as its mean over seeds with a band from the
// lowest to the highest seed, and saves the figure to path; the extension
// picks the format (.png, .svg, .pdf). The legend sits below the chart.
func PlotCurves(path, title, metric string, curves []Curve, opts CurveOptions) error {
	xlabel := map[string]string{XStep: "training step", XWall: "wall time (s)", XDStep: "discriminator step"}[cmp.Or(opts.X, XStep)]
	p := newPlot(title, xlabel, metric)
	var all []float64
	for _, c := range curves {
		for _, s := range c.Series {
			for _, pt := range s {
				if pt.Value != nil {
					all = append(all, *pt.Value)
				}
			}
		}
	}
	scale := scaleFor(metric)
	if opts.Log {
		scale = logY
	}
	floor := setY(p, scale, all, 0)
	for i, c := range curves {
		mean, lo, hi := band(c, opts.X, floor)
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
			label = fmt.Sprintf("%s (mean of %d seeds, band: lowest to highest)", label, n)
		}
		p.Legend.Add(label, line, points)
	}
	// A legend below needs room: a line per curve.
	h := 4.5*vg.Inch + vg.Length(len(curves))*vg.Points(14)
	return savePlot(path, 8*vg.Inch, h, p)
}

// band aligns the series by step and returns the mean, min and max at
// each step where at least one series has a finite value; x is the step,
// the D step, or the mean wall time of the seeds at that step. On a log
// axis (floor > 0) values are drawn no lower than floor.
func band(c Curve, x string, floor float64) (mean, lo, hi plotter.XYs) {
	vals := map[int][]float64{}
	walls := map[int][]float64{}
	var steps []int
	for _, s := range c.Series {
		for _, p := range s {
			if p.Value == nil || math.IsNaN(*p.Value) || math.IsInf(*p.Value, 0) {
				continue
			}
			if _, ok := vals[p.Step]; !ok {
				steps = append(steps, p.Step)
			}
			v := *p.Value
			if floor > 0 {
				v = math.Max(v, floor)
			}
			vals[p.Step] = append(vals[p.Step], v)
			walls[p.Step] = append(walls[p.Step], p.WallS)
		}
	}
	slices.Sort(steps)
	for _, st := range steps {
		v := vals[st]
		var px float64
		switch x {
		case XWall:
			px = meanOf(walls[st])
		case XDStep:
			px = float64(st) * max(c.DSteps, 1)
		default:
			px = float64(st)
		}
		mean = append(mean, plotter.XY{X: px, Y: meanOf(v)})
		lo = append(lo, plotter.XY{X: px, Y: slices.Min(v)})
		hi = append(hi, plotter.XY{X: px, Y: slices.Max(v)})
	}
	return mean, lo, hi
}

func meanOf(v []float64) float64 {
	sum := 0.0
	for _, x := range v {
		sum += x
	}
	return sum / float64(len(v))
}

func reversed(xy plotter.XYs) plotter.XYs {
	out := slices.Clone(xy)
	slices.Reverse(out)
	return out
}
