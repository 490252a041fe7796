package ganexp

import (
	"errors"
	"fmt"
)

// InputError is a problem with what the user gave ganexp: a config file, a
// flag, a data file or a database path. The CLI prints it on one line and
// exits 2.
type InputError struct {
	Where string // "grid.yaml:12:5", a path, or empty
	Msg   string
	Hint  string // how to fix it; may be empty
	// Kind, when set, is a sentinel that says which problem this is, so
	// that a caller can tell it apart without matching the message.
	Kind error
}

// Unwrap returns Kind.
func (e *InputError) Unwrap() error { return e.Kind }

func (e *InputError) Error() string {
	s := e.Msg
	if e.Where != "" {
		s = e.Where + ": " + s
	}
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// Inputf returns an *InputError located at where.
func Inputf(where, hint, format string, args ...any) *InputError {
	return &InputError{Where: where, Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// ErrInterrupted reports that a sweep stopped on SIGINT or SIGTERM; the CLI
// exits 130.
var ErrInterrupted = errors.New("interrupted")

// TrialsFailedError reports trials that ended in an error or a panic. The
// sweep itself ran to the end; the CLI exits 1 and names them.
type TrialsFailedError struct {
	Keys []string
	// Hint is the command that shows a failed trial, as the user can run
	// it (the CLI knows how ganexp was invoked and on which database).
	Hint string
}

func (e *TrialsFailedError) Error() string {
	s := fmt.Sprintf("%d trial(s) failed: %v", len(e.Keys), e.Keys)
	if e.Hint != "" {
		s += " (see `" + e.Hint + "`)"
	}
	return s
}
