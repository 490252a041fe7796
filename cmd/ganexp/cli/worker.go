package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/runner"
	"github.com/spf13/cobra"
)

// NewCmdWorker builds the hidden `ganexp worker` command that the sweep
// runs once per trial. It reads the trial as one JSON line on stdin,
// streams messages on stdout, and stops early (as interrupted) on SIGINT
// or when stdin closes because the parent died.
func NewCmdWorker(a *App) *cobra.Command {
	return &cobra.Command{
		Use:    "worker",
		Short:  "Train one trial for a sweep (internal)",
		Hidden: true,
		Args:   args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			tr, err := workerTrainer(a)
			if err != nil {
				return err
			}
			return workerRun(cmd.Context(), a, tr)
		},
	}
}

func workerRun(ctx context.Context, a *App, tr runner.Trainer) error {
	in := bufio.NewReader(a.In)
	line, err := in.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("worker: read trial: %w", err)
	}
	var t ganexp.Trial
	if err := json.Unmarshal(line, &t); err != nil {
		return fmt.Errorf("worker: decode trial: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		io.Copy(io.Discard, in) // returns when the parent closes stdin or dies
		cancel()
	}()
	sink := runner.NewWireSink(a.Out)
	out := runner.RunTrial(ctx, t, tr, sink)
	return sink.Done(out)
}
