package evaluate

import (
	"slices"
	"testing"
)

func TestSnapshotPlan(t *testing.T) {
	tests := []struct {
		steps, every int
		want         []int
	}{
		// 30 evaluations, stride 3: the 1st, 4th, … 28th, and the last.
		{3000, 100, []int{100, 400, 700, 1000, 1300, 1600, 1900, 2200, 2500, 2800, 3000}},
		// Fewer evaluations than snapshots: all of them.
		{600, 100, []int{100, 200, 300, 400, 500, 600}},
		// The last step is kept even when it is off the cadence.
		{250, 100, []int{100, 200, 250}},
	}
	for _, tt := range tests {
		var got []int
		for step := 1; step <= tt.steps; step++ {
			if (step%tt.every == 0 || step == tt.steps) && keepSnapshot(step, tt.steps, tt.every) {
				got = append(got, step)
			}
		}
		if !slices.Equal(got, tt.want) || len(got) > maxSnapshots {
			t.Errorf("%d steps every %d: got %v, want %v", tt.steps, tt.every, got, tt.want)
		}
	}
}
