package runner

import (
	"bytes"
	"context"
	"errors"
	"syscall"

	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/prune"
	"golang.org/x/sync/errgroup"
)

// Store is the part of the database the runner writes; *db.DB is it.
type Store interface {
	Statuses(ctx context.Context, keys []string) (map[string]ganexp.Status, error)
	ClaimResuming(ctx context.Context, key string, o db.Owner, checkpoints []int) (bool, int, error)
	SaveBatch(ctx context.Context, key string, b db.Batch) error
	Finish(ctx context.Context, key string, f db.Final) error
	RunningTrials(ctx context.Context) ([]db.Running, error)
	Heartbeat(ctx context.Context, keys []string, o db.Owner) error
	Abandon(ctx context.Context, key string, o db.Owner, reason string) error
}

// Job is a trial with the label the progress display shows for it.
type Job struct {
	Trial ganexp.Trial
	Label string // e.g. "loss=wgan lr=0.001 seed=2"
	// Timeout, when positive, fails the trial once it has run this long.
	Timeout time.Duration
	// Promoted is set when the job is a paused trial that ASHA promoted:
	// it goes on from its checkpoint past the rung it paused at.
	Promoted *prune.Judgement
}

// ErrTimeout is the cause of a trial's context when its timeout expires.
var ErrTimeout = errors.New("trial timed out")

// Runner runs a sweep's trials, at most Parallel at a time.
type Runner struct {
	Store    Store
	Exec     Executor
	Parallel int      // default: the number of CPUs
	Progress Progress // default: none
	// HeartbeatEvery is how often running trials are marked alive
	// (default 10 s); a trial whose heartbeat is older than StaleAfter
	// (default 2 min) on another host is taken to be orphaned.
	HeartbeatEvery, StaleAfter time.Duration
	// Kernel names the matrix-multiply kernel the trials train with (the
	// workers are this binary, in this environment), recorded with each.
	Kernel string
	// FlushEvery is how long a trial's results may wait to be written
	// (default 2 s; see flushEvery).
	FlushEvery time.Duration
	// CheckpointDir is where trials keep their checkpoints (those with
	// checkpoint_every) and their final generators; empty keeps none.
	CheckpointDir string
	// Prune, when set, stops trials that do worse than their peers at a
	// rung, and (ASHA) promotes paused ones before new trials start.
	Prune *Pruning
	// Exclusive says the database belongs to this run alone (a shard's):
	// a trial an owner on another host left running is this run's
	// earlier, stopped incarnation (a requeued Slurm task, now on another
	// node), taken over at once rather than after StaleAfter.
	Exclusive bool

	// onBeat, when set, is told which trials each heartbeat tick marked
	// alive (tests).
	onBeat func(keys []string)
}

func (r *Runner) heartbeatEvery() time.Duration {
	if r.HeartbeatEvery > 0 {
		return r.HeartbeatEvery
	}
	return 10 * time.Second
}

func (r *Runner) staleAfter() time.Duration {
	if r.StaleAfter > 0 {
		return r.StaleAfter
	}
	return 2 * time.Minute
}

