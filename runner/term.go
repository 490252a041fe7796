package runner

import (
	"fmt"
	"github.com/ganexp/ganexp"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// TermProgress draws a live display on a terminal: a line per running
// trial with a bar and its latest metrics, and a sweep line with counts
// and an ETA at the bottom. Lines for finished trials scroll above it.
//
// One goroutine of its own draws every frame and is the only writer of W;
// the Progress methods only update memory. So a terminal that blocks
// (scrolled back, suspended with Ctrl-S) stalls the drawing, never the
// trials, the signal handling or the database writes.
type TermProgress struct {
	W io.Writer
	// Width returns the terminal's width in columns; nil or a result
	// below 20 means 100. Lines are cut to fit, since a wrapped line
	// would throw off the redraw.
	Width func() int
	// Every is the time between frames (default 150 ms).
	Every time.Duration

	b board

	mu      sync.Mutex
	pending []string // finished-trial lines not yet printed

	stop  chan struct{}
	drawn chan struct{} // closed when the drawing goroutine ended
	lines int           // live lines on screen, owned by the drawing goroutine
}

// Begin implements Progress.
func (p *TermProgress) Begin(bg Begin) {
	p.b.begin(bg)
	p.stop, p.drawn = make(chan struct{}), make(chan struct{})
	notes := recoveredLines(bg.Recovered)
	if skipped := bg.Planned - len(bg.Todo); skipped > 0 {
		notes = append(notes, fmt.Sprintf("%d of %d trials already have results; %d to run", skipped, bg.Planned, len(bg.Todo)))
	}
	p.queue(notes...)
	go p.draw()
}

func (p *TermProgress) queue(lines ...string) {
	p.mu.Lock()
	p.pending = append(p.pending, lines...)
	p.mu.Unlock()
}

// Start implements Progress.
func (p *TermProgress) Start(j Job) { p.b.startTrial(j) }

// Step implements Progress.
func (p *TermProgress) Step(key string, step int) { p.b.advance(key, step) }

// Eval implements Progress.
func (p *TermProgress) Eval(key string, e ganexp.Eval) { p.b.eval(key, e) }

// Done implements Progress.
func (p *TermProgress) Done(j Job, o Outcome) {
	summary := p.b.finish(j, o)
	line := fmt.Sprintf("%-11s %s %s  %d/%d steps  %s", o.Status, ShortKey(j.Trial.Key), j.Label, o.StepsDone, j.Trial.Config.Steps, summary)
	if o.Pruned != nil {
		line += "\n  pruned at " + o.Pruned.String()
	}
	if o.Error != "" {
		first, _, _ := strings.Cut(o.Error, "\n")
		line += "\n  error: " + first
	}
	p.queue(strings.Split(line, "\n")...)
}

// End implements Progress: it draws the last frame, with the live lines
// replaced by one closing line, and waits for it at most endWait.
func (p *TermProgress) End() {
	close(p.stop)
	select {
	case <-p.drawn:
	case <-time.After(endWait):
	}
}

func (p *TermProgress) every() time.Duration {
	if p.Every > 0 {
		return p.Every
	}
	return 150 * time.Millisecond
}

func (p *TermProgress) width() int {
	if p.Width != nil {
		if w := p.Width(); w >= 20 {
			return w
		}
	}
	return 100
}

// draw renders a frame every tick until End.
func (p *TermProgress) draw() {
	defer close(p.drawn)
	tick := time.NewTicker(p.every())
	defer tick.Stop()
	for {
		select {
		case <-p.stop:
			p.frame(true)
			return
		case <-tick.C:
			p.frame(false)
		}
	}
}

// frame moves the cursor to the top of the live lines, clears them and
// everything below (a "^C" the terminal echoed, say), prints the pending
// finished lines, then the live lines. The last frame prints a closing
// line instead of the live ones.
func (p *TermProgress) frame(last bool) {
	p.mu.Lock()
	pending := p.pending
	p.pending = nil
	p.mu.Unlock()
	s := p.b.snap()
	width := p.width()

	var buf strings.Builder
	if p.lines > 0 {
		fmt.Fprintf(&buf, "\r\x1b[%dA", p.lines)
	} else {
		buf.WriteString("\r")
	}
	buf.WriteString("\x1b[J")
	for _, l := range pending {
		// Lines that stay may wrap: the redraw counts only live lines.
		buf.WriteString(l)
		buf.WriteString("\n")
	}
	var live []string
	if last {
		live = nil
		buf.WriteString(fit(closingLine(s), width) + "\n")
	} else {
		live = liveLines(s, width)
	}
	for _, l := range live {
		buf.WriteString(fit(l, width))
		buf.WriteString("\n")
	}
	p.lines = len(live)
	io.WriteString(p.W, buf.String())
}

// barWidth is the cells of a progress bar.
const barWidth = 12

// liveLines renders the running trials and the sweep line.
func liveLines(s snapshot, width int) []string {
	var out []string
	for _, t := range s.running {
		out = append(out, trialLine(t, width))
	}
	sweep := "sweep: " + s.counts() + " " + bar(s.stepsDone, s.stepsTotal, barWidth) + " " + roundDuration(s.elapsed) + " elapsed"
	if eta := s.eta(); eta != "" {
		sweep += ", " + eta
	}
	return append(out, sweep)
}

// trialLine renders a running trial: key, label, bar, steps, metrics. On
// a narrow terminal the label is cut first, then the end of the line.
func trialLine(t liveTrial, width int) string {
	steps := t.job.Trial.Config.Steps
	rest := fmt.Sprintf("%s %*d/%d %s", bar(int64(t.step), int64(steps), barWidth), len(strconv.Itoa(steps)), t.step, steps, t.summary)
	key := ShortKey(t.job.Trial.Key)
	room := width - 1 - utf8.RuneCountInString(key+"  "+rest)
	label := t.job.Label
	switch n := utf8.RuneCountInString(label); {
	case room >= n:
	case room >= 12:
		label = fit(label, room+1)
	default:
		return fit(key+" "+rest, width)
	}
	return key + " " + label + " " + rest
}

// closingLine sums up the display when it ends.
func closingLine(s snapshot) string {
	line := "sweep: " + s.counts()
	if n := s.todo - s.done - s.failed - s.stopped - len(s.running); n > 0 {
		line += fmt.Sprintf(", %d not started", n)
	}
	return line + " (" + roundDuration(s.elapsed) + ")"
}

// bar draws [#####-----] for cur of total in width cells.
func bar(cur, total int64, width int) string {
	filled := 0
	if total > 0 {
		filled = int(min(cur, total) * int64(width) / total)
	}
	return "[" + strings.Repeat("#", filled) + strings.Repeat("-", width-filled) + "]"
}

// fit cuts a line to width-1 columns, so that it never wraps.
func fit(s string, width int) string {
	if utf8.RuneCountInString(s) < width {
		return s
	}
	r := []rune(s)
	return string(r[:width-2]) + "…"
}

var (
	_ Progress = (*TermProgress)(nil)
	_ Progress = (*LogProgress)(nil)
)
