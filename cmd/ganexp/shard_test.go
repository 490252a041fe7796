package main_test

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shardGrid is 6 small trials of two costs (the wide net weighs 16 times
// the narrow one), split over 3 shards.
const shardGrid = `name: g
dataset: {kind: ring}
train: {steps: 200, batch_size: 32, eval_every: 50, eval_samples: 200}
seeds: [1, 2, 3]
grid:
  arch:
    narrow: {hidden: [16]}
    wide: {hidden: [64, 64]}
`

// TestShardsMergeToTheSingleHostResult trains a sweep as three shards,
// each into its own database, merges them (twice: the second changes
// nothing), and checks that the merged file answers like a single-host
// run of the same file: the same trials in the same plan order with the
// same final metrics, and the same report. A merge with a file that is no
// database among its shards exits 2 and leaves the merged file as it was.
func TestShardsMergeToTheSingleHostResult(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "g.yaml", shardGrid)
	for _, i := range []string{"0", "1", "2"} {
		if r := run(t, dir, nil, "sweep", "g.yaml", "--shard", i+"/3", "--db", "shards/g-%a.db", "--parallel", "1"); r.code != 0 {
			t.Fatalf("shard %s: exit %d\n%s", i, r.code, r.stderr)
		}
	}
	if r := run(t, dir, nil, "sweep", "g.yaml", "--db", "single.db"); r.code != 0 {
		t.Fatalf("single host: exit %d\n%s", r.code, r.stderr)
	}
	for range 2 {
		if r := run(t, dir, nil, "merge", "merged.db", "shards/*.db"); r.code != 0 {
			t.Fatalf("merge: exit %d\n%s", r.code, r.stderr)
		}
	}
	rowsOf := func(name string) string { return mergedRows(t, filepath.Join(dir, name)) }
	merged, single := rowsOf("merged.db"), rowsOf("single.db")
	if merged != single || strings.Count(merged, "\n") != 5 {
		t.Errorf("merged:\n%s\nsingle host:\n%s", merged, single)
	}
	shardRows := 0
	for _, i := range []string{"0", "1", "2"} {
		n := strings.Count(rowsOf("shards/g-"+i+".db"), "\n") + 1
		if n < 1 || n > 3 {
			t.Errorf("shard %s holds %d trials, want 1 to 3 of the 6 (balanced by cost)", i, n)
		}
		shardRows += n
	}
	if shardRows != 6 {
		t.Errorf("the shards hold %d trials, want 6", shardRows)
	}
	reportOf := func(name string) string {
		r := run(t, dir, nil, "report", "--db", name)
		if r.code != 0 {
			t.Fatalf("report %s: exit %d\n%s", name, r.code, r.stderr)
		}
		return r.stdout
	}
	if a, b := reportOf("merged.db"), reportOf("single.db"); a != b {
		t.Errorf("report of the merged file:\n%s\nof the single host's:\n%s", a, b)
	}
	writeFile(t, dir, "shards/notes.db", "not a database\n")
	sum := func() [32]byte {
		b, _ := os.ReadFile(filepath.Join(dir, "merged.db"))
		return sha256.Sum256(b)
	}
	before := sum()
	r := run(t, dir, nil, "merge", "merged.db", "shards/*.db")
	if r.code != 2 || !strings.Contains(r.stderr, "shards/notes.db: not a SQLite database") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("merge with a text file: exit %d, stderr %q; want 2 and one line naming it", r.code, r.stderr)
	}
	if sum() != before {
		t.Error("the refused merge changed merged.db")
	}
}
