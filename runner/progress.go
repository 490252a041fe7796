package runner

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/dataset"
)

// Progress shows a sweep as it runs. Methods are called from several
// goroutines, among them the ones that relay a trial's messages, so an
// implementation must return at once: it may update its own state but
// must never wait for its output (a terminal scrolled back, a pipe nobody
// reads) or for a lock that its output holds.
type Progress interface {
	// Begin is called once, before any trial starts.
	Begin(b Begin)
	Start(j Job)
	Step(key string, step int)
	Eval(key string, e ganexp.Eval)
	Done(j Job, o Outcome)
	// End is called once, after the last Done. It may wait a bounded time
	// for the last lines to be written.
	End()
}

// Begin is what a sweep is about to do.
type Begin struct {
	Todo    []Job // the trials without a result, in order
	Planned int   // trials planned in all
	// Recovered are trials that a dead process left running; they were
	// marked interrupted and run again.
	Recovered []Recovered
}

// Recovered is a trial taken over from a process that stopped without
// finishing it.
type Recovered struct {
	Key    string
	Reason string // e.g. "owner process 4242 is gone"
}

type nopProgress struct{}

func (nopProgress) Begin(Begin)              {}
func (nopProgress) Start(Job)                {}
func (nopProgress) Step(string, int)         {}
func (nopProgress) Eval(string, ganexp.Eval) {}
func (nopProgress) Done(Job, Outcome)        {}
func (nopProgress) End()                     {}

// ShortKey is how progress lines and tables abbreviate a trial key.
func ShortKey(key string) string {
	if len(key) > 8 {
		return key[:8]
	}
	return key
}

// formatLoss shows a loss with four significant digits, so that a WGAN
// critic's 1e-5 does not read as zero.
func formatLoss(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// evalSummary renders the headline metrics of an evaluation.
func evalSummary(j Job, e ganexp.Eval) string {
	var parts []string
	if v, ok := e.Values["loss_d"]; ok {
		parts = append(parts, "loss_d="+formatLoss(float64(v)), "loss_g="+formatLoss(float64(e.Values["loss_g"])))
	}
	if v, ok := e.Values["modes_captured"]; ok {
		m := "-"
		if f := float64(v); !math.IsNaN(f) {
			m = strconv.Itoa(int(f))
		}
		parts = append(parts, fmt.Sprintf("modes=%s/%d", m, dataset.ModeCount(j.Trial.Config.Dataset)))
	}
	if v, ok := e.Values["hq_fraction"]; ok && !math.IsNaN(float64(v)) {
		parts = append(parts, fmt.Sprintf("hq=%.2f", float64(v)))
	}
	if v, ok := e.Values["mmd2"]; ok {
		parts = append(parts, "mmd2="+formatLoss(float64(v)))
	}
	return strings.Join(parts, " ")
}

// recoveredLines says which abandoned trials a sweep took over.
func recoveredLines(rs []Recovered) []string {
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("recovered %s: %s; it runs again", ShortKey(r.Key), r.Reason))
	}
	return out
}

// board is the state both displays keep: which trials run, how far they
// are, and how many finished. Its methods only update memory under mu;
// they never write output.
type board struct {
	mu       sync.Mutex
	start    time.Time
	trials   map[string]*liveTrial
	order    []string // running trials, in start order
	todo     int      // trials to run
	steps    int64    // planned steps of the trials to run
	done     int      // trials that ended with a result
	failed   int
	stopped  int   // interrupted
	endSteps int64 // planned steps of the trials that ended
	// firstStep is when the first training step was reported: the ETA
	// counts from there, not from the start-up of the first workers.
	firstStep time.Time
}

type liveTrial struct {
	job     Job
	step    int
	summary string
	evals   int
	printed time.Time // when the log last printed the trial's line
	shown   bool      // whether that line showed an evaluation
}

func (b *board) begin(bg Begin) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.start = time.Now()
	b.trials = map[string]*liveTrial{}
	b.todo = len(bg.Todo)
	for _, j := range bg.Todo {
		b.steps += int64(j.Trial.Config.Steps)
	}
}

func (b *board) startTrial(j Job) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.trials[j.Trial.Key] = &liveTrial{job: j, printed: time.Now()}
	b.order = append(b.order, j.Trial.Key)
	if j.Promoted != nil {
		// A paused trial going on: work the plan did not count.
		b.todo++
		b.steps += int64(j.Trial.Config.Steps)
	}
}

