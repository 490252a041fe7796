//go:build !faults

package cli

import (
	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/gan"
	"github.com/ganexp/ganexp/runner"
)

// checkFaults refuses GANEXP_FAULT: fault injection is a test tool that
// only a build with -tags faults has (faults_on.go).
func checkFaults(a *App) error {
	if a.Getenv("GANEXP_FAULT") != "" {
		return ganexp.Inputf("GANEXP_FAULT", "unset it; fault injection is for tests, in a build with -tags faults", "this ganexp is built without fault injection")
	}
	return nil
}

// workerTrainer is the trainer of `ganexp worker`.
func workerTrainer(*App) (runner.Trainer, error) { return gan.Trainer{}, nil }
