package ganexp

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Checkpoint files: the runner picks which one a trial resumes from, and
// gan writes and reads them. Each starts with two text lines, the magic
// and "key=K step=S", so that the runner learns a checkpoint's trial and
// step without decoding it.
const checkpointMagic = "ganexp checkpoint"

// CheckpointHeader is the two lines that start a checkpoint of trial key
// at step.
func CheckpointHeader(key string, step int) string {
	return fmt.Sprintf("%s\nkey=%s step=%d\n", checkpointMagic, key, step)
}

// ReadCheckpointHeader reads the trial key and step of the checkpoint at
// path, and how many bytes the header took.
func ReadCheckpointHeader(path string) (key string, step, size int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, 0, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	magic, err := r.ReadString('\n')
	if err != nil || magic != checkpointMagic+"\n" {
		return "", 0, 0, fmt.Errorf("%s: not a ganexp checkpoint", path)
	}
	line, err := r.ReadString('\n')
	if err != nil {
		return "", 0, 0, fmt.Errorf("%s: not a ganexp checkpoint", path)
	}
	if _, err := fmt.Sscanf(line, "key=%s step=%d\n", &key, &step); err != nil {
		return "", 0, 0, fmt.Errorf("%s: bad checkpoint header %q", path, line)
	}
	return key, step, len(magic) + len(line), nil
}

// CheckpointPath is trial key's latest checkpoint in the folder dir.
func CheckpointPath(dir, key string) string { return filepath.Join(dir, key+".ckpt") }

// PrevCheckpointPath is the checkpoint before the latest, kept until the
// next one is written, in case the database has not recorded the
// latest's evaluations yet.
func PrevCheckpointPath(dir, key string) string { return filepath.Join(dir, key+".prev.ckpt") }

// GeneratorPath is a finished trial's final generator (a checkpoint of its
// last step), which `ganexp sample` draws from.
func GeneratorPath(dir, key string) string { return filepath.Join(dir, key+".gen") }

// WriteError is a file that a trial keeps beside the database (a
// checkpoint, its final generator) and could not write: a storage fault,
// which stops the sweep like a database write the disk refuses, not a
// failure of the trial.
type WriteError struct {
	Path string
	Err  error
}

func (e *WriteError) Error() string {
	err := e.Err
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path named is a temporary file's
	}
	return fmt.Sprintf("write %s: %v", e.Path, err)
}
func (e *WriteError) Unwrap() error { return e.Err }