// Summary is what a sweep run did.
type Summary struct {
	Planned int
	Skipped int // already had a result
	Busy    int // claimed by another process
	// Ran lists the trials this run trained by how they ended; a trial
	// pruned and then promoted is listed once, as it ended last.
	Ran map[ganexp.Status][]string
	// Promoted lists the paused trials this run promoted (ASHA).
	Promoted []string
	Elapsed  time.Duration
	// Tracking sums the trials' tracking times.
	Tracking ganexp.Tracking
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
	recovered, err := r.reclaimOrphans(ctx, owner)
	if err != nil {
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
	prog.Begin(Begin{Todo: todo, Planned: len(jobs), Recovered: recovered})
	defer prog.End()

	parallel := r.Parallel
	if parallel <= 0 {
		parallel = runtime.NumCPU()
	}
	var mu sync.Mutex
	live := &liveness{steps: map[string]*beat{}}
	beatCtx, stopBeat := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBeat()
	go r.heartbeats(beatCtx, owner, live)
	sched := &scheduler{queue: todo, prune: r.Prune, jobs: map[string]Job{}}
	for _, j := range jobs {
		sched.jobs[j.Trial.Key] = j
	}
	last := map[string]ganexp.Status{} // how each trial run here ended last
	var order []string
	for {
		// A slot's goroutine picks its job when the slot is free, so that
		// a promotion made possible by the trial that just ended goes
		// first, as in ASHA's get_job.
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(parallel)
		var exhausted atomic.Bool
		for !exhausted.Load() && gctx.Err() == nil {
			g.Go(func() error {
				j, ok := sched.next(gctx)
				if !ok {
					exhausted.Store(true)
					return nil
				}
				st, tr, err := r.runOne(gctx, j, owner, prog, live)
				mu.Lock()
				defer mu.Unlock()
				sum.Tracking = sum.Tracking.Add(tr)
				if err != nil {
					return err
				}
				switch {
				case st == "" && j.Promoted != nil:
					// Another process promoted it first.
				case st == "":
					sum.Busy++
				default:
					if _, seen := last[j.Trial.Key]; !seen {
						order = append(order, j.Trial.Key)
					}
					last[j.Trial.Key] = st
					if j.Promoted != nil {
						sum.Promoted = append(sum.Promoted, j.Trial.Key)
					}
				}
				return nil
			})
		}
		err = g.Wait()
		// Trials still running when the queue ran dry may have made a
		// paused one promotable since: go round again for those.
		if err != nil || ctx.Err() != nil || !sched.promotable(ctx) {
			break
		}
	}
	for _, k := range order {
		sum.Ran[last[k]] = append(sum.Ran[last[k]], k)
	}
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

// scheduler hands out a sweep's jobs: a paused trial that ASHA can promote
// first, else the next trial without a result.
type scheduler struct {
	mu    sync.Mutex
	queue []Job
	prune *Pruning
	jobs  map[string]Job // every planned trial, for promotions
}

// next returns the next job, or false when there is none now.
func (s *scheduler) next(ctx context.Context) (Job, bool) {
	if ctx.Err() != nil {
		return Job{}, false
	}
	if s.prune != nil {
		s.mu.Lock()
		empty := len(s.queue) == 0
		s.mu.Unlock()
		s.prune.setTail(empty)
		if j, pr, ok := s.prune.promotion(ctx, s.jobs); ok {
			j.Promoted = &pr.Judgement
			return j, true
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return Job{}, false
	}
	j := s.queue[0]
	s.queue = s.queue[1:]
	if len(s.queue) == 0 && s.prune != nil {
		// The last new trial: from here on under-filled rungs let their
		// best go on (prune.Board's tail).
		s.prune.setTail(true)
	}
	return j, true
}

// promotable reports whether a paused trial can be promoted now.
func (s *scheduler) promotable(ctx context.Context) bool {
	return s.prune != nil && s.prune.canPromote(ctx, s.jobs)
}

// reclaimOrphans marks as interrupted the trials whose owner is gone, so
// that this run trains them again instead of waiting for them forever: on
// this host, an owner whose pid no longer exists (kill -9, a closed
// terminal); on another host (a shared file system), an owner whose
// heartbeat stopped StaleAfter ago.
func (r *Runner) reclaimOrphans(ctx context.Context, me db.Owner) ([]Recovered, error) {
	running, err := r.Store.RunningTrials(ctx)
	if err != nil {
		return nil, err
	}
	var out []Recovered
	for _, t := range running {
		reason := ""
		switch {
		case t.Owner == me:
		case t.Owner.Host == me.Host:
			if !processAlive(t.Owner.PID) {
				reason = fmt.Sprintf("owner process %d is gone", t.Owner.PID)
			}
		case r.Exclusive:
			reason = fmt.Sprintf("this shard's earlier run on %s stopped without finishing it", t.Owner.Host)
		case time.Since(t.Heartbeat) > r.staleAfter():
			reason = fmt.Sprintf("no heartbeat from %s since %s", t.Owner.Host, t.Heartbeat.Format(time.RFC3339))
		}
		if reason != "" {
			if err := r.Store.Abandon(ctx, t.Key, t.Owner, reason); err != nil {
				return nil, err
			}
			out = append(out, Recovered{Key: t.Key, Reason: reason})
		}
	}
	return out, nil
}

// liveness tracks how far each trial of this process has come, so that a
// heartbeat is written only for trials that moved since the last one: a
// heartbeat proves progress, not merely that the process exists. A sweep
// stuck anywhere between its workers and its database stops beating, and
// after StaleAfter other hosts take its trials over.
type liveness struct {
	mu    sync.Mutex
	steps map[string]*beat
}

type beat struct {
	step  int  // the furthest step reported
	moved bool // whether step grew since the last heartbeat
}

func (l *liveness) add(key string) {
	l.mu.Lock()
	l.steps[key] = &beat{}
	l.mu.Unlock()
}

func (l *liveness) remove(key string) {
	l.mu.Lock()
	delete(l.steps, key)
	l.mu.Unlock()
}

// progressed records a message from a trial that shows it moved: a new
// step, or an evaluation, event or artifact.
func (l *liveness) progressed(key string, step int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.steps[key]; b != nil {
		b.moved = b.moved || step > b.step
		b.step = max(b.step, step)
	}
}

// due returns the trials that moved since the last call, sorted.
func (l *liveness) due() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var keys []string
	for k, b := range l.steps {
		if b.moved {
			keys = append(keys, k)
			b.moved = false
		}
	}
	slices.Sort(keys)
	return keys
}

// heartbeats marks this process's trials that made progress alive, every
// HeartbeatEvery until ctx ends.
func (r *Runner) heartbeats(ctx context.Context, me db.Owner, live *liveness) {
	tick := time.NewTicker(r.heartbeatEvery())
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			keys := live.due()
			if len(keys) > 0 {
				// A failed beat is retried at the next tick; the trials'
				// own writes report a store that is really broken.
				r.Store.Heartbeat(ctx, keys, me)
			}
			if r.onBeat != nil {
				r.onBeat(keys)
			}
		}
	}
}

