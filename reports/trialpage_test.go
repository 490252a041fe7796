package reports

import "testing"

// TestSnapshotTilesWithoutRealPoints: a trial stored before ganexp kept
// its real sample has snapshots but no real points; the shared axes are
// then the samples' own, finite (a NaN bound hung the report in gonum's
// tick labelling).
func TestSnapshotTilesWithoutRealPoints(t *testing.T) {
	snaps := []snapshot{{step: 10, data: []float64{0, 0, 1, 2}}, {step: 20, data: []float64{-1, 3, 2, 2}}}
	tiles, err := snapshotTiles(snaps, nil, nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range tiles {
		for _, p := range row {
			if p.X.Min != -1 || p.X.Max != 2 || p.Y.Min != 0 || p.Y.Max != 3 {
				t.Errorf("axes x [%v, %v], y [%v, %v]; want the samples' extent x [-1, 2], y [0, 3]", p.X.Min, p.X.Max, p.Y.Min, p.Y.Max)
			}
		}
	}
}
