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
)

// Statuses lists every status in lifecycle order, for summaries.
var Statuses = []Status{
	StatusPending, StatusRunning, StatusCompleted, StatusCollapsed,
	StatusDiverged, StatusFailed, StatusInterrupted,
}

// Done reports whether a trial in this status holds a result, so that a
// rerun of its sweep skips it. Collapse and divergence are results, not
// errors; failed and interrupted trials run again.
func (s Status) Done() bool {
	return s == StatusCompleted || s == StatusCollapsed || s == StatusDiverged
}