// processAlive reports whether a process with this pid exists.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	// A killed sweep whose parent has not reaped it yet is a zombie: it
	// still answers kill(0) but will never write again.
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}

// errnoError is a worker's storage fault as the sweep process sees it:
// the worker's message, and its errno to explain it by (0: none).
type errnoError struct {
	msg   string
	errno syscall.Errno
}

func (e errnoError) Error() string { return e.msg }
func (e errnoError) Unwrap() error {
	if e.errno == 0 {
		return nil
	}
	return e.errno
}

// checkpoints lists the steps of the trial's checkpoints on disk (the
// latest and the one before it) and their files.
func (r *Runner) checkpoints(t ganexp.Trial) ([]int, map[int]string) {
	if r.CheckpointDir == "" || t.Config.CheckpointEvery <= 0 {
		return nil, nil
	}
	var steps []int
	paths := map[int]string{}
	for _, p := range []string{ganexp.CheckpointPath(r.CheckpointDir, t.Key), ganexp.PrevCheckpointPath(r.CheckpointDir, t.Key)} {
		if key, step, _, err := ganexp.ReadCheckpointHeader(p); err == nil && key == t.Key {
			steps = append(steps, step)
			paths[step] = p
		}
	}
	return steps, paths
}

// runOne claims, runs and finishes one trial. It returns "" when another
// process holds the trial, and an error only when the store fails.
func (r *Runner) runOne(ctx context.Context, j Job, owner db.Owner, prog Progress, live *liveness) (ganexp.Status, ganexp.Tracking, error) {
	key := j.Trial.Key
	// Records outlive cancellation: an interrupted trial must still be
	// written down as interrupted.
	wctx := context.WithoutCancel(ctx)
	t := j.Trial
	steps, paths := r.checkpoints(t)
	claim := r.Store.ClaimResuming
	if j.Promoted != nil {
		claim = r.Prune.Store.ClaimPromoted
	}
	ok, from, err := claim(wctx, key, owner, steps)
	if err != nil || !ok {
		if j.Promoted != nil {
			r.Prune.released(key)
		}
		return "", ganexp.Tracking{}, err
	}
	if r.CheckpointDir != "" {
		if err := os.MkdirAll(r.CheckpointDir, 0o755); err != nil {
			return "", ganexp.Tracking{}, fmt.Errorf("trial %s: checkpoint folder: %w", key, err)
		}
		t.CheckpointDir = r.CheckpointDir
		if from > 0 {
			t.Resume = paths[from]
		}
	}
	live.add(key)
	defer live.remove(key)
	start := time.Now()
	prog.Start(j)
	sink := &storeSink{ctx: wctx, store: r.Store, key: key, prog: prog, live: live, flushed: time.Now(), every: r.FlushEvery}
	if sink.every <= 0 {
		sink.every = flushEvery
	}
	tctx := ctx
	if j.Timeout > 0 {
		var cancel context.CancelFunc
		tctx, cancel = context.WithTimeoutCause(ctx, j.Timeout, ErrTimeout)
		defer cancel()
	}
	if r.Prune != nil {
		var stop context.CancelCauseFunc
		tctx, stop = context.WithCancelCause(tctx)
		defer stop(nil)
		sink.prune, sink.steps, sink.stop = r.Prune, t.Config.Steps, func() { stop(errPruned) }
	}
	if j.Promoted != nil {
		// Where it goes on from, and why: the rung's standing now.
		if err := sink.Event(j.Promoted.Step, "promoted", promotedDetail(*j.Promoted, r.Prune.Rule, max(from, 0))); err != nil {
			return "", ganexp.Tracking{}, err
		}
	}
	if t.Resume != "" {
		// The trial's history says where it went on from.
		if err := sink.Event(from, "resumed", map[string]any{"from_step": from, "checkpoint": t.Resume}); err != nil {
			return "", ganexp.Tracking{}, err
		}
	}
	out := r.Exec.Execute(tctx, t, sink)
	sink.flush()
	if _, inProcess := r.Exec.(InProcess); !inProcess {
		// The trial's own sink time was the pipe; the database writes
		// happened here, in the sweep process.
		out.Tracking.StoreS += sink.storeTime.Seconds()
	}
	if ctx.Err() == nil && errors.Is(context.Cause(tctx), ErrTimeout) {
		out = Outcome{Status: ganexp.StatusFailed, StepsDone: out.StepsDone,
			Error: fmt.Sprintf("timed out after %s (the sweep's timeout); stopped at step %d", j.Timeout, max(out.StepsDone, sink.step))}
	}
	if out.StorageErrno != 0 && sink.err == nil {
		// The worker could not write a checkpoint or its generator beside
		// the database: a storage fault like the store's own (the errno
		// comes back across the process boundary, so that the sweep
		// explains it the same way).
		sink.err = errnoError{out.Error, syscall.Errno(max(out.StorageErrno, 0))}
	}
	if sink.err != nil {
		// The store refused a write: the trial did nothing wrong, so it is
		// left to run again rather than marked failed.
		out = Outcome{Status: ganexp.StatusInterrupted, StepsDone: out.StepsDone, Error: "not recorded: " + sink.err.Error()}
	}
	if out.StepsDone < sink.step {
		out.StepsDone = sink.step
	}
	if pr := sink.prunedAt(); pr != nil && ctx.Err() == nil {
		out = prunedOutcome(out, *pr, t.Config.Steps)
	}
	final := db.Final{Status: out.Status, StepsDone: out.StepsDone, Error: out.Error, Duration: time.Since(start), Kernel: r.Kernel}
	if v := out.Verdict; v != nil && out.Status == v.Status {
		final.Verdict, final.VerdictStep, final.VerdictMessage, final.StepsSaved = v.Detector, v.Step, v.Message, out.StepsSaved
	}
	if out.Status == ganexp.StatusPruned {
		final.StepsSaved = out.StepsSaved
	}
	if err := r.Store.Finish(wctx, key, final); err != nil {
		return "", out.Tracking, err
	}
	if r.Prune != nil {
		rung := -1
		if out.Pruned != nil {
			rung = out.Pruned.Rung
		}
		r.Prune.ended(key, out.Status, rung)
	}
	prog.Done(j, out)
	if sink.err != nil {
		return "", out.Tracking, fmt.Errorf("record trial %s: %w", key, sink.err)
	}
	return out.Status, out.Tracking, nil
}

