//go:build faults

package cli

import (
	"github.com/ganexp/ganexp/gan"
	"github.com/ganexp/ganexp/internal/faults"
	"github.com/ganexp/ganexp/runner"
)

// This file is built with -tags faults only: the end-to-end tests and CI
// build ganexp so, to make trials fail on purpose through GANEXP_FAULT
// (internal/faults). A normal build has faults_off.go instead.

// checkFaults validates GANEXP_FAULT before a sweep starts; the workers,
// which inherit the environment, carry the fault out.
func checkFaults(a *App) error {
	if spec := a.Getenv("GANEXP_FAULT"); spec != "" {
		_, err := faults.Parse(spec)
		return err
	}
	return nil
}

// workerTrainer is the trainer of `ganexp worker`: gan's, wrapped so that
// the trials GANEXP_FAULT selects fail as it says.
func workerTrainer(a *App) (runner.Trainer, error) {
	spec := a.Getenv("GANEXP_FAULT")
	if spec == "" {
		return gan.Trainer{}, nil
	}
	rule, err := faults.Parse(spec)
	if err != nil {
		return nil, err
	}
	return faults.Trainer{Inner: gan.Trainer{}, Pick: rule.Apply, VMPanicAt: gan.PanicInVM}, nil
}
