package reports

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ganexp/ganexp"
	"gonum.org/v1/plot/plotter"
)

// TestStepped: the best-so-far line holds each value until the next
// point: (1, 3), (2, 1) becomes (1, 3), (2, 3), (2, 1).
func TestStepped(t *testing.T) {
	got := stepped(plotter.XYs{{X: 1, Y: 3}, {X: 2, Y: 1}, {X: 4, Y: 1}})
	want := plotter.XYs{{X: 1, Y: 3}, {X: 2, Y: 3}, {X: 2, Y: 1}, {X: 4, Y: 1}, {X: 4, Y: 1}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestSearchCharts: four or more configurations get the history, the
// importance bars and a slice plot per numeric parameter, as SVG and PNG;
// three get none.
func TestSearchCharts(t *testing.T) {
	info := ganexp.MetricInfo{Name: "m", Better: ganexp.LowerIsBetter}
	var params [][]ganexp.Param
	var ys []float64
	for i := range 6 {
		params = append(params, []ganexp.Param{{Name: "lr", Value: 1e-5 * float64(int(1)<<(2*i))}, {Name: "loss", Value: []string{"a", "b"}[i%2]}})
		ys = append(ys, float64((i-3)*(i-3)))
	}
	cs := configsOf(params, ys)
	dir := t.TempDir()
	h, imp, sl, err := searchCharts(dir, info, cs)
	if err != nil || h == nil || imp == nil || sl == nil {
		t.Fatalf("charts %v %v %v, %v", h, imp, sl, err)
	}
	for _, name := range []string{"history", "importance", "slices"} {
		for _, ext := range []string{".svg", ".png"} {
			if st, err := os.Stat(filepath.Join(dir, name+ext)); err != nil || st.Size() == 0 {
				t.Errorf("%s%s: %v", name, ext, err)
			}
		}
	}
	if h, imp, sl, err := searchCharts(t.TempDir(), info, cs[:3]); h != nil || imp != nil || sl != nil || err != nil {
		t.Errorf("three configurations drew charts")
	}
}
