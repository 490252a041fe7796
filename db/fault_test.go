package db

import (
	"errors"
	"fmt"
	"io"
	"syscall"
	"testing"

	"github.com/mattn/go-sqlite3"
)

func TestExplain(t *testing.T) {
	d := &DB{path: "runs/g.db"}
	tests := []struct {
		name string
		err  error
		want string // "" when err must come back unchanged
	}{
		{"Full", fmt.Errorf("save eval k: %w", sqlite3.Error{Code: sqlite3.ErrFull}), "the disk is full"},
		{"ReadOnlyFS", fmt.Errorf("finish trial k: %w", sqlite3.Error{Code: sqlite3.ErrIoErr, SystemErrno: syscall.EROFS}), "the file system became read-only"},
		{"IOErrNoSpace", sqlite3.Error{Code: sqlite3.ErrIoErr, SystemErrno: syscall.ENOSPC}, "the disk is full"},
		{"IOErr", sqlite3.Error{Code: sqlite3.ErrIoErr, SystemErrno: syscall.EIO}, "the disk failed a read or write"},
		{"ReadOnlyDB", sqlite3.Error{Code: sqlite3.ErrReadonly}, "the database became read-only"},
		{"Corrupt", sqlite3.Error{Code: sqlite3.ErrCorrupt}, "the database file is damaged"},
		{"PlainENOSPC", fmt.Errorf("write: %w", syscall.ENOSPC), "the disk is full"},
		{"Constraint", sqlite3.Error{Code: sqlite3.ErrConstraint}, ""},
		{"Other", io.ErrUnexpectedEOF, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := d.Explain(tt.err)
			var se *StorageError
			if tt.want == "" {
				if got != tt.err {
					t.Errorf("got %v, want the error unchanged", got)
				}
				return
			}
			if !errors.As(got, &se) || se.What != tt.want || se.Path != "runs/g.db" || !errors.Is(got, tt.err) {
				t.Errorf("got %#v, want a StorageError %q wrapping the cause", got, tt.want)
			}
		})
	}
	if d.Explain(nil) != nil {
		t.Error("Explain(nil) is not nil")
	}
}