// advance records a trial's step. It returns a copy of the trial's
// state, or ok = false for an unknown trial.
func (b *board) advance(key string, step int) (t liveTrial, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.advanceLocked(key, step)
}

// eval records an evaluation: its step and its summary.
func (b *board) eval(key string, e ganexp.Eval) (t liveTrial, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if lt := b.trials[key]; lt != nil {
		lt.summary = evalSummary(lt.job, e)
		lt.evals++
	}
	return b.advanceLocked(key, e.Step)
}

func (b *board) advanceLocked(key string, step int) (liveTrial, bool) {
	lt := b.trials[key]
	if lt == nil {
		return liveTrial{}, false
	}
	if step > 0 && b.firstStep.IsZero() {
		b.firstStep = time.Now()
	}
	lt.step = max(lt.step, step)
	return *lt, true
}

// markPrinted sets when a trial's line was last printed, and reports
// whether it was due: at the trial's first evaluation, so that its first
// metrics show at once, and then at most every every.
func (b *board) markPrinted(key string, every time.Duration) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	lt := b.trials[key]
	if lt == nil {
		return false
	}
	if first := lt.evals > 0 && !lt.shown; !first && time.Since(lt.printed) < every {
		return false
	}
	lt.printed, lt.shown = time.Now(), lt.evals > 0
	return true
}

// finish removes a trial and counts how it ended. Interrupted trials are
// not done: they run again on the next sweep.
func (b *board) finish(j Job, o Outcome) (summary string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if lt := b.trials[j.Trial.Key]; lt != nil {
		summary = lt.summary
		delete(b.trials, j.Trial.Key)
		for i, k := range b.order {
			if k == j.Trial.Key {
				b.order = append(b.order[:i], b.order[i+1:]...)
				break
			}
		}
	}
	b.endSteps += int64(j.Trial.Config.Steps)
	switch {
	case o.Status.Done():
		b.done++
	case o.Status == ganexp.StatusFailed:
		b.failed++
	default:
		b.stopped++
	}
	return summary
}

// snapshot is a consistent copy of the board for one frame.
type snapshot struct {
	elapsed, sinceFirstStep     time.Duration
	todo, done, failed, stopped int
	running                     []liveTrial
	// stepsDone counts the steps of running trials and the planned
	// steps of ended ones, out of stepsTotal planned.
	stepsDone, stepsTotal int64
}

func (b *board) snap() snapshot {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := snapshot{
		elapsed: time.Since(b.start),
		todo:    b.todo, done: b.done, failed: b.failed, stopped: b.stopped,
		stepsDone: b.endSteps, stepsTotal: b.steps,
	}
	if !b.firstStep.IsZero() {
		s.sinceFirstStep = time.Since(b.firstStep)
	}
	for _, k := range b.order {
		lt := b.trials[k]
		s.running = append(s.running, *lt)
		s.stepsDone += int64(lt.step)
	}
	return s
}

// counts renders "5/24 done, 2 running, 1 failed".
func (s snapshot) counts() string {
	out := fmt.Sprintf("%d/%d done", s.done, s.todo)
	if len(s.running) > 0 {
		out += fmt.Sprintf(", %d running", len(s.running))
	}
	if s.failed > 0 {
		out += fmt.Sprintf(", %d failed", s.failed)
	}
	if s.stopped > 0 {
		out += fmt.Sprintf(", %d interrupted", s.stopped)
	}
	return out
}

// eta renders the time left from the training rate so far, or "" while
// too little has been seen to tell: a rate taken from the first second,
// which includes starting the workers, would be absurd.
func (s snapshot) eta() string {
	const minSeen = 5 * time.Second
	if s.sinceFirstStep < minSeen || s.stepsDone <= 0 || s.stepsDone*50 < s.stepsTotal {
		return ""
	}
	rate := float64(s.stepsDone) / s.elapsed.Seconds()
	left := time.Duration(float64(s.stepsTotal-s.stepsDone) / rate * float64(time.Second))
	return "~" + roundDuration(left) + " left"
}

// roundDuration shows a duration to the second, or to the minute past an
// hour.
func roundDuration(d time.Duration) string {
	if d >= time.Hour {
		return d.Round(time.Minute).String()
	}
	return d.Round(time.Second).String()
}

