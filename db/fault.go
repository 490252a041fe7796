package db

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/mattn/go-sqlite3"
)

// StorageError is a write that the disk refused: full, read-only or
// failing. It is not the trial's fault and not the user's input; the
// sweep stops and a rerun resumes it.
type StorageError struct {
	Path string
	What string // "the disk is full"
	Err  error
}

func (e *StorageError) Error() string {
	return fmt.Sprintf("%s: %s; %v (fix the disk, then rerun the same command: completed trials are kept, the others resume from their last checkpoint or start over)",
		e.Path, e.What, e.Err)
}

func (e *StorageError) Unwrap() error { return e.Err }

// Explain returns err as a *StorageError when the disk under the database
// caused it, and err unchanged otherwise.
func (d *DB) Explain(err error) error { return explain(d.path, err) }

func explain(path string, err error) error {
	if err == nil {
		return nil
	}
	var se *StorageError
	if errors.As(err, &se) {
		return err
	}
	if what := storageFault(err); what != "" {
		return &StorageError{Path: path, What: what, Err: err}
	}
	return err
}

// storageFault names what went wrong with the disk, or "" when err is not
// a storage fault.
func storageFault(err error) string {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrFull:
			return "the disk is full"
		case sqlite3.ErrReadonly:
			return "the database became read-only"
		case sqlite3.ErrIoErr:
			if se.SystemErrno == syscall.EROFS {
				return "the file system became read-only"
			}
			if se.SystemErrno == syscall.ENOSPC {
				return "the disk is full"
			}
			return "the disk failed a read or write"
		case sqlite3.ErrCorrupt:
			return "the database file is damaged"
		}
	}
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return "the disk is full"
	case errors.Is(err, syscall.EROFS):
		return "the file system became read-only"
	}
	return ""
}
