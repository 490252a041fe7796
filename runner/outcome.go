// Package runner schedules trials with a bounded errgroup and owns each
// trial's lifecycle: claim, train (in this process or in a worker
// process), evaluate, record, finish.
package runner

import (
	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/detect"
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
	// Tracking is the time the trial spent on anything but training.
	Tracking ganexp.Tracking `json:"tracking"`
}
