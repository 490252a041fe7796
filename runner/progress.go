package runner

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ganexp/ganexp/dataset"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// Progress shows a sweep as it runs. Methods are called from several
// goroutines.
type Progress interface {
	// Begin is called once with the trials about to run and the number
	// planned in all.
	Begin(todo []Job, planned int)
	Start(j Job)
	Step(key string, step int)
	Eval(key string, e Eval)
	Done(j Job, o Outcome)
	End()
}

type nopProgress struct{}

func (nopProgress) Begin([]Job, int)  {}
func (nopProgress) Start(Job)         {}
func (nopProgress) Step(string, int)  {}
func (nopProgress) Eval(string, Eval) {}
func (nopProgress) Done(Job, Outcome) {}
func (nopProgress) End()              {}

// ShortKey is how progress lines and tables abbreviate a trial key.
func ShortKey(key string) string {
	if len(key) > 8 {
		return key[:8]
	}
	return key
}

// evalSummary renders the headline metrics of an evaluation.
func evalSummary(j Job, e Eval) string {
	var b strings.Builder
	if v, ok := e.Values["loss_d"]; ok {
		fmt.Fprintf(&b, "loss_d=%.3f loss_g=%.3f", float64(v), float64(e.Values["loss_g"]))
	}
	if v, ok := e.Values["modes_captured"]; ok {
		m := "-"
		if f := float64(v); !math.IsNaN(f) {
			m = strconv.Itoa(int(f))
		}
		fmt.Fprintf(&b, " modes=%s/%d", m, dataset.ModeCount(j.Trial.Config.Dataset))
	}
	if v, ok := e.Values["mmd2"]; ok {
		fmt.Fprintf(&b, " mmd2=%.4f", float64(v))
	}
	return b.String()
}

// LogProgress prints plain lines, for logs and pipes: one when a trial
// starts and ends, and one per running trial at most every Every.
type LogProgress struct {
	W     io.Writer
	Every time.Duration // default 5s

	mu     sync.Mutex
	start  time.Time
	trials map[string]*logTrial
}

type logTrial struct {
	job     Job
	step    int
	summary string
	printed time.Time
}

func (p *LogProgress) every() time.Duration {
	if p.Every == 0 {
		return 5 * time.Second
	}
	return p.Every
}

func (p *LogProgress) printf(format string, args ...any) {
	fmt.Fprintf(p.W, "[%7.1fs] "+format+"\n", append([]any{time.Since(p.start).Seconds()}, args...)...)
}

// Begin implements Progress.
func (p *LogProgress) Begin(todo []Job, planned int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.start = time.Now()
	p.trials = map[string]*logTrial{}
	p.printf("%d trials planned, %d already have results, %d to run", planned, planned-len(todo), len(todo))
}

// Start implements Progress.
func (p *LogProgress) Start(j Job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.trials[j.Trial.Key] = &logTrial{job: j, printed: time.Now()}
	p.printf("start %s %s", ShortKey(j.Trial.Key), j.Label)
}

// Step implements Progress.
func (p *LogProgress) Step(key string, step int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := p.trials[key]; t != nil {
		t.step = step
		p.maybePrint(t)
	}
}

// Eval implements Progress.
func (p *LogProgress) Eval(key string, e Eval) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := p.trials[key]; t != nil {
		t.step = max(t.step, e.Step)
		t.summary = evalSummary(t.job, e)
		p.maybePrint(t)
	}
}

func (p *LogProgress) maybePrint(t *logTrial) {
	if time.Since(t.printed) < p.every() {
		return
	}
	t.printed = time.Now()
	p.printf("%s step %d/%d %s", ShortKey(t.job.Trial.Key), t.step, t.job.Trial.Config.Steps, t.summary)
}

// Done implements Progress.
func (p *LogProgress) Done(j Job, o Outcome) {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.trials[j.Trial.Key]
	delete(p.trials, j.Trial.Key)
	summary := ""
	if t != nil {
		summary = t.summary
	}
	p.printf("%-11s %s at step %d/%d %s", o.Status, ShortKey(j.Trial.Key), o.StepsDone, j.Trial.Config.Steps, summary)
	if o.Error != "" {
		first, _, _ := strings.Cut(o.Error, "\n")
		p.printf("  error: %s", first)
	}
}

// End implements Progress.
func (p *LogProgress) End() {}

// TermProgress draws live bars on a terminal: one per running trial and
// one for the sweep, whose ETA comes from the steps done so far. Finished
// trials print a line above the bars.
type TermProgress struct {
	W io.Writer

	p         *mpb.Progress
	total     *mpb.Bar
	mu        sync.Mutex
	bars      map[string]*termTrial
	started   time.Time
	doneSteps int64 // planned steps of finished trials
	trials    int   // trials to run
	finished  int
}

