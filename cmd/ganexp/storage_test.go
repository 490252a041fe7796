package main_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The storage tests mount small file systems, which needs root. They skip
// elsewhere, unless GANEXP_STORAGE_TEST=1 says they must run (.ci/run
// sets it when it can mount).

// storageGrid trains long enough for the fault to land mid-sweep.
var storageGrid = strings.Replace(tinyGrid, "steps: 60", "steps: 1500", 1)

func cannotMount(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("GANEXP_STORAGE_TEST") == "1" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

func sh(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return errors.New(strings.TrimSpace(string(out)) + ": " + err.Error())
	}
	return nil
}

// mountTmpfs mounts a tmpfs of the given size on a fresh directory.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := sh("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir); err != nil {
		cannotMount(t, "mount tmpfs: %v", err)
	}
	t.Cleanup(func() { sh("umount", "-l", dir) })
	return dir
}

// sweepUntilFault starts a sweep in dir, waits until both running trials
// have been evaluated, calls fault, and returns the sweep's exit code and
// output. Two more trials wait to start, so the sweep writes after the
// fault on any machine.
func sweepUntilFault(t *testing.T, dir string, fault func()) (int, string) {
	t.Helper()
	out := newProgressLines()
	cmd := startSweep(t, dir, out)
	out.waitEvaluated(t, 2)
	fault()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the sweep went on after the fault:\n%s", out.String())
	}
	waitNoWorkers(t)
	return cmd.ProcessState.ExitCode(), out.String()
}

// checkResumes checks the database is intact and that a rerun finishes
// the sweep.
func checkResumes(t *testing.T, dir string) {
	t.Helper()
	d := openDB(t, filepath.Join(dir, "ganexp.db"))
	var check string
	if err := d.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	r := run(t, dir, nil, "sweep", "grid.yaml")
	if r.code != 0 {
		t.Fatalf("rerun: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := count(t, d, "SELECT count(*) FROM trials WHERE status = 'completed' AND steps_done = 1500"); got != 4 {
		t.Errorf("%d completed trials after the rerun, want 4", got)
	}
	if got := count(t, d, "SELECT count(*) FROM metrics WHERE name = 'loss_d'"); got != 4*75 {
		t.Errorf("%d loss_d rows, want 300: one per evaluation", got)
	}
}

func TestSweepOnAFullDisk(t *testing.T) {
	dir := mountTmpfs(t, "32m")
	writeFile(t, dir, "grid.yaml", storageGrid)
	fill := filepath.Join(dir, "fill")
	code, out := sweepUntilFault(t, dir, func() {
		f, err := os.Create(fill)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		chunk := make([]byte, 1<<20)
		for {
			if _, err := f.Write(chunk); err != nil {
				return // ENOSPC: the disk is full
			}
		}
	})
	checkStorageError(t, code, out, "the disk is full")
	os.Remove(fill)
	checkResumes(t, dir)
}

func TestSweepOnADiskThatTurnsReadOnly(t *testing.T) {
	img := filepath.Join(t.TempDir(), "fs.img")
	dir := t.TempDir()
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 64<<20); err != nil {
		t.Fatal(err)
	}
	if err := sh("mkfs.ext4", "-q", "-F", img); err != nil {
		cannotMount(t, "mkfs.ext4: %v", err)
	}
	mount := func() {
		if err := sh("mount", "-o", "loop,errors=remount-ro", img, dir); err != nil {
			cannotMount(t, "mount an ext4 image: %v", err)
		}
	}
	mount()
	mounted := true
	t.Cleanup(func() {
		if mounted {
			sh("umount", dir)
		}
	})
	dev := loopDevice(t, dir)
	trigger := filepath.Join("/sys/fs/ext4", dev, "trigger_fs_error")
	if _, err := os.Stat(trigger); err != nil {
		cannotMount(t, "no way to make ext4 fail on purpose: %v", err)
	}
	writeFile(t, dir, "grid.yaml", storageGrid)
	// ext4 meets an error and, as told by errors=remount-ro, turns the
	// file system read-only under the running sweep. Writes not yet on the
	// disk then never get there, as on a real failing disk; the sync makes
	// the sweep's progress so far durable, so the rerun has something to
	// resume.
	code, out := sweepUntilFault(t, dir, func() {
		syscall.Sync()
		if err := os.WriteFile(trigger, []byte("ganexp storage test"), 0o200); err != nil {
			t.Fatal(err)
		}
	})
	checkStorageError(t, code, out, "the file system became read-only")
	// While it stays read-only, a rerun says so and changes nothing.
	r := run(t, dir, nil, "sweep", "grid.yaml")
	if want := "ganexp: ganexp.db: cannot write in directory . (pass --db in a directory you can write)\n"; r.code != 2 || r.stderr != want {
		t.Errorf("rerun on the read-only disk: exit %d, stderr %q, want 2 and %q", r.code, r.stderr, want)
	}
	// Remounted writable, the database is intact and the sweep resumes.
	if err := sh("umount", dir); err != nil {
		t.Fatal(err)
	}
	mounted = false
	mount()
	mounted = true
	checkResumes(t, dir)
}

