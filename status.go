package ganexp

// Status is the lifecycle state of a trial, stored in trials.status.
type Status string

// The statuses of a trial (README § The database).
const (
	StatusPending     Status = "pending"
	StatusRunning     Status = "running"
	StatusCompleted   Status = "completed"
	StatusCollapsed   Status = "collapsed"
	StatusDiverged    Status = "diverged"
	StatusFailed      Status = "failed"
	StatusInterrupted Status = "interrupted"
	// StatusPruned is a trial a pruner stopped at a rung because it was
	// doing worse than its peers there (sweep files' prune:). It is a
	// result: under ASHA it may still be promoted and go on.
	StatusPruned Status = "pruned"
)

// Statuses lists every status in lifecycle order, for summaries.
var Statuses = []Status{
	StatusPending, StatusRunning, StatusCompleted, StatusCollapsed,
	StatusDiverged, StatusPruned, StatusFailed, StatusInterrupted,
}

// Done reports whether a trial in this status holds a result, so that a
// rerun of its sweep skips it. Collapse, divergence and pruning are
// results, not errors; failed and interrupted trials run again.
func (s Status) Done() bool {
	return s == StatusCompleted || s == StatusCollapsed || s == StatusDiverged || s == StatusPruned
}

// Finished reports whether a trial ran as far as it was going to on its
// own: to its last step, or until a detector stopped it. Pruned trials
// are not finished; the median rule compares against finished ones only.
func (s Status) Finished() bool {
	return s == StatusCompleted || s == StatusCollapsed || s == StatusDiverged
}