type termTrial struct {
	job     Job
	bar     *mpb.Bar
	step    int64
	summary atomic.Value // string
}

// Begin implements Progress.
func (p *TermProgress) Begin(todo []Job, planned int) {
	p.p = mpb.New(mpb.WithOutput(p.W), mpb.WithWidth(30), mpb.WithRefreshRate(200*time.Millisecond))
	p.bars = map[string]*termTrial{}
	p.started = time.Now()
	p.trials = len(todo)
	var steps int64
	for _, j := range todo {
		steps += int64(j.Trial.Config.Steps)
	}
	p.total = p.p.AddBar(max(steps, 1),
		mpb.BarPriority(1<<30), // keep the sweep bar at the bottom
		mpb.PrependDecorators(decor.Any(func(decor.Statistics) string {
			p.mu.Lock()
			defer p.mu.Unlock()
			return fmt.Sprintf("sweep: %d/%d trials done", p.finished, p.trials)
		}, decor.WCSyncSpaceR)),
		mpb.AppendDecorators(decor.Any(func(st decor.Statistics) string {
			return timing(time.Since(p.started), st.Current, st.Total, st.Completed)
		})),
	)
	if skipped := planned - len(todo); skipped > 0 {
		fmt.Fprintf(p.p, "%d of %d trials already have results\n", skipped, planned)
	}
	if len(todo) == 0 {
		p.total.SetTotal(0, true)
	}
}

// Start implements Progress.
func (p *TermProgress) Start(j Job) {
	t := &termTrial{job: j}
	t.summary.Store("")
	label := ShortKey(j.Trial.Key) + " " + j.Label
	t.bar = p.p.AddBar(int64(j.Trial.Config.Steps), mpb.BarRemoveOnComplete(),
		mpb.PrependDecorators(decor.Name(label, decor.WCSyncSpaceR), decor.CountersNoUnit("%d/%d", decor.WCSyncSpace)),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return t.summary.Load().(string) })),
	)
	p.mu.Lock()
	p.bars[j.Trial.Key] = t
	p.mu.Unlock()
}

// advance moves a trial's bar and the sweep bar to step.
func (p *TermProgress) advance(key string, step int) *termTrial {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.bars[key]
	if t != nil {
		t.step = max(t.step, int64(step))
		t.bar.SetCurrent(t.step)
	}
	cur := p.doneSteps
	for _, o := range p.bars {
		cur += o.step
	}
	p.total.SetCurrent(cur)
	return t
}

// Step implements Progress.
func (p *TermProgress) Step(key string, step int) { p.advance(key, step) }

// Eval implements Progress.
func (p *TermProgress) Eval(key string, e Eval) {
	if t := p.advance(key, e.Step); t != nil {
		t.summary.Store(evalSummary(t.job, e))
	}
}

// Done implements Progress.
func (p *TermProgress) Done(j Job, o Outcome) {
	p.mu.Lock()
	t := p.bars[j.Trial.Key]
	delete(p.bars, j.Trial.Key)
	p.doneSteps += int64(j.Trial.Config.Steps)
	p.finished++
	p.mu.Unlock()
	summary := ""
	if t != nil {
		summary = t.summary.Load().(string)
		t.bar.Abort(true)
	}
	fmt.Fprintf(p.p, "%-11s %s %s  %d/%d steps %s\n", o.Status, ShortKey(j.Trial.Key), j.Label, o.StepsDone, j.Trial.Config.Steps, summary)
	p.advance(j.Trial.Key, 0) // the trial is gone: this moves the sweep bar
}

// timing renders "12s elapsed, ~1m30s left" from the steps done so far.
func timing(elapsed time.Duration, cur, total int64, done bool) string {
	s := elapsed.Round(time.Second).String() + " elapsed"
	if done || cur == 0 {
		return s
	}
	left := time.Duration(float64(elapsed) * float64(total-cur) / float64(cur))
	return s + ", ~" + left.Round(time.Second).String() + " left"
}

// End implements Progress.
func (p *TermProgress) End() {
	// mpb prints lines written to it at the next refresh, and not at all
	// once the container stops: give the last "done" line one refresh.
	time.Sleep(300 * time.Millisecond)
	p.mu.Lock()
	if p.finished == p.trials {
		p.total.SetCurrent(max(p.doneSteps, 1))
	} else {
		p.total.Abort(false)
	}
	p.mu.Unlock()
	p.p.Wait()
}