// asyncLines writes lines to w from a goroutine of its own, so that a slow
// or blocked writer never blocks the caller. When w falls more than a
// buffer behind, lines are dropped and counted, and the count is printed
// once w accepts writes again.
type asyncLines struct {
	w       io.Writer
	lines   chan string
	mu      sync.Mutex
	dropped int
	done    chan struct{}
}

const asyncBuffer = 4096

func newAsyncLines(w io.Writer) *asyncLines {
	a := &asyncLines{w: w, lines: make(chan string, asyncBuffer), done: make(chan struct{})}
	go a.loop()
	return a
}

func (a *asyncLines) loop() {
	defer close(a.done)
	for line := range a.lines {
		a.mu.Lock()
		dropped := a.dropped
		a.dropped = 0
		a.mu.Unlock()
		if dropped > 0 {
			fmt.Fprintf(a.w, "(%d progress lines dropped: the output was not being read)\n", dropped)
		}
		io.WriteString(a.w, line)
	}
}

// print queues a line (which should end in a newline), or drops it.
func (a *asyncLines) print(line string) {
	select {
	case a.lines <- line:
	default:
		a.mu.Lock()
		a.dropped++
		a.mu.Unlock()
	}
}

// close flushes the queued lines, waiting at most wait for the writer.
func (a *asyncLines) close(wait time.Duration) {
	close(a.lines)
	select {
	case <-a.done:
	case <-time.After(wait):
	}
}

// endWait bounds how long End waits for a display's last lines: output
// that nobody reads must not keep a finished sweep from exiting.
const endWait = 2 * time.Second

// LogProgress prints plain lines, for logs and pipes: one when a trial
// starts and ends, and one per running trial at most every Every.
type LogProgress struct {
	W     io.Writer
	Every time.Duration // default 5s

	b   board
	out *asyncLines
}

func (p *LogProgress) every() time.Duration {
	if p.Every == 0 {
		return 5 * time.Second
	}
	return p.Every
}

func (p *LogProgress) printf(format string, args ...any) {
	p.out.print(fmt.Sprintf("[%7.1fs] "+format+"\n", append([]any{time.Since(p.b.start).Seconds()}, args...)...))
}

// Begin implements Progress.
func (p *LogProgress) Begin(bg Begin) {
	p.b.begin(bg)
	p.out = newAsyncLines(p.W)
	for _, l := range recoveredLines(bg.Recovered) {
		p.printf("%s", l)
	}
	p.printf("%d trials planned, %d already have results, %d to run", bg.Planned, bg.Planned-len(bg.Todo), len(bg.Todo))
}

// Start implements Progress.
func (p *LogProgress) Start(j Job) {
	p.b.startTrial(j)
	if j.Promoted != nil {
		p.printf("promote %s %s: %s", ShortKey(j.Trial.Key), j.Label, j.Promoted)
		return
	}
	p.printf("start %s %s", ShortKey(j.Trial.Key), j.Label)
}

// Step implements Progress.
func (p *LogProgress) Step(key string, step int) { p.update(key, step) }

// Eval implements Progress.
func (p *LogProgress) Eval(key string, e ganexp.Eval) {
	t, ok := p.b.eval(key, e)
	p.maybePrint(t, ok)
}

func (p *LogProgress) update(key string, step int) {
	t, ok := p.b.advance(key, step)
	p.maybePrint(t, ok)
}

// maybePrint prints a running trial's line if the last one is Every old.
func (p *LogProgress) maybePrint(t liveTrial, ok bool) {
	if ok && p.b.markPrinted(t.job.Trial.Key, p.every()) {
		p.printf("%s step %d/%d %s", ShortKey(t.job.Trial.Key), t.step, t.job.Trial.Config.Steps, t.summary)
	}
}

// Done implements Progress.
func (p *LogProgress) Done(j Job, o Outcome) {
	summary := p.b.finish(j, o)
	p.printf("%-11s %s at step %d/%d %s", o.Status, ShortKey(j.Trial.Key), o.StepsDone, j.Trial.Config.Steps, summary)
	if o.Pruned != nil {
		p.printf("  pruned at %s", o.Pruned)
	}
	if o.Error != "" {
		first, _, _ := strings.Cut(o.Error, "\n")
		p.printf("  error: %s", first)
	}
}

// End implements Progress.
func (p *LogProgress) End() { p.out.close(endWait) }
