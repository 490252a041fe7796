package runner

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/dataset"
	"github.com/ganexp/ganexp/evaluate"
)

// Trainer trains one GAN; gan.Trainer is the real one.
type Trainer interface {
	Train(ctx context.Context, t ganexp.Trial, data ganexp.Sampler, obs ganexp.Observer) (int, error)
}

// ClassifierLoader is a Trainer that can load the classifier that judges
// image trials (gan.Trainer can).
type ClassifierLoader interface {
	LoadClassifier(path string) (ganexp.ImageClassifier, error)
}

// RunTrial trains t with tr, has every snapshot evaluated and judged
// (package evaluate), and reports to sink. A panic in Go code (trainer,
// metrics, detectors) fails only this trial. It never returns an error:
// every way a trial can end is an Outcome.
func RunTrial(ctx context.Context, t ganexp.Trial, tr Trainer, sink ganexp.Sink) (out Outcome) {
	var ev *evaluate.Evaluator
	defer func() {
		if r := recover(); r != nil {
			out = Outcome{Status: ganexp.StatusFailed, Error: fmt.Sprintf("panic: %v\n\n%s", r, debug.Stack())}
			if ev != nil {
				out.StepsDone = ev.LastStep()
			}
		}
		if ev != nil {
			out.Tracking = ev.Tracking()
		}
	}()
	src, err := dataset.New(t.Config.Dataset)
	if err != nil {
		return Outcome{Status: ganexp.StatusFailed, Error: fmt.Sprintf("load dataset: %v", err)}
	}
	var judge ganexp.ImageClassifier
	if t.Classifier != "" {
		loader, ok := tr.(ClassifierLoader)
		if !ok {
			return Outcome{Status: ganexp.StatusFailed, Error: "this trainer cannot load a classifier"}
		}
		if judge, err = loader.LoadClassifier(t.Classifier); err != nil {
			return Outcome{Status: ganexp.StatusFailed, Error: fmt.Sprintf("load the classifier: %v", err)}
		}
	}
	if ev, err = evaluate.NewWith(t, src, sink, judge); err != nil {
		return Outcome{Status: ganexp.StatusFailed, Error: err.Error()}
	}
	steps, err := tr.Train(ctx, t, src, ev)
	verdict := ev.Verdict()
	switch {
	case err == nil && verdict != nil:
		out = Outcome{Status: verdict.Status, StepsDone: steps, Verdict: verdict}
		if t.Config.Detect.OnFailure == "stop" {
			out.StepsSaved = t.Config.Steps - steps
		}
		return out
	case err == nil:
		return Outcome{Status: ganexp.StatusCompleted, StepsDone: steps}
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return Outcome{Status: ganexp.StatusInterrupted, StepsDone: steps, Verdict: verdict}
	default:
		return Outcome{Status: ganexp.StatusFailed, StepsDone: steps, Error: err.Error(), Verdict: verdict, StorageErrno: storageErrno(err)}
	}
}
