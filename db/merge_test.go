package db

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ganexp/ganexp"
)

// shardFile writes a shard database at dir/name holding the given trials
// of a 4-trial plan at their places in it; finish lists the ones that ran
// to the end (two evaluations, an event and an artifact each).
func shardFile(t *testing.T, dir, name string, plan []ganexp.Trial, mine []int, finish map[int]float64) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(dir, name)
	d, err := Open(ctx, path, testMetrics)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var trials []ganexp.Trial
	for _, i := range mine {
		trials = append(trials, plan[i])
	}
	if _, err := d.RegisterSweepAt(ctx, "grid", "grid.yaml", []byte("name: grid\n"), trials, mine); err != nil {
		t.Fatal(err)
	}
	for i, v := range finish {
		key := plan[i].Key
		if ok, err := d.Claim(ctx, key, Owner{PID: 1, Host: name}); err != nil || !ok {
			t.Fatalf("claim %s: %v %v", key, ok, err)
		}
		b := Batch{Evals: []Eval{{Step: 50, Values: map[string]float64{"loss_g": v / 2}}, {Step: 100, Values: map[string]float64{"loss_g": v}}},
			Events:    []NewEvent{{Step: 100, Kind: "resumed", Detail: map[string]any{"from_step": 50}}},
			Artifacts: []Artifact{{Step: 100, Kind: "samples", Data: []byte{byte(i)}}}}
		if err := d.SaveBatch(ctx, key, b); err != nil {
			t.Fatal(err)
		}
		if err := d.Finish(ctx, key, Final{Status: ganexp.StatusCompleted, StepsDone: 100, Duration: time.Second}); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func testPlan() []ganexp.Trial {
	var plan []ganexp.Trial
	for _, loss := range []string{"hinge", "wgan"} {
		for seed := int64(1); seed <= 2; seed++ {
			plan = append(plan, ganexp.NewTrial(testConfig(loss), seed))
		}
	}
	return plan
}

// TestMergeShards merges two shards of a 4-trial plan into a new file and
// checks that it holds what one database of the whole plan would: every
// trial once at its place, with its final value, evaluations, event and
// artifact; then that merging again changes nothing, that a shard that
// grew brings only what is new, and that a trial finished twice by two
// runs keeps the first copy and is reported.
func TestMergeShards(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	plan := testPlan()
	a := shardFile(t, dir, "a.db", plan, []int{0, 3}, map[int]float64{0: 1, 3: 4})
	b := shardFile(t, dir, "b.db", plan, []int{1, 2}, map[int]float64{1: 2}) // trial 2 still pending
	into, err := Open(ctx, filepath.Join(dir, "into.db"), testMetrics)
	if err != nil {
		t.Fatal(err)
	}
	defer into.Close()
	for _, p := range []string{a, b} {
		if err := CheckShard(ctx, p, testMetrics); err != nil {
			t.Fatal(err)
		}
		if _, err := into.Merge(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	check := func(wantStatus []ganexp.Status) {
		t.Helper()
		rows, err := into.Trials(ctx, Filter{Sweep: "grid"})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		var statuses []ganexp.Status
		for _, r := range rows {
			keys = append(keys, r.Key)
			statuses = append(statuses, r.Status)
		}
		var want []string
		for _, p := range plan {
			want = append(want, p.Key)
		}
		if !slices.Equal(keys, want) || !slices.Equal(statuses, wantStatus) {
			t.Errorf("merged plan %v %v, want %v %v", keys, statuses, want, wantStatus)
		}
		for i, r := range rows {
			if r.Status != ganexp.StatusCompleted {
				continue
			}
			if v := r.Final["loss_g"]; v == nil || *v != float64(i+1) {
				t.Errorf("trial %d: loss_g %v, want %d", i, v, i+1)
			}
			series, _ := into.Series(ctx, r.Key)
			events, _ := into.Events(ctx, r.Key)
			arts, _ := into.Artifacts(ctx, r.Key)
			if len(series["loss_g"]) != 2 || len(events) != 1 || len(arts) != 1 || arts[0].Data[0] != byte(i) {
				t.Errorf("trial %d: %d evaluations, %d events, %d artifacts; want 2, 1, 1", i, len(series["loss_g"]), len(events), len(arts))
			}
		}
	}
	done, pending := ganexp.StatusCompleted, ganexp.StatusPending
	check([]ganexp.Status{done, done, pending, done})
	// Again: nothing changes.
	st, err := into.Merge(ctx, a)
	if err != nil || st.Same != 2 || st.Added+st.Updated+st.Kept+len(st.Duplicates) != 0 {
		t.Errorf("merging a again: %+v %v, want 2 the same", st, err)
	}
	check([]ganexp.Status{done, done, pending, done})
	// Shard b finishes trial 2 and is merged again: only that is new.
	b2 := shardFile(t, dir, "b2.db", plan, []int{1, 2}, map[int]float64{1: 2, 2: 3})
	st, err = into.Merge(ctx, b2)
	if err != nil || st.Updated != 1 || len(st.Duplicates) != 1 {
		t.Errorf("merging the grown shard: %+v %v; want trial 2 updated, trial 1 (run again in b2) a duplicate", st, err)
	}
	check([]ganexp.Status{done, done, done, done})
	// The pending copy of b merged after the finished one changes nothing.
	if st, err = into.Merge(ctx, b); err != nil || st.Kept != 1 {
		t.Errorf("merging the older shard: %+v %v, want trial 2 kept", st, err)
	}
	check([]ganexp.Status{done, done, done, done})
	var ok string
	if err := into.sql.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity_check: %q %v", ok, err)
	}
}

// TestCheckShardRefuses: a file that is not SQLite, a SQLite file without
// a ganexp schema, one from a newer ganexp and a corrupt one are refused
// with one line naming the file.
func TestCheckShardRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	text := write("text.db", []byte("not a database\n"))
	other := filepath.Join(dir, "other.db")
	o, _ := open(other, "rwc")
	o.sql.Exec("CREATE TABLE x (a)")
	o.Close()
	newer := shardFile(t, dir, "newer.db", testPlan(), []int{0}, nil)
	n, _ := open(newer, "rw")
	n.sql.Exec("INSERT INTO schema_version (version, applied_at) VALUES (99, '')")
	n.Close()
	good := shardFile(t, dir, "good.db", testPlan(), []int{0, 1, 2, 3}, map[int]float64{0: 1, 1: 2, 2: 3, 3: 4})
	g, _ := open(good, "rw")
	g.sql.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	g.Close()
	raw, _ := os.ReadFile(good)
	for i := 4096; i < len(raw); i += 512 { // past the header: scribble on every page
		raw[i] ^= 0xff
	}
	corrupt := write("corrupt.db", raw)
	for _, c := range []struct{ path, want string }{
		{text, "not a SQLite database (leave it out of the merge: shards are the databases of ganexp sweep --shard)"},
		{other, "SQLite database without a ganexp schema (leave it out of the merge: shards are the databases of ganexp sweep --shard)"},
		{newer, "schema version 99"},
		{corrupt, "corrupt database"},
	} {
		err := CheckShard(ctx, c.path, testMetrics)
		if err == nil || !strings.HasPrefix(err.Error(), c.path) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line naming the file with %q", filepath.Base(c.path), err, c.want)
		}
	}
}
