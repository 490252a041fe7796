package reports

import (
	"image"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// pixelScatter is a scatter plot that, on a raster canvas, sets small
// squares of pixels directly instead of filling one vector path per point:
// hundreds of times cheaper, which matters for sample snapshots of
// thousands of points on every trial page. On other canvases (SVG) it
// draws ordinary square glyphs.
type pixelScatter struct {
	xy     plotter.XYs
	colour color.NRGBA
	size   vg.Length // side of a point
}

// Plot implements plot.Plotter.
func (s *pixelScatter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	img := rasterOf(c.Canvas)
	if img == nil {
		style := draw.GlyphStyle{Color: s.colour, Radius: s.size / 2, Shape: draw.BoxGlyph{}}
		for _, pt := range s.xy {
			if q := (vg.Point{X: trX(pt.X), Y: trY(pt.Y)}); c.Contains(q) {
				c.DrawGlyph(style, q)
			}
		}
		return
	}
	rgba, ok := img.Image().(*image.RGBA)
	if !ok {
		return
	}
	scale := img.DPI() / 72
	height := rgba.Bounds().Dy()
	side := max(1, int(float64(s.size)*scale+0.5))
	a := uint32(s.colour.A)
	for _, pt := range s.xy {
		q := vg.Point{X: trX(pt.X), Y: trY(pt.Y)}
		if !c.Contains(q) {
			continue
		}
		x0 := int(float64(q.X)*scale) - side/2
		y0 := height - int(float64(q.Y)*scale) - side/2
		for y := y0; y < y0+side; y++ {
			for x := x0; x < x0+side; x++ {
				if !(image.Point{X: x, Y: y}.In(rgba.Rect)) {
					continue
				}
				i := rgba.PixOffset(x, y)
				px := rgba.Pix[i : i+4 : i+4]
				// Source-over blending with a straight-alpha colour.
				px[0] = uint8((uint32(s.colour.R)*a + uint32(px[0])*(255-a)) / 255)
				px[1] = uint8((uint32(s.colour.G)*a + uint32(px[1])*(255-a)) / 255)
				px[2] = uint8((uint32(s.colour.B)*a + uint32(px[2])*(255-a)) / 255)
				px[3] = uint8(a + uint32(px[3])*(255-a)/255)
			}
		}
	}
}

// rasterOf finds the image canvas under the draw.Canvas wrappers that
// plot layouts add, or nil when drawing to a vector format.
func rasterOf(cv vg.Canvas) *vgimg.Canvas {
	for {
		switch v := cv.(type) {
		case *vgimg.Canvas:
			return v
		case *draw.Canvas:
			cv = v.Canvas
		case draw.Canvas:
			cv = v.Canvas
		default:
			return nil
		}
	}
}

// DataRange implements plot.DataRanger.
func (s *pixelScatter) DataRange() (xmin, xmax, ymin, ymax float64) {
	return plotter.XYRange(s.xy)
}

// Thumbnail implements plot.Thumbnailer, for the legend.
func (s *pixelScatter) Thumbnail(c *draw.Canvas) {
	style := draw.GlyphStyle{Color: s.colour, Radius: s.size, Shape: draw.BoxGlyph{}}
	c.DrawGlyph(style, c.Center())
}
