package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/evaluate"
	"github.com/ganexp/ganexp/gan"
	"github.com/ganexp/ganexp/reports"
	"github.com/spf13/cobra"
)

// SampleOptions are the inputs of `ganexp sample`.
type SampleOptions struct {
	App    *App
	Key    string
	N      int
	Seed   uint64
	Out    string
	Format string // png (or svg, pdf for points) or csv
}

// NewCmdSample builds `ganexp sample KEY`.
func NewCmdSample(a *App, runF func(context.Context, *SampleOptions) error) *cobra.Command {
	o := &SampleOptions{App: a}
	cmd := &cobra.Command{
		Use: "sample KEY",
		Example: `  ganexp sample 7f9e1329 --out grid.png            # an 8×8 grid of digits, or a scatter of points
  ganexp sample 7f9e --n 1000 --seed 2 --format csv > samples.csv`,
		Short: "Draw new samples from a finished trial's generator",
		Long: `sample draws new samples from the final generator of a finished trial
(kept in the checkpoint folder beside the database), with G in evaluation
mode: an image grid for image data, a scatter for 2-D points, or CSV.
KEY may be any unique prefix of the trial key.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			o.Key = a[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return sampleRun(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.N, "n", 64, "how many samples")
	f.Uint64Var(&o.Seed, "seed", 1, "seed of the noise")
	f.StringVar(&o.Out, "out", "", "output file (the format follows its extension); CSV goes to stdout without it")
	f.StringVar(&o.Format, "format", "", "png, svg, pdf or csv (default: the --out extension)")
	return cmd
}

func sampleRun(ctx context.Context, o *SampleOptions) error {
	if o.N < 1 {
		return usagef("--n must be at least 1, got %d", o.N)
	}
	format := strings.ToLower(o.Format)
	if format == "" {
		format = strings.TrimPrefix(strings.ToLower(filepath.Ext(o.Out)), ".")
	}
	switch {
	case format == "csv":
	case o.Out == "":
		return usagef("give --out FILE.png (or --format csv for CSV on stdout)")
	case format != "png" && format != "svg" && format != "pdf":
		return usagef("--out %s: write .png, .svg, .pdf or .csv", o.Out)
	}
	store, err := db.OpenReadOnly(ctx, o.App.DBPath(), evaluate.Infos())
	if err != nil {
		return err
	}
	defer store.Close()
	row, err := store.FindTrial(ctx, o.Key)
	var ie *ganexp.InputError
	if errors.Is(err, db.ErrNoTrial) && errors.As(err, &ie) {
		ie.Hint = "list the keys with `" + o.App.Command("runs") + "`"
	}
	if err != nil {
		return err
	}
	var cfg ganexp.Config
	if err := json.Unmarshal([]byte(row.ConfigJSON), &cfg); err != nil {
		return fmt.Errorf("trial %s: config: %w", row.Key, err)
	}
	path := ganexp.GeneratorPath(CheckpointDir(o.App.DBPath()), row.Key)
	if _, err := os.Stat(path); err != nil {
		return ganexp.Inputf(path, "sample a trial that finished with this version of ganexp (`"+o.App.Command("runs")+"` lists them)",
			"no generator kept for trial %s (%s)", row.Key, row.Status)
	}
	samples, dim, err := gan.Sample(ganexp.Trial{Key: row.Key, Seed: row.Seed, Config: cfg}, path, o.N, o.Seed)
	if err != nil {
		return err
	}
	if format == "csv" {
		if o.Out == "" {
			return reports.WriteSamplesCSV(o.App.Out, samples, dim)
		}
		return writeFileWith(o.Out, func(f *os.File) error { return reports.WriteSamplesCSV(f, samples, dim) })
	}
	if c, h, w, image := cfg.Dataset.ImageShape(); image {
		if format != "png" {
			return usagef("--out %s: image grids are PNG", o.Out)
		}
		cols := 8
		if o.N < cols {
			cols = o.N
		}
		return writeFileWith(o.Out, func(f *os.File) error { return reports.WriteImageGrid(f, samples, c, h, w, cols) })
	}
	if dim != 2 {
		return usagef("trial %s has %d-D samples: use --format csv", row.Key, dim)
	}
	return reports.WriteSampleScatter(o.Out, fmt.Sprintf("%d samples of trial %s (seed %d)", o.N, row.Key, o.Seed), samples, dim)
}

// writeFileWith creates path and writes it with write, removing it again
// if that fails.
func writeFileWith(path string, write func(*os.File) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}