// loopDevice names the block device mounted on dir, as /sys/fs/ext4 does.
func loopDevice(t *testing.T, dir string) string {
	t.Helper()
	mounts, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(mounts), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[1] == dir {
			return filepath.Base(f[0])
		}
	}
	t.Fatalf("%s is not in /proc/self/mounts", dir)
	return ""
}

// checkStorageError checks that the sweep stopped with exit 1 and, as its
// last line, one naming the fault and the way out.
func checkStorageError(t *testing.T, code int, out, what string) {
	t.Helper()
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	t.Logf("sweep output:\n%s", out)
	last := lastLine(out)
	if !strings.HasPrefix(last, "ganexp: ganexp.db: "+what+"; ") ||
		!strings.HasSuffix(last, "(fix the disk, then rerun the same command: completed trials are kept, the others resume from their last checkpoint or start over)") {
		t.Errorf("last line:\n%s\nwhole output:\n%s", last, out)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestCheckpointOnAFullDisk: a checkpoint that does not fit beside the
// database stops the sweep with the storage message every other full
// disk gives, leaves the trial to run again and no partial checkpoint
// behind; with room again, the rerun finishes it.
func TestCheckpointOnAFullDisk(t *testing.T) {
	dir := mountTmpfs(t, "6m")
	// Two 512-wide layers: G, D and Adam's two moments of each are about
	// 6 MB, more than the disk has left beside the database.
	writeFile(t, dir, "grid.yaml", `name: big
dataset: {kind: ring}
arch: {hidden: [512, 512]}
train: {steps: 2400, batch_size: 16, eval_every: 40, eval_samples: 200}
seeds: [1]
detect: {enabled: false}
`)
	r := run(t, dir, nil, "sweep", "grid.yaml")
	checkStorageError(t, r.code, r.stdout+r.stderr, "the disk is full")
	d := openDB(t, filepath.Join(dir, "ganexp.db"))
	if got := count(t, d, "SELECT count(*) FROM trials WHERE status = 'interrupted'"); got != 1 {
		t.Errorf("%d interrupted trials, want the one", got)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "ganexp.checkpoints", "*")); len(left) != 0 {
		t.Errorf("the full disk left %v", left)
	}
	if err := sh("mount", "-o", "remount,size=64m", dir); err != nil {
		t.Fatalf("grow the tmpfs: %v", err)
	}
	if r := run(t, dir, nil, "sweep", "grid.yaml"); r.code != 0 {
		t.Fatalf("rerun with room: exit %d\n%s", r.code, r.stderr)
	}
	if got := count(t, d, "SELECT count(*) FROM trials WHERE status = 'completed'"); got != 1 {
		t.Errorf("%d completed trials after the rerun, want 1", got)
	}
}