// storeSink writes a trial's evaluations and events to the store and
// shows them on the progress display.
type storeSink struct {
	ctx   context.Context
	store Store
	key   string
	prog  Progress
	live  *liveness
	mu    sync.Mutex
	step  int
	err   error // first store error; it ends the trial
	// pending results, not yet stored, and when they were last stored
	pending db.Batch
	flushed time.Time
	every   time.Duration // the longest a result waits
	// storeTime is the time spent writing to the store.
	storeTime time.Duration
	// prune judges each evaluation (nil: no pruning); steps is the
	// trial's length, stop ends it, and pruned is the judgement that did.
	prune  *Pruning
	steps  int
	stop   func()
	pruned *prune.Judgement
}

func (s *storeSink) Progress(step int) {
	s.mu.Lock()
	s.step = max(s.step, step)
	s.mu.Unlock()
	s.live.progressed(s.key, step)
	s.prog.Step(s.key, step)
}

// Eval shows an evaluation at once and stores it with the next batch.
func (s *storeSink) Eval(e ganexp.Eval) error {
	values := make(map[string]float64, len(e.Values))
	for k, v := range e.Values {
		values[k] = float64(v)
	}
	s.mu.Lock()
	s.step = max(s.step, e.Step)
	s.pending.Evals = append(s.pending.Evals, db.Eval{Step: e.Step, WallS: e.WallS, Values: values})
	s.mu.Unlock()
	s.live.progressed(s.key, e.Step)
	s.prog.Eval(s.key, e)
	if s.prune != nil {
		if err := s.judge(e); err != nil {
			return err
		}
	}
	return s.flushIfDue()
}

