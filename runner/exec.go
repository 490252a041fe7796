package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ganexp/ganexp"
)

// Executor runs one trial to its end.
type Executor interface {
	Execute(ctx context.Context, t ganexp.Trial, sink ganexp.Sink) Outcome
}

// InProcess runs trials in this process. It is fast to start, but a panic
// inside gorgonia's VM would end the whole sweep, so the CLI uses
// Subprocess; tests use InProcess with a fake trainer.
type InProcess struct {
	Trainer Trainer
}

// Execute implements Executor.
func (p InProcess) Execute(ctx context.Context, t ganexp.Trial, sink ganexp.Sink) Outcome {
	return RunTrial(ctx, t, p.Trainer, sink)
}

// Subprocess runs each trial in a worker process of its own, so that no
// crash in one trial, even one recover() cannot catch, reaches the
// others. The worker reads the trial as JSON on stdin and streams
// messages on stdout (see WireSink); stdin stays open, and the worker
// stops when it closes, so workers never outlive their parent.
type Subprocess struct {
	// Command is the worker's argv, e.g. {"/usr/bin/ganexp", "worker"}.
	Command []string
	// Env is added to the worker's environment.
	Env []string
	// Grace is how long a worker may take to stop after SIGINT before it
	// is killed.
	Grace time.Duration
}

// stderrKeep bounds how much of a worker's stderr is kept for the error
// message of a crashed trial.
const stderrKeep = 16 << 10

// Execute implements Executor.
func (p Subprocess) Execute(ctx context.Context, t ganexp.Trial, sink ganexp.Sink) Outcome {
	fail := func(format string, args ...any) Outcome {
		return Outcome{Status: ganexp.StatusFailed, Error: fmt.Sprintf(format, args...)}
	}
	spec, err := json.Marshal(t)
	if err != nil {
		return fail("encode trial: %v", err)
	}
	cmd := exec.Command(p.Command[0], p.Command[1:]...)
	cmd.Env = append(os.Environ(), p.Env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return fail("worker stdin: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fail("worker stdout: %v", err)
	}
	stderr := &tailBuffer{max: stderrKeep}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return fail("start worker %s: %v", p.Command[0], err)
	}
	// Interrupt the worker when ctx ends; kill it if it does not stop.
	stopped := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-stopped:
			return
		case <-ctx.Done():
		}
		if errors.Is(context.Cause(ctx), ErrTimeout) {
			// A trial past its timeout may be stuck where it cannot see a
			// signal; it fails anyway, so it goes at once.
			cmd.Process.Kill()
			return
		}
		cmd.Process.Signal(syscall.SIGINT)
		grace := p.Grace
		if grace == 0 {
			grace = 30 * time.Second
		}
		select {
		case <-stopped:
		case <-time.After(grace):
			cmd.Process.Kill()
		}
	}()
	defer func() { close(stopped); wg.Wait() }()

	if _, err := stdin.Write(append(spec, '\n')); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return fail("send trial to worker: %v", err)
	}
	out, relayErr := relay(stdout, sink)
	if relayErr != nil {
		cmd.Process.Kill()
	}
	io.Copy(io.Discard, stdout)
	stdin.Close()
	waitErr := cmd.Wait()
	switch {
	case relayErr != nil:
		return fail("%v", relayErr)
	case out != nil:
		return *out
	}
	msg := "worker exited without a result"
	var exit *exec.ExitError
	if errors.As(waitErr, &exit) {
		msg = fmt.Sprintf("worker crashed (%v)", exit)
	} else if waitErr != nil {
		msg = fmt.Sprintf("worker failed: %v", waitErr)
	}
	if ctx.Err() != nil && !strings.Contains(stderr.String(), "panic") {
		return Outcome{Status: ganexp.StatusInterrupted, Error: msg}
	}
	if s := strings.TrimSpace(stderr.String()); s != "" {
		first, _, _ := strings.Cut(s, "\n")
		msg += ": " + first + "\n\n" + s
	}
	return fail("%s", msg)
}

// tailBuffer keeps the first and last bytes written to it: the start of a
// panic message and the end of its stack.
type tailBuffer struct {
	mu      sync.Mutex
	max     int
	head    bytes.Buffer
	tail    []byte
	dropped bool
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(p)
	if room := b.max/2 - b.head.Len(); room > 0 {
		k := min(room, len(p))
		b.head.Write(p[:k])
		p = p[k:]
	}
	b.tail = append(b.tail, p...)
	if len(b.tail) > b.max/2 {
		b.tail = b.tail[len(b.tail)-b.max/2:]
		b.dropped = true
	}
	return n, nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dropped {
		return b.head.String() + "\n…\n" + string(b.tail)
	}
	return b.head.String() + string(b.tail)
}
