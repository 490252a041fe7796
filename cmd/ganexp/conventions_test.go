package main_test

import (
	"encoding/csv"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIConventions checks, through the real binary, what users of gh and
// Optuna expect of a command line: completion scripts, --version, a list
// of sweeps, unknown names refused with the known ones, the same columns
// in every format, JSON where a script wants it, and examples in --help.
func TestCLIConventions(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "grid.yaml", tinyGrid)
	if r := run(t, dir, nil, "sweep", "grid.yaml"); r.code != 0 {
		t.Fatalf("sweep: exit %d\n%s", r.code, r.stderr)
	}

	t.Run("Completion", func(t *testing.T) {
		for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
			r := run(t, dir, nil, "completion", sh)
			if r.code != 0 || !strings.Contains(r.stdout, "ganexp") || len(r.stdout) < 500 {
				t.Errorf("completion %s: exit %d, %d bytes\n%s", sh, r.code, len(r.stdout), r.stderr)
			}
		}
	})
	t.Run("Version", func(t *testing.T) {
		r := run(t, dir, nil, "--version")
		if r.code != 0 || !strings.HasPrefix(r.stdout, "ganexp ") || !strings.Contains(r.stdout, "(commit ") || strings.Count(r.stdout, "\n") != 1 {
			t.Errorf("--version: exit %d %q", r.code, r.stdout)
		}
	})
	t.Run("Sweeps", func(t *testing.T) {
		r := run(t, dir, nil, "sweeps")
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if r.code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "sweep  file       trials  pending  running  completed") ||
			!strings.HasPrefix(strings.Join(strings.Fields(lines[1]), " "), "tiny grid.yaml 4 0 0 4 0 0 0 0 ") {
			t.Errorf("sweeps: exit %d\n%s", r.code, r.stdout)
		}
		var recs []map[string]any
		js := run(t, dir, nil, "sweeps", "--format", "json")
		if err := json.Unmarshal([]byte(js.stdout), &recs); err != nil || len(recs) != 1 || recs[0]["name"] != "tiny" || recs[0]["trials"] != 4.0 {
			t.Errorf("sweeps --format json: %v %v", err, js.stdout)
		}
	})
	t.Run("UnknownSweep", func(t *testing.T) {
		for _, cmd := range []string{"runs", "report"} {
			r := run(t, dir, nil, cmd, "--sweep", "tiyn")
			if want := `ganexp: --sweep: no sweep "tiyn" in ganexp.db (sweeps here: tiny)` + "\n"; r.code != 2 || r.stderr != want {
				t.Errorf("%s --sweep tiyn: exit %d, stderr %q, want %q", cmd, r.code, r.stderr, want)
			}
		}
	})
	t.Run("RunsCSVHasTheTableColumns", func(t *testing.T) {
		table := run(t, dir, nil, "runs")
		head := strings.Fields(strings.SplitN(table.stdout, "\n", 2)[0])
		c := run(t, dir, nil, "runs", "--format", "csv")
		recs, err := csv.NewReader(strings.NewReader(c.stdout)).ReadAll()
		if err != nil || len(recs) != 5 {
			t.Fatalf("runs --format csv: %v\n%s", err, c.stdout)
		}
		if got, want := strings.Join(recs[0], " "), strings.Join(append(head, "verdict"), " "); got != want {
			t.Errorf("csv columns %q, table columns (and verdict) %q", got, want)
		}
	})
	t.Run("JSON", func(t *testing.T) {
		var plan struct {
			Sweep  string `json:"sweep"`
			ToRun  int    `json:"to_run"`
			Trials []struct {
				Key, Status string
				Point       map[string]string
			} `json:"trials"`
		}
		r := run(t, dir, nil, "sweep", "grid.yaml", "--dry-run", "--format", "json")
		if err := json.Unmarshal([]byte(r.stdout), &plan); err != nil || plan.Sweep != "tiny" || plan.ToRun != 0 || len(plan.Trials) != 4 ||
			plan.Trials[0].Status != "completed" || plan.Trials[0].Point["loss"] != "nonsaturating" {
			t.Errorf("sweep --dry-run --format json: %v %+v\n%s", err, plan, r.stdout)
		}
		var show map[string]any
		s := run(t, dir, nil, "show", plan.Trials[0].Key, "--format", "json")
		if err := json.Unmarshal([]byte(s.stdout), &show); err != nil || s.code != 0 {
			t.Errorf("show --format json: %v\n%s", err, s.stdout)
		}
	})
	t.Run("HelpHasExamples", func(t *testing.T) {
		for _, cmd := range []string{"", "sweep", "sweeps", "report", "runs", "show", "detect-eval", "bench", "version"} {
			args := []string{"--help"}
			if cmd != "" {
				args = []string{cmd, "--help"}
			}
			r := run(t, dir, nil, args...)
			_, ex, ok := strings.Cut(r.stdout, "Examples:\n")
			if !ok || strings.Count(strings.SplitN(ex, "\n\n", 2)[0], "ganexp ") < 2 {
				t.Errorf("ganexp %s --help has no two examples:\n%s", cmd, r.stdout)
			}
		}
		if r := run(t, dir, nil, "help"); !strings.Contains(r.stdout, "Exit codes:\n  0 ") || !strings.Contains(r.stdout, "  130  interrupted") {
			t.Errorf("ganexp help does not list the exit codes:\n%s", r.stdout)
		}
	})
}

// TestVersionNamesTheCommit: a binary built from a git checkout says which
// commit, as `go build` records it.
func TestVersionNamesTheCommit(t *testing.T) {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "ganexp")
	build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if want := "(commit " + string(head[:12]); err != nil || !strings.Contains(string(out), want) {
		t.Errorf("--version %q (%v) does not name commit %s", out, err, head[:12])
	}
}
