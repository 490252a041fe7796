package reports

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"github.com/ganexp/ganexp"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// addChart saves a tiled figure beside the trial page and links it.
type addChart func(suffix, ext, alt string, w, h vg.Length, plots [][]*plot.Plot) error

// imageCharts draws an image trial's page: the last snapshot's 8×8 grid
// beside a grid of real images; every stored snapshot's grid as small
// multiples over training; and, with a classifier, the class histogram of
// the samples against the data's.
func imageCharts(add addChart, snaps []snapshot, data stored, c, h, w int) error {
	last := snaps[len(snaps)-1]
	gen, err := imageTile(fmt.Sprintf("generated, step %d", last.step), last.data, c, h, w)
	if err != nil {
		return err
	}
	row := []*plot.Plot{gen}
	if len(data.real) >= c*h*w {
		real, err := imageTile("real (the trial's reference sample)", data.real, c, h, w)
		if err != nil {
			return err
		}
		row = append(row, real)
	}
	if err := add("images", ".png", fmt.Sprintf("generated images at step %d beside real ones", last.step),
		vg.Length(5*len(row))*vg.Inch, 5.3*vg.Inch, [][]*plot.Plot{row}); err != nil {
		return err
	}
	var tiles [][]*plot.Plot
	row = nil
	for _, s := range snaps {
		p, err := imageTile("step "+strconv.Itoa(s.step), s.data, c, h, w)
		if err != nil {
			return err
		}
		if row = append(row, p); len(row) == 4 {
			tiles, row = append(tiles, row), nil
		}
	}
	if len(row) > 0 {
		tiles = append(tiles, row)
	}
	if err := add("snapshots", ".png", "generated images over training, one 8×8 grid per stored evaluation",
		10*vg.Inch, vg.Length(2.65*float64(len(tiles)))*vg.Inch, tiles); err != nil {
		return err
	}
	return classCharts(add, snaps, data.classP)
}

// imageTile draws up to 64 images as an 8×8 grid in a plot without axes.
func imageTile(title string, images []float64, c, h, w int) (*plot.Plot, error) {
	per := c * h * w
	n := min(ganexp.SnapshotImages, len(images)/per)
	img, err := gridImage(toF32(images[:n*per]), c, h, w, 8)
	if err != nil {
		return nil, err
	}
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.HideAxes()
	b := img.Bounds()
	p.Add(plotter.NewImage(img, 0, 0, float64(b.Dx()), float64(b.Dy())))
	p.X.Min, p.X.Max = 0, float64(b.Dx())
	p.Y.Min, p.Y.Max = 0, float64(b.Dy())
	return p, nil
}

// classCharts draws the class histograms. On MNIST's ten digits: the last
// snapshot's share of samples per digit beside the data's, and the
// shares at every stored evaluation as a heatmap, where a collapse shows
// as a few bright rows and mode hopping as a bright cell that moves. On
// Stacked MNIST's 1,000 classes: the classes ranked by their share of
// samples against the data's, which is near 1/1,000 each.
func classCharts(add addChart, snaps []snapshot, classP []float64) error {
	var hist []snapshot
	for _, s := range snaps {
		if len(s.classes) == len(classP) && len(classP) > 0 {
			hist = append(hist, s)
		}
	}
	if len(hist) == 0 {
		return nil
	}
	last := hist[len(hist)-1]
	share := shares(last.classes)
	if len(classP) > 10 {
		p, err := rankedClasses(last.step, share, classP)
		if err != nil {
			return err
		}
		return add("classes", ".svg", "classes ranked by their share of the samples, against the data's", 6*vg.Inch, 4*vg.Inch, [][]*plot.Plot{{p}})
	}
	bars, err := classBars(last.step, share, classP)
	if err != nil {
		return err
	}
	// The heatmap: a row per digit, a column per stored evaluation.
	z := make([][]float64, len(classP))
	digits := make([]string, len(classP))
	var steps []string
	for k := range z {
		digits[k] = strconv.Itoa(k)
		z[k] = make([]float64, len(hist))
	}
	for j, s := range hist {
		for k, v := range shares(s.classes) {
			z[k][j] = v
		}
		steps = append(steps, strconv.Itoa(s.step))
	}
	heat, err := heatmapPlot("share", ganexp.HigherIsBetter, "step", "digit", steps, digits, z)
	if err != nil {
		return err
	}
	heat.Title.Text = "share of samples per digit over training"
	return add("classes", ".svg", "the samples' class histogram against the data's, and over training",
		12*vg.Inch, 4*vg.Inch, [][]*plot.Plot{{bars, heat}})
}

// shares normalises counts to sum to 1.
func shares(counts []float64) []float64 {
	total := 0.0
	for _, c := range counts {
		total += c
	}
	out := make([]float64, len(counts))
	for i, c := range counts {
		out[i] = c / math.Max(total, 1)
	}
	return out
}

// classBars draws each digit's share of the samples beside its share of
// the data.
func classBars(step int, share, classP []float64) (*plot.Plot, error) {
	p := newPlot(fmt.Sprintf("classes of the samples, step %d", step), "digit", "share")
	w := vg.Points(9)
	for _, s := range []struct {
		name   string
		values []float64
		colour color.Color
		offset vg.Length
	}{
		{"generated", share, color.NRGBA{R: 31, G: 119, B: 180, A: 255}, -w / 2},
		{"data", classP, color.NRGBA{R: 190, G: 190, B: 190, A: 255}, w / 2},
	} {
		b, err := plotter.NewBarChart(plotter.Values(s.values), w)
		if err != nil {
			return nil, err
		}
		b.Color, b.LineStyle.Width, b.Offset = s.colour, 0, s.offset
		p.Add(b)
		p.Legend.Add(s.name, b)
	}
	labels := make([]string, len(share))
	for k := range labels {
		labels[k] = strconv.Itoa(k)
	}
	p.NominalX(labels...)
	p.Legend.Top = true
	// Headroom above the tallest bar for the legend.
	p.Y.Min, p.Y.Max = 0, 1.15*max(slices.Max(share), slices.Max(classP))
	return p, nil
}

// rankedClasses draws the classes sorted by their share of the samples,
// largest first, and the data's shares sorted the same way.
func rankedClasses(step int, share, classP []float64) (*plot.Plot, error) {
	covered := 0
	for _, s := range share {
		if s > 0 {
			covered++
		}
	}
	p := newPlot(fmt.Sprintf("classes by share of the samples, step %d: %d of %d have one", step, covered, len(share)), "rank", "share")
	gen, data := slices.Clone(share), slices.Clone(classP)
	slices.Sort(gen)
	slices.Reverse(gen)
	slices.Sort(data)
	slices.Reverse(data)
	for _, s := range []struct {
		name   string
		values []float64
		colour color.Color
	}{
		{"generated", gen, color.NRGBA{R: 31, G: 119, B: 180, A: 255}},
		{"data", data, color.NRGBA{R: 120, G: 120, B: 120, A: 255}},
	} {
		xy := make(plotter.XYs, len(s.values))
		for i, v := range s.values {
			xy[i] = plotter.XY{X: float64(i + 1), Y: v}
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = s.colour, vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(s.name, l)
	}
	p.Legend.Top = true
	p.Y.Min = 0
	return p, nil
}
