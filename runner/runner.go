package runner

import (
	"context"
	"errors"
	"syscall"

	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"golang.org/x/sync/errgroup"
)

// Store is the part of the database the runner writes; *db.DB is it.
type Store interface {
	Statuses(ctx context.Context, keys []string) (map[string]ganexp.Status, error)
	Claim(ctx context.Context, key string, o db.Owner) (bool, error)
	SaveEval(ctx context.Context, key string, e db.Eval) error
	AddEvent(ctx context.Context, key string, step int, kind string, detail any) error
	SaveArtifact(ctx context.Context, key string, step int, kind string, data []byte) error
	Finish(ctx context.Context, key string, f db.Final) error
	RunningOn(ctx context.Context, host string) (map[string]int, error)
	Abandon(ctx context.Context, key string, o db.Owner) error
}

// Job is a trial with the label the progress display shows for it.
type Job struct {
	Trial ganexp.Trial
	Label string // e.g. "loss=wgan lr=0.001 seed=2"
}

// Runner runs a sweep's trials, at most Parallel at a time.
type Runner struct {
	Store    Store
	Exec     Executor
	Parallel int      // default: the number of CPUs
	Progress Progress // default: none
}

// Summary is what a sweep run did.
type Summary struct {
	Planned int
	Skipped int // already had a result
	Busy    int // claimed by another process
	Ran     map[ganexp.Status][]string
	Elapsed time.Duration
}

// Run runs every job that has no result yet. Trials that fail are
// recorded and do not stop the others. It returns ErrInterrupted when
// ctx was cancelled, and an error when the store fails; otherwise a
// *TrialsFailedError if some trial failed.
func (r *Runner) Run(ctx context.Context, jobs []Job) (Summary, error) {
	start := time.Now()
	sum := Summary{Planned: len(jobs), Ran: map[ganexp.Status][]string{}}
	keys := make([]string, len(jobs))
	for i, j := range jobs {
		keys[i] = j.Trial.Key
	}
	host, _ := os.Hostname()
	owner := db.Owner{PID: os.Getpid(), Host: host}
	if err := r.reclaimOrphans(ctx, owner); err != nil {
		return sum, err
	}
	statuses, err := r.Store.Statuses(ctx, keys)
	if err != nil {
		return sum, err
	}
	var todo []Job
	for _, j := range jobs {
		if statuses[j.Trial.Key].Done() {
			sum.Skipped++
			continue
		}
		todo = append(todo, j)
	}
	prog := r.Progress
	if prog == nil {
		prog = nopProgress{}
	}
	prog.Begin(todo, len(jobs))
	defer prog.End()

	parallel := r.Parallel
	if parallel <= 0 {
		parallel = runtime.NumCPU()
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	for _, j := range todo {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if gctx.Err() != nil {
				return nil
			}
			st, err := r.runOne(gctx, j, owner, prog)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			if st == "" {
				sum.Busy++
			} else {
				sum.Ran[st] = append(sum.Ran[st], j.Trial.Key)
			}
			return nil
		})
	}
	err = g.Wait()
	sum.Elapsed = time.Since(start)
	switch {
	case err != nil:
		return sum, err
	case ctx.Err() != nil:
		return sum, ganexp.ErrInterrupted
	case len(sum.Ran[ganexp.StatusFailed]) > 0:
		return sum, &ganexp.TrialsFailedError{Keys: sum.Ran[ganexp.StatusFailed]}
	}
	return sum, nil
}

// reclaimOrphans marks as interrupted the trials that a process on this
// host left running when it died (kill -9, a closed terminal), so that
// this run trains them again instead of waiting for them forever.
func (r *Runner) reclaimOrphans(ctx context.Context, me db.Owner) error {
	running, err := r.Store.RunningOn(ctx, me.Host)
	if err != nil {
		return err
	}
	for key, pid := range running {
		if pid == me.PID || processAlive(pid) {
			continue
		}
		if err := r.Store.Abandon(ctx, key, db.Owner{PID: pid, Host: me.Host}); err != nil {
			return err
		}
	}
	return nil
}

// processAlive reports whether a process with this pid exists.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// runOne claims, runs and finishes one trial. It returns "" when another
// process holds the trial, and an error only when the store fails.
func (r *Runner) runOne(ctx context.Context, j Job, owner db.Owner, prog Progress) (ganexp.Status, error) {
	key := j.Trial.Key
	// Records outlive cancellation: an interrupted trial must still be
	// written down as interrupted.
	wctx := context.WithoutCancel(ctx)
	ok, err := r.Store.Claim(wctx, key, owner)
	if err != nil || !ok {
		return "", err
	}
	start := time.Now()
	prog.Start(j)
	sink := &storeSink{ctx: wctx, store: r.Store, key: key, prog: prog}
	out := r.Exec.Execute(ctx, j.Trial, sink)
	if sink.err != nil && out.Status != ganexp.StatusFailed {
		out = Outcome{Status: ganexp.StatusFailed, StepsDone: out.StepsDone, Error: sink.err.Error()}
	}
	if out.StepsDone < sink.step {
		out.StepsDone = sink.step
	}
	final := db.Final{Status: out.Status, StepsDone: out.StepsDone, Error: out.Error, Duration: time.Since(start)}
	if v := out.Verdict; v != nil && out.Status == v.Status {
		final.Verdict, final.VerdictStep, final.VerdictMessage, final.StepsSaved = v.Detector, v.Step, v.Message, out.StepsSaved
	}
	if err := r.Store.Finish(wctx, key, final); err != nil {
		return "", err
	}
	prog.Done(j, out)
	if sink.err != nil {
		return "", fmt.Errorf("record trial %s: %w", key, sink.err)
	}
	return out.Status, nil
}

// storeSink writes a trial's evaluations and events to the store and
// shows them on the progress display.
type storeSink struct {
	ctx   context.Context
	store Store
	key   string
	prog  Progress
	mu    sync.Mutex
	step  int
	err   error // first store error; it ends the trial
}

func (s *storeSink) Progress(step int) {
	s.mu.Lock()
	s.step = max(s.step, step)
	s.mu.Unlock()
	s.prog.Step(s.key, step)
}

func (s *storeSink) Eval(e Eval) error {
	values := make(map[string]float64, len(e.Values))
	for k, v := range e.Values {
		values[k] = float64(v)
	}
	err := s.store.SaveEval(s.ctx, s.key, db.Eval{Step: e.Step, WallS: e.WallS, Values: values})
	s.mu.Lock()
	s.step = max(s.step, e.Step)
	if err != nil && s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	if err == nil {
		s.prog.Eval(s.key, e)
	}
	return err
}

func (s *storeSink) Event(step int, kind string, detail any) error {
	return s.keep(s.store.AddEvent(s.ctx, s.key, step, kind, detail))
}

func (s *storeSink) Artifact(step int, kind string, data []byte) error {
	return s.keep(s.store.SaveArtifact(s.ctx, s.key, step, kind, data))
}

// keep remembers the first store error, which ends the trial.
func (s *storeSink) keep(err error) error {
	if err != nil {
		s.mu.Lock()
		if s.err == nil {
			s.err = err
		}
		s.mu.Unlock()
	}
	return err
}
