package reports

import (
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// TestImageGrid: images are laid 8 to a row at twice their size with a
// pixel between them; a pixel of value 1 is white, −1 black.
func TestImageGrid(t *testing.T) {
	const c, h, w = 1, 4, 4
	images := make([]float32, 10*h*w)
	for i := range images {
		images[i] = 1
	}
	images[9*h*w] = -1 // the tenth image's first pixel
	img, err := gridImage(images, c, h, w, 8)
	if err != nil {
		t.Fatal(err)
	}
	cell := 2*w + 1
	if b := img.Bounds(); b.Dx() != 8*cell+1 || b.Dy() != 2*cell+1 {
		t.Errorf("%d×%d, want %d×%d", b.Dx(), b.Dy(), 8*cell+1, 2*cell+1)
	}
	for _, p := range []struct{ x, y, want int }{
		{0, 0, 255},               // the gap
		{2, 2, 255},               // inside the first image
		{cell + 1, cell + 1, 0},   // the tenth image's first pixel, top left of row 2, column 2
		{cell + 2, cell + 2, 0},   // drawn 2×2
		{cell + 3, cell + 3, 255}, // its second pixel
	} {
		if r, _, _, _ := img.At(p.x, p.y).RGBA(); int(r>>8) != p.want {
			t.Errorf("pixel (%d, %d) = %d, want %d", p.x, p.y, r>>8, p.want)
		}
	}
}

// TestImageCharts: an image trial's page draws the last grid beside the
// real one, every snapshot's grid four to a row, and the class histogram:
// bars and a heatmap on ten digits, ranked shares on 1,000 classes. Each
// chart is written and decodes.
func TestImageCharts(t *testing.T) {
	const c, h, w = 1, 4, 4
	imgs := func(n int, v float64) []float64 {
		out := make([]float64, n*h*w)
		for i := range out {
			out[i] = v
		}
		return out
	}
	for _, k := range []int{10, 1000} {
		dir := t.TempDir()
		var got []string
		var tiles [][][]*plot.Plot
		add := func(suffix, ext, alt string, width, height vg.Length, plots [][]*plot.Plot) error {
			got, tiles = append(got, suffix+ext), append(tiles, plots)
			return saveTiles(filepath.Join(dir, suffix+ext), width, height, plots)
		}
		counts := make([]float64, k)
		counts[3] = 60
		classP := make([]float64, k)
		for i := range classP {
			classP[i] = 1 / float64(k)
		}
		snaps := []snapshot{{step: 10, data: imgs(64, -1), classes: counts}, {step: 20, data: imgs(5, 0)},
			{step: 30, data: imgs(64, 1), classes: counts}, {step: 40, data: imgs(64, 1), classes: counts},
			{step: 50, data: imgs(64, 1), classes: counts}}
		if err := imageCharts(add, snaps, stored{real: imgs(64, 0.5), classP: classP}, c, h, w); err != nil {
			t.Fatal(err)
		}
		want := []string{"images.png", "snapshots.png", "classes.svg"}
		if !slices.Equal(got, want) {
			t.Fatalf("k=%d: charts %v, want %v", k, got, want)
		}
		if n := len(tiles[0][0]); n != 2 {
			t.Errorf("k=%d: %d tiles beside each other, want the last grid and the real one", k, n)
		}
		if rows := len(tiles[1]); rows != 2 || len(tiles[1][0]) != 4 || len(tiles[1][1]) != 1 {
			t.Errorf("k=%d: snapshots laid out %d rows, want 4 then 1", k, rows)
		}
		if n := len(tiles[2][0]); (k == 10) != (n == 2) {
			t.Errorf("k=%d: %d class charts, want 2 on ten classes and 1 on 1,000", k, n)
		}
		f, err := os.Open(filepath.Join(dir, "snapshots.png"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = png.Decode(f)
		f.Close()
		if err != nil {
			t.Error(err)
		}
	}
}

// TestShares: counts become shares summing to 1, and no counts stay 0.
func TestShares(t *testing.T) {
	if got, want := shares([]float64{1, 3, 0}), []float64{0.25, 0.75, 0}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := shares([]float64{0, 0}); got[0] != 0 {
		t.Errorf("no counts: %v", got)
	}
}
