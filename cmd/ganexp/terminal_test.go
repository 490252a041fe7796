package main_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// termGrid is a sweep whose trials report often, so that the live display
// is redrawn while many progress and evaluation updates arrive.
const termGrid = `name: term
dataset: {kind: ring}
arch: {hidden: [16]}
train: {steps: 400, batch_size: 32, eval_every: 5, eval_samples: 100}
seeds: 12
grid:
  loss: [nonsaturating, hinge, lsgan, wgan]
detect: {enabled: false}
`

// ptyRun is the real binary running on a pseudo-terminal, as a user at a
// terminal runs it: stdout and stderr are the terminal, and Ctrl-C is a
// byte typed into it, which the terminal turns into SIGINT for the
// foreground process group (the sweep and its workers).
type ptyRun struct {
	cmd  *exec.Cmd
	tty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	more chan struct{} // a token whenever output arrives
	done chan error
}

func startOnPTY(t *testing.T, dir string, args ...string) *ptyRun {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 100})
	if err != nil {
		t.Fatal(err)
	}
	r := &ptyRun{cmd: cmd, tty: tty, more: make(chan struct{}, 1), done: make(chan error, 1)}
	read := make(chan struct{})
	go func() {
		// The terminal must always be read, or a blocked write would look
		// like a hang of the program.
		defer close(read)
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			r.mu.Lock()
			r.out.Write(buf[:n])
			r.mu.Unlock()
			select {
			case r.more <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		err := cmd.Wait()
		<-read
		tty.Close()
		r.done <- err
	}()
	return r
}

func (r *ptyRun) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

// finishedLine matches the line the display prints when a trial ends.
var finishedLine = regexp.MustCompile(`(completed|collapsed|diverged) +[0-9a-f]{8}`)

// wait returns the exit code (-1 for a process ended by a signal), or fails the test if the process has not
// ended within d. A hung process is killed with its workers, after a
// goroutine dump (SIGQUIT) that says where it hung.
func (r *ptyRun) wait(t *testing.T, d time.Duration, what string) int {
	t.Helper()
	select {
	case err := <-r.done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(d):
	}
	r.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-r.done:
	case <-time.After(2 * time.Second):
		// Deaf even to SIGQUIT: end it and its workers (pty.Start made it
		// the leader of a process group of its own).
		syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
		<-r.done
	}
	out := r.output()
	if len(out) > 20000 {
		out = "…" + out[len(out)-20000:]
	}
	t.Fatalf("%s: no exit within %s; the terminal showed:\n%s", what, d, out)
	return -1
}

// TestTerminalSweepAlwaysAnswers resumes one sweep again and again on a
// pseudo-terminal, pressing Ctrl-C at varied moments: before any trial
// ends, as one ends, or not at all. Every run must answer Ctrl-C within a
// few seconds with exit 130, and a run left alone must finish. The live
// display once deadlocked here (a lock held across a call into the
// progress library), freezing the sweep for good.
func TestTerminalSweepAlwaysAnswers(t *testing.T) {
	seed := scheduleSeed(t, "GANEXP_TERM_SEED")
	rng := rand.New(rand.NewPCG(seed, 1))
	dir := t.TempDir()
	writeFile(t, dir, "grid.yaml", termGrid)

	interrupts, finished := 0, false
	for run := 1; !finished; run++ {
		if run > 60 {
			t.Fatalf("the sweep did not finish in 60 runs (%d interrupted)", interrupts)
		}
		r := startOnPTY(t, dir, "sweep", "grid.yaml", "--parallel", "2")
		// Ctrl-C at a random moment or as soon as a trial finishes,
		// whichever comes first, so that a run finishes at most about
		// --parallel trials whatever the machine's speed; or, every fifth
		// run once enough runs were interrupted, never.
		letFinish := run%5 == 0 && interrupts >= 10
		// A display that froze before any trial finished would never
		// print a finished line: press Ctrl-C after 30 s anyway, and the
		// unanswered key fails the test.
		deadline := time.After(30 * time.Second)
		if rng.IntN(2) == 0 {
			deadline = time.After(time.Duration(rng.Int64N(int64(1500 * time.Millisecond))))
		}
		pressed := false
		for !pressed && !letFinish {
			select {
			case <-r.more:
				pressed = finishedLine.MatchString(r.output())
			case <-deadline:
				pressed = true
			case err := <-r.done:
				r.done <- err // the sweep ended by itself before Ctrl-C
				pressed = true
			}
		}
		if letFinish {
			code := r.wait(t, 3*time.Minute, fmt.Sprintf("run %d, left alone", run))
			if code != 0 {
				t.Fatalf("run %d, left alone: exit %d\n%s", run, code, r.output())
			}
			finished = true
			break
		}
		r.tty.Write([]byte{3}) // Ctrl-C
		code := r.wait(t, 10*time.Second, fmt.Sprintf("run %d, Ctrl-C", run))
		switch code {
		case 130:
			interrupts++
			if out := r.output(); !strings.Contains(out, "interrupted: rerun the same command") && !strings.Contains(out, "ganexp: interrupted") {
				t.Errorf("run %d: exit 130 without saying how to resume:\n%s", run, r.output())
			}
		case 0: // finished before the key arrived
			finished = true
		case -1:
			// Ctrl-C before the program set up its signal handling: the
			// default action ended it, before it wrote anything.
			interrupts++
		default:
			t.Fatalf("run %d: exit %d after Ctrl-C\n%s", run, code, r.output())
		}
	}
	t.Logf("%d runs interrupted with Ctrl-C before the sweep finished", interrupts)
	if interrupts < 10 {
		t.Errorf("only %d runs were interrupted: the test did not resume the sweep often enough", interrupts)
	}
	waitNoWorkers(t)
	d := openDB(t, filepath.Join(dir, "ganexp.db"))
	if got := count(t, d, "SELECT count(*) FROM trials WHERE status = 'completed' AND steps_done = 400"); got != 48 {
		t.Errorf("%d of 48 trials completed", got)
	}
}
