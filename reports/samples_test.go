package reports

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestImageGrids: an image trial's page gets the last snapshot's grid, a
// grid of real images and a row per snapshot, each a PNG of 8 images a
// row at twice their size with a pixel between them.
func TestImageGrids(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "trials"), 0o755); err != nil {
		t.Fatal(err)
	}
	const c, h, w = 1, 4, 4
	imgs := func(n int, v float64) []float64 {
		out := make([]float64, n*h*w)
		for i := range out {
			out[i] = v
		}
		return out
	}
	snaps := []snapshot{{step: 10, data: imgs(64, -1)}, {step: 20, data: imgs(5, 0)}, {step: 30, data: imgs(64, 1)}}
	var page trialPage
	if err := imageGrids(dir, "k", &page, snaps, imgs(64, 0.5), c, h, w); err != nil {
		t.Fatal(err)
	}
	cell := 2*w + 1
	for i, want := range []struct {
		name string
		rows int
	}{{"k-samples.png", 8}, {"k-real.png", 8}, {"k-snapshots.png", 3}} {
		if page.Charts[i].Name != want.name {
			t.Fatalf("chart %d is %s, want %s", i, page.Charts[i].Name, want.name)
		}
		f, err := os.Open(filepath.Join(dir, "trials", want.name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 8*cell+1 || b.Dy() != want.rows*cell+1 {
			t.Errorf("%s: %d×%d, want %d×%d", want.name, b.Dx(), b.Dy(), 8*cell+1, want.rows*cell+1)
		}
	}
	// The last snapshot's images are white (1): a pixel inside the first.
	f, _ := os.Open(filepath.Join(dir, "trials", "k-samples.png"))
	img, _ := png.Decode(f)
	f.Close()
	if r, _, _, _ := img.At(2, 2).RGBA(); r>>8 != 255 {
		t.Errorf("a sample pixel of value 1 drew %d, want 255", r>>8)
	}
}