// judge has the pruner judge an evaluation, records its decisions as
// events, and stops the trial when it is pruned. Once pruned, the
// evaluations a trial makes before it stops are not judged.
func (s *storeSink) judge(e ganexp.Eval) error {
	s.mu.Lock()
	done := s.pruned != nil
	s.mu.Unlock()
	if done {
		return nil
	}
	d := s.prune.judge(s.ctx, s.key, e.Step, s.prune.value(e), s.steps)
	for _, j := range d.Passed {
		if err := s.Event(j.Step, "promoted", promotedDetail(j, s.prune.Rule, -1)); err != nil {
			return err
		}
	}
	if d.Pruned == nil {
		return nil
	}
	s.mu.Lock()
	s.pruned = d.Pruned
	s.mu.Unlock()
	err := s.Event(d.Pruned.Step, "pruned", prunedDetail(*d.Pruned, s.prune.Rule, s.steps))
	s.stop()
	return err
}

// prunedAt is the judgement that pruned the trial, or nil.
func (s *storeSink) prunedAt() *prune.Judgement {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pruned
}

// A trial's results are written in batches: one transaction per
// flushEvals evaluations or flushEvery, whichever comes first, and at the
// trial's end. Artifacts and events join the batch of the evaluations
// around them, so that what is stored is always a prefix of the trial.
// A kill -9 loses at most the batch, and the trial is run again from the
// start anyway. Batching matters for small nets: a commit costs more
// than its rows, and the quickstart's trials evaluate several times a
// second.
const (
	flushEvals = 64
	flushEvery = 2 * time.Second
)

// flushIfDue writes the pending results when the batch is due.
func (s *storeSink) flushIfDue() error {
	s.mu.Lock()
	due := len(s.pending.Evals) >= flushEvals || time.Since(s.flushed) >= s.every
	s.mu.Unlock()
	if due {
		return s.flush()
	}
	return nil
}

// flush writes the pending results.
func (s *storeSink) flush() error {
	s.mu.Lock()
	batch := s.pending
	s.pending = db.Batch{}
	s.flushed = time.Now()
	s.mu.Unlock()
	if len(batch.Evals)+len(batch.Artifacts)+len(batch.Events) == 0 {
		return nil
	}
	return s.timed(func() error { return s.store.SaveBatch(s.ctx, s.key, batch) })
}

// timed runs one store write, adding its time to storeTime and keeping
// its error.
func (s *storeSink) timed(write func() error) error {
	t := time.Now()
	err := write()
	s.mu.Lock()
	s.storeTime += time.Since(t)
	s.mu.Unlock()
	return s.keep(err)
}

// Event stores an event with the next batch.
func (s *storeSink) Event(step int, kind string, detail any) error {
	s.mu.Lock()
	s.pending.Events = append(s.pending.Events, db.NewEvent{Step: step, Kind: kind, Detail: detail})
	s.mu.Unlock()
	return s.flushIfDue()
}

// Artifact stores an artifact with the next batch.
func (s *storeSink) Artifact(step int, kind string, data []byte) error {
	s.mu.Lock()
	s.pending.Artifacts = append(s.pending.Artifacts, db.Artifact{Step: step, Kind: kind, Data: data})
	s.mu.Unlock()
	return s.flushIfDue()
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
