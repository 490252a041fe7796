package reports

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"strconv"

	"gonum.org/v1/plot/vg"
)

// gridScale is how many screen pixels show one image pixel in a grid, so
// that 28×28 digits are not stamps.
const gridScale = 2

// WriteImageGrid draws images (each c×h×w values in [−1, 1], channel by
// channel: one channel is grey, three are red, green and blue) as a grid of
// cols columns, a pixel's gap between them, as a PNG.
func WriteImageGrid(out io.Writer, images []float32, c, h, w, cols int) error {
	img, err := gridImage(images, c, h, w, cols)
	if err != nil {
		return err
	}
	return png.Encode(out, img)
}

// gridImage lays images out as WriteImageGrid draws them.
func gridImage(images []float32, c, h, w, cols int) (*image.RGBA, error) {
	per := c * h * w
	n := len(images) / per
	if n == 0 || cols < 1 {
		return nil, fmt.Errorf("image grid: no images")
	}
	rows := (n + cols - 1) / cols
	cell := func(k int) int { return k*(gridScale*w+1) + 1 }
	img := image.NewRGBA(image.Rect(0, 0, cell(cols), rows*(gridScale*h+1)+1))
	for i := range img.Pix {
		img.Pix[i] = 255 // white gaps
	}
	level := func(v float32) uint8 {
		return uint8(max(0, min(255, (float64(v)+1)*127.5+0.5)))
	}
	for k := range n {
		x0, y0 := cell(k%cols), (k/cols)*(gridScale*h+1)+1
		im := images[k*per : (k+1)*per]
		for y := range h {
			for x := range w {
				var px color.RGBA
				if c == 3 {
					px = color.RGBA{level(im[y*w+x]), level(im[h*w+y*w+x]), level(im[2*h*w+y*w+x]), 255}
				} else {
					g := level(im[y*w+x])
					px = color.RGBA{g, g, g, 255}
				}
				for dy := range gridScale {
					for dx := range gridScale {
						img.SetRGBA(x0+gridScale*x+dx, y0+gridScale*y+dy, px)
					}
				}
			}
		}
	}
	return img, nil
}

// WriteSampleScatter draws 2-D samples (dim values each, the first two
// plotted) as a scatter, to path (PNG, SVG or PDF by its extension).
func WriteSampleScatter(path, title string, samples []float32, dim int) error {
	pts := make([]float64, len(samples))
	for i, v := range samples {
		pts[i] = float64(v)
	}
	p, err := scatterPlot(title, nil, pts, dim, nil)
	if err != nil {
		return err
	}
	return savePlot(path, 6*vg.Inch, 6*vg.Inch, p)
}

// WriteSamplesCSV writes samples as CSV: a header x1…xdim, then a row per
// sample.
func WriteSamplesCSV(out io.Writer, samples []float32, dim int) error {
	w := bufio.NewWriter(out)
	for j := range dim {
		if j > 0 {
			w.WriteByte(',')
		}
		fmt.Fprintf(w, "x%d", j+1)
	}
	w.WriteByte('\n')
	for i := 0; i+dim <= len(samples); i += dim {
		for j, v := range samples[i : i+dim] {
			if j > 0 {
				w.WriteByte(',')
			}
			w.WriteString(strconv.FormatFloat(float64(v), 'g', -1, 32))
		}
		w.WriteByte('\n')
	}
	return w.Flush()
}
