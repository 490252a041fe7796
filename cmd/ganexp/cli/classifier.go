package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ganexp/ganexp/dataset"
	"github.com/ganexp/ganexp/gan"
	"github.com/spf13/cobra"
)

// ClassifierOptions are the inputs of `ganexp classifier`.
type ClassifierOptions struct {
	App     *App
	Data    string // mnist or stacked_mnist (classified a channel at a time)
	Path    string // the MNIST folder; empty: $GANEXP_MNIST or the module's
	Seed    int64
	Retrain bool
}

// NewCmdClassifier builds `ganexp classifier`.
func NewCmdClassifier(a *App, runF func(context.Context, *ClassifierOptions) error) *cobra.Command {
	o := &ClassifierOptions{App: a}
	cmd := &cobra.Command{
		Use: "classifier",
		Example: `  ganexp classifier                 # train it once (about half a minute), or show the cached one
  ganexp classifier --seed 2 --retrain`,
		Short: "Train or show the digit classifier that judges image GANs",
		Long: `classifier trains the small CNN that ganexp uses to tell which digit a
generated image shows, on MNIST's training digits, and reports its accuracy
on the t10k digits. It is trained once per data set and seed and cached in
$GANEXP_CACHE (default: ganexp in the user cache folder), keyed by the data's
contents; later calls, and sweeps, read the cache. Stacked MNIST uses the
same classifier on each channel.`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return classifierRun(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Data, "data", "mnist", "mnist or stacked_mnist")
	f.StringVar(&o.Path, "path", "", "folder of MNIST's IDX files (default $GANEXP_MNIST, else the GoMNIST module's)")
	f.Int64Var(&o.Seed, "seed", 1, "seed of the classifier's initial weights and batch order")
	f.BoolVar(&o.Retrain, "retrain", false, "train again even if a cached classifier exists")
	return cmd
}

// CacheDir is where ganexp caches what it trains once per data set:
// $GANEXP_CACHE, else ganexp in the user's cache folder.
func CacheDir() (string, error) {
	if d := os.Getenv("GANEXP_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache folder: set $GANEXP_CACHE (%w)", err)
	}
	return filepath.Join(d, "ganexp"), nil
}

func classifierRun(ctx context.Context, o *ClassifierOptions) error {
	if o.Data != "mnist" && o.Data != "stacked_mnist" {
		return usagef("--data must be mnist or stacked_mnist, got %q", o.Data)
	}
	dir, err := dataset.MNISTDir(o.Path)
	if err != nil {
		return err
	}
	c, path, trained, err := ensureClassifier(ctx, o.App.Out, o.App.Err, dir, o.Seed, o.Retrain)
	if err != nil {
		return err
	}
	if trained {
		fmt.Fprintf(o.App.Out, "classifier: %.2f%% on %d test digits; cached at %s\n", 100*c.Accuracy, c.Tested, path)
		return nil
	}
	fmt.Fprintf(o.App.Out, "classifier for %s (sha256 %.12s…, seed %d): %.2f%% on %d test digits; cached at %s\n",
		dir, c.Digest, c.Seed, 100*c.Accuracy, c.Tested, path)
	return nil
}

// ensureClassifier returns the classifier of the MNIST files in dir for
// seed, from the cache, or trained (saying so on out, epoch by epoch) and
// cached when the cache has none or retrain is set. It reports whether it
// trained one.
func ensureClassifier(ctx context.Context, out, errOut io.Writer, dir string, seed int64, retrain bool) (*gan.Classifier, string, bool, error) {
	train, err := dataset.LoadMNIST(dir, "train")
	if err != nil {
		return nil, "", false, err
	}
	cache, err := CacheDir()
	if err != nil {
		return nil, "", false, err
	}
	path := gan.ClassifierPath(cache, train.Digest, seed)
	if !retrain {
		c, err := gan.LoadClassifier(path)
		switch {
		case err == nil:
			return c, path, false, nil
		case !errors.Is(err, gan.ErrNoClassifier):
			fmt.Fprintf(errOut, "%v: training it again\n", err)
		}
	}
	test, err := dataset.LoadMNIST(dir, "t10k")
	if err != nil {
		return nil, "", false, err
	}
	fmt.Fprintf(out, "training the digit classifier on %d digits of %s, seed %d, %d epochs (once: it is cached)\n", train.Len(), dir, seed, gan.ClassifierEpochs)
	c, err := gan.TrainClassifier(ctx, train, test, seed, func(epoch int, acc float64) {
		fmt.Fprintf(out, "classifier epoch %d/%d: %.2f%% on %d test digits\n", epoch, gan.ClassifierEpochs, 100*acc, test.Len())
	})
	if err != nil {
		return nil, "", false, err
	}
	if err := c.Save(path); err != nil {
		return nil, "", false, err
	}
	return c, path, true, nil
}
