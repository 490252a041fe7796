package evaluate

// Snapshots of G's samples, which the HTML report draws, are stored with a
// bounded size: at most maxSnapshots evaluations keep them (the first,
// evenly spaced ones, the last planned one and the one a verdict stopped
// at), and each keeps at most ganexp.SnapshotPoints samples.
const maxSnapshots = 12

// snapshotStride is the number of evaluations between kept snapshots.
func snapshotStride(steps, evalEvery int) int {
	evals := (steps + evalEvery - 1) / evalEvery
	return max(1, (evals+maxSnapshots-2)/(maxSnapshots-1))
}

// keepSnapshot reports whether the evaluation at step keeps artifacts.
func keepSnapshot(step, steps, evalEvery int) bool {
	if step == steps {
		return true
	}
	if step%evalEvery != 0 {
		return false
	}
	i := step/evalEvery - 1 // 0-based evaluation index
	return i%snapshotStride(steps, evalEvery) == 0
}
