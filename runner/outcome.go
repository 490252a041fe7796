// Package runner schedules trials with a bounded errgroup and owns each
// trial's lifecycle: claim, train (in this process or in a worker
// process), evaluate, record, finish.
package runner

import (
	"errors"
	"syscall"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/detect"
	"github.com/ganexp/ganexp/prune"
)

// Outcome is how one trial ended.
type Outcome struct {
	Status    ganexp.Status `json:"status"`
	StepsDone int           `json:"steps_done"`
	Error     string        `json:"error,omitempty"` // message (and stack) of a failed trial
	// Verdict is the detector verdict that set a collapsed or diverged
	// status, and StepsSaved the planned steps that stopping spared.
	Verdict    *detect.Verdict `json:"verdict,omitempty"`
	StepsSaved int             `json:"steps_saved,omitempty"`
	// Pruned is the pruner's judgement that stopped a pruned trial.
	Pruned *prune.Judgement `json:"pruned,omitempty"`
	// Tracking is the time the trial spent on anything but training.
	Tracking ganexp.Tracking `json:"tracking"`
	// StorageErrno is set when the trial stopped because a file it keeps
	// beside the database (a checkpoint, its generator) could not be
	// written: the disk's errno (ENOSPC, EROFS …), or -1 for another
	// cause. Not the trial's fault: the sweep stops, and the trial is
	// left to run again.
	StorageErrno int `json:"storage_errno,omitempty"`
}

// storageErrno is Outcome.StorageErrno for err.
func storageErrno(err error) int {
	var we *ganexp.WriteError
	if !errors.As(err, &we) {
		return 0
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return int(errno)
	}
	return -1
}
