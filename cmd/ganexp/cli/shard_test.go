package cli

import (
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	tests := []struct {
		name, flag string
		getenv     func(string) string
		i, n       int
		err        string
	}{
		{"Explicit", "2/5", env(), 2, 5, ""},
		{"SlurmFromZero", "auto", env("SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_COUNT", "4", "SLURM_ARRAY_TASK_MIN", "0"), 3, 4, ""},
		{"SlurmFromOne", "auto", env("SLURM_ARRAY_TASK_ID", "4", "SLURM_ARRAY_TASK_COUNT", "4", "SLURM_ARRAY_TASK_MIN", "1"), 3, 4, ""},
		{"Kubernetes", "auto", env("JOB_COMPLETION_INDEX", "0", "GANEXP_SHARD_COUNT", "2"), 0, 2, ""},
		{"AutoWithoutEnv", "auto", env(), 0, 0, "--shard auto found none of SLURM_ARRAY_TASK_ID"},
		{"KubernetesWithoutCount", "auto", env("JOB_COMPLETION_INDEX", "1"), 0, 0, `GANEXP_SHARD_COUNT is "", not a whole number`},
		{"OutOfRange", "5/5", env(), 0, 0, "shard 5 of 5 is out of range"},
		{"NotIN", "3", env(), 0, 0, `--shard "3" is not I/N`},
		{"Words", "a/b", env(), 0, 0, `I is "a", not a whole number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i, n, err := parseShard(tt.flag, tt.getenv)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want an error with %q", err, tt.err)
				}
				return
			}
			if err != nil || i != tt.i || n != tt.n {
				t.Errorf("got %d/%d %v, want %d/%d", i, n, err, tt.i, tt.n)
			}
		})
	}
}

func TestShardDB(t *testing.T) {
	for _, tt := range []struct{ db, dir, want, err string }{
		{"shards/g-%a.db", "", "shards/g-3.db", ""},
		{"shards/g-{shard}.db", "", "shards/g-3.db", ""},
		{"x.db", "out", "out/grid-3-of-8.db", ""},
		{"ganexp.db", "", "", "put %a or {shard} in --db"},
	} {
		got, err := shardDB(tt.db, tt.dir, "grid", 3, 8)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: got %v, want an error with %q", tt.db, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s, %s: got %q %v, want %q", tt.db, tt.dir, got, err, tt.want)
		}
	}
}
