package runner

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ganexp/ganexp"
)

// screen is the smallest terminal that the display's output needs: text
// overwrites at the cursor, \r, \n, cursor up (ESC [ n A) and erase to the
// end of the screen (ESC [ J). It shows what a user would see.
type screen struct {
	mu       sync.Mutex
	rows     [][]rune
	row, col int
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	text := []rune(string(p))
	for i := 0; i < len(text); i++ {
		for len(s.rows) <= s.row {
			s.rows = append(s.rows, nil)
		}
		switch c := text[i]; c {
		case '\r':
			s.col = 0
		case '\n':
			s.row++
			s.col = 0
		case 0x1b:
			j := i + 2 // past ESC [
			for j < len(text) && (text[j] >= '0' && text[j] <= '9') {
				j++
			}
			n, _ := strconv.Atoi(string(text[i+2 : j]))
			switch text[j] {
			case 'A':
				s.row = max(0, s.row-n)
			case 'J':
				s.rows[s.row] = s.rows[s.row][:min(s.col, len(s.rows[s.row]))]
				s.rows = s.rows[:s.row+1]
			default:
				panic(fmt.Sprintf("screen: escape %q not emulated", string(text[i:j+1])))
			}
			i = j
		default:
			line := s.rows[s.row]
			for len(line) <= s.col {
				line = append(line, ' ')
			}
			line[s.col] = c
			s.rows[s.row] = line
			s.col++
		}
	}
	return len(p), nil
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var lines []string
	for _, r := range s.rows {
		lines = append(lines, strings.TrimRight(string(r), " "))
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// echo types text at the cursor, as the terminal echoes a key ("^C").
func (s *screen) echo(text string) { s.Write([]byte(text)) }

func TestTermProgressScreen(t *testing.T) {
	js := jobs(3)
	for i := range js {
		js[i].Trial.Config.Steps = 100
	}
	scr := &screen{}
	p := &TermProgress{W: scr, Width: func() int { return 100 }, Every: time.Millisecond}
	p.Begin(Begin{Todo: js, Planned: 5, Recovered: []Recovered{{Key: "0123456789ab", Reason: "owner process 42 is gone"}}})
	waitScreen := func(want string) string {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for !strings.Contains(scr.String(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("the screen never showed %q:\n%s", want, scr.String())
			}
			time.Sleep(time.Millisecond)
		}
		return scr.String()
	}
	p.Start(js[0])
	p.Start(js[1])
	p.Step(js[0].Trial.Key, 50)
	p.Eval(js[1].Trial.Key, ganexp.Eval{Step: 10, Values: map[string]ganexp.Number{"loss_d": 1.386, "loss_g": 0.6931, "modes_captured": 8}})
	live := waitScreen("modes=8/8")
	for _, want := range []string{
		"recovered 01234567: owner process 42 is gone; it runs again",
		"2 of 5 trials already have results; 3 to run",
		ShortKey(js[0].Trial.Key) + " seed=1 [######------]  50/100",
		ShortKey(js[1].Trial.Key) + " seed=2 [#-----------]  10/100 loss_d=1.386 loss_g=0.6931 modes=8/8",
		"sweep: 0/3 done, 2 running [##----------]",
	} {
		if !strings.Contains(live, want) {
			t.Errorf("live screen lacks %q:\n%s", want, live)
		}
	}
	// Ctrl-C: the terminal echoes it where the cursor is; the next frame
	// must leave no trace of it or of the bars.
	scr.echo("^C")
	p.Done(js[0], Outcome{Status: ganexp.StatusCompleted, StepsDone: 100})
	p.Done(js[1], Outcome{Status: ganexp.StatusInterrupted, StepsDone: 37})
	p.End()
	want := strings.Join([]string{
		"recovered 01234567: owner process 42 is gone; it runs again",
		"2 of 5 trials already have results; 3 to run",
		"completed   " + ShortKey(js[0].Trial.Key) + " seed=1  100/100 steps",
		"interrupted " + ShortKey(js[1].Trial.Key) + " seed=2  37/100 steps  loss_d=1.386 loss_g=0.6931 modes=8/8",
	}, "\n")
	got := scr.String()
	// The closing line ends with the elapsed time, which varies.
	closing := regexp.MustCompile(`\nsweep: 1/3 done, 1 interrupted, 1 not started \(\d+s\)$`)
	if !strings.HasPrefix(got, want) || !closing.MatchString(got) || strings.Count(got, "\n") != 4 {
		t.Errorf("final screen:\n%s\nwant:\n%s\nsweep: 1/3 done, 1 interrupted, 1 not started (0s)", got, want)
	}
}

func TestTermProgressCutsLongLines(t *testing.T) {
	// On a narrow terminal the label gives way first, then the line.
	j := jobs(1)[0]
	j.Label = "loss=nonsaturating arch=mlp64 lr=0.001 seed=3"
	lt := liveTrial{job: j, step: 5, summary: "loss_d=1.386 loss_g=0.6931 modes=8/8"}
	key := ShortKey(j.Trial.Key)
	for _, tt := range []struct {
		width int
		want  string
	}{
		// 5 of 20 steps fill 3 of 12 cells.
		{120, key + " loss=nonsaturating arch=mlp64 lr=0.001 seed=3 [###---------]  5/20 loss_d=1.386 loss_g=0.6931 modes=8/8"},
		// 89 columns: 8 + 1 + 22 (the label cut) + 1 + 57.
		{90, key + " loss=nonsaturating ar… [###---------]  5/20 loss_d=1.386 loss_g=0.6931 modes=8/8"},
		{50, key + " [###---------]  5/20 loss_d=1.386 loss_…"},
	} {
		if got := trialLine(lt, tt.width); got != tt.want {
			t.Errorf("width %d:\n got %q\nwant %q", tt.width, got, tt.want)
		}
		if n := len([]rune(trialLine(lt, tt.width))); n >= tt.width {
			t.Errorf("width %d: a line of %d columns would wrap", tt.width, n)
		}
	}
	if got := fit("abcdef", 10); got != "abcdef" {
		t.Errorf("fit short = %q", got)
	}
	// Width 6 leaves 5 columns, the last one the ellipsis: no wrap.
	if got := fit("abcdefgh", 6); got != "abcd…" {
		t.Errorf("fit long = %q", got)
	}
}

// blockedWriter never returns from Write, like a terminal stopped with
// Ctrl-S or a pipe that nobody reads.
type blockedWriter struct{ block chan struct{} }

func (w blockedWriter) Write(p []byte) (int, error) {
	<-w.block
	return len(p), nil
}

// TestProgressNeverBlocks: whatever the output does, every Progress call
// returns, and End returns within its bound, for both displays.
func TestProgressNeverBlocks(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(io.Writer) Progress
	}{
		{"term", func(w io.Writer) Progress { return &TermProgress{W: w, Every: time.Millisecond} }},
		{"log", func(w io.Writer) Progress { return &LogProgress{W: w, Every: time.Nanosecond} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := blockedWriter{make(chan struct{})}
			defer close(w.block)
			p := tc.make(w)
			js := jobs(2)
			done := make(chan struct{})
			go func() {
				defer close(done)
				p.Begin(Begin{Todo: js, Planned: 2})
				for _, j := range js {
					p.Start(j)
					// Far more lines than any buffer holds.
					for step := 1; step <= 3*asyncBuffer; step++ {
						p.Step(j.Trial.Key, step)
						p.Eval(j.Trial.Key, ganexp.Eval{Step: step, Values: map[string]ganexp.Number{"loss_d": 1}})
					}
					p.Done(j, Outcome{Status: ganexp.StatusCompleted})
				}
				p.End()
			}()
			select {
			case <-done:
			case <-time.After(time.Minute):
				t.Fatal("a progress call blocked on the output")
			}
		})
	}
}

func TestSnapshotETA(t *testing.T) {
	tests := []struct {
		name string
		s    snapshot
		want string
	}{
		{"first frame", snapshot{elapsed: time.Second, sinceFirstStep: 200 * time.Millisecond, stepsDone: 40, stepsTotal: 42000}, ""},
		{"too little done", snapshot{elapsed: time.Minute, sinceFirstStep: time.Minute, stepsDone: 10, stepsTotal: 1000}, ""},
		// 200 of 1000 steps in 10 s: 800 more at 20 steps/s is 40 s.
		{"steady", snapshot{elapsed: 10 * time.Second, sinceFirstStep: 9 * time.Second, stepsDone: 200, stepsTotal: 1000}, "~40s left"},
		// 400 of 20,000 in 60 s: 19,600 more at 20/3 steps/s is 49 min.
		{"long", snapshot{elapsed: time.Minute, sinceFirstStep: time.Minute, stepsDone: 400, stepsTotal: 20000}, "~49m0s left"},
		// 2,000 of 100,000 in 3 min: 98,000 more at 100/9 steps/s is
		// 8,820 s, shown to the minute.
		{"hours", snapshot{elapsed: 3 * time.Minute, sinceFirstStep: time.Minute, stepsDone: 2000, stepsTotal: 100000}, "~2h27m0s left"},
	}
	for _, tt := range tests {
		if got := tt.s.eta(); got != tt.want {
			t.Errorf("%s: eta = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSnapshotCounts(t *testing.T) {
	// Interrupted and failed trials are not done.
	s := snapshot{todo: 10, done: 3, failed: 1, stopped: 2, running: make([]liveTrial, 2)}
	if got, want := s.counts(), "3/10 done, 2 running, 1 failed, 2 interrupted"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestLogProgressLines: off a terminal, a trial's first evaluation prints
// at once, later ones at most every Every, and interrupted trials are
// said to be so.
func TestLogProgressLines(t *testing.T) {
	js := jobs(1)
	key := ShortKey(js[0].Trial.Key)
	var out strings.Builder
	p := &LogProgress{W: &out, Every: time.Hour}
	p.Begin(Begin{Todo: js, Planned: 3})
	p.Start(js[0])
	p.Step(js[0].Trial.Key, 5)
	p.Eval(js[0].Trial.Key, ganexp.Eval{Step: 10, Values: map[string]ganexp.Number{"loss_d": 1.5, "loss_g": 0.5}})
	p.Eval(js[0].Trial.Key, ganexp.Eval{Step: 20, Values: map[string]ganexp.Number{"loss_d": 1.25, "loss_g": 0.75}})
	p.Done(js[0], Outcome{Status: ganexp.StatusInterrupted, StepsDone: 17})
	p.End()
	stamp := regexp.MustCompile(`(?m)^\[ *\d+\.\ds\] `)
	got := stamp.ReplaceAllString(out.String(), "")
	want := "3 trials planned, 2 already have results, 1 to run\n" +
		"start " + key + " seed=1\n" +
		key + " step 10/20 loss_d=1.5 loss_g=0.5\n" +
		"interrupted " + key + " at step 17/20 loss_d=1.25 loss_g=0.75\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
