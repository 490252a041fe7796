// Command scale measures what sharding costs at cluster scale
// (BENCHMARKS.md § Shards and merges at scale): planning a 100,000-trial
// grid and splitting it into 1,000 shards, and merging 1,000 shard
// databases of realistic size, written here with synthetic results (the
// expensive boundary is the training, not the database). Not part of CI.
//
//	go run ./bench/scale --dir /tmp/scale --shards 1000 --trials 100
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/evaluate"
	"github.com/ganexp/ganexp/sweep"
)

// grid is 5 losses × 10 × 10 learning rates × 2 archs × 2 n_critic × 50
// seeds: 100,000 trials.
const grid = `name: big
dataset: {kind: grid}
train: {steps: 5000, batch_size: 128, eval_every: 250, eval_samples: 1000}
seeds: 50
grid:
  loss: [minimax, nonsaturating, wgan, lsgan, hinge]
  lr_g: [1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2]
  lr_d: [1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2]
  arch:
    mlp128: {hidden: [128, 128]}
    mlp512: {hidden: [512, 512, 512]}
  n_critic: [1, 5]
`

func main() {
	dir := flag.String("dir", "/tmp/scale", "where the shard databases go")
	shards := flag.Int("shards", 1000, "shards")
	per := flag.Int("trials", 100, "trials per synthetic shard database")
	skipMerge := flag.Bool("plan-only", false, "measure planning only")
	flag.Parse()
	if err := run(*dir, *shards, *per, *skipMerge); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

func run(dir string, n, per int, planOnly bool) error {
	t0 := time.Now()
	spec, err := sweep.Parse("big.yaml", []byte(grid))
	if err != nil {
		return err
	}
	plan, err := spec.Expand()
	if err != nil {
		return err
	}
	expand := time.Since(t0)
	t1 := time.Now()
	one, err := plan.Shard(n/2, n)
	if err != nil {
		return err
	}
	split := time.Since(t1)
	var sizes []int
	var costs []float64
	for i := range n {
		s, _ := plan.Shard(i, n)
		c := 0.0
		for _, t := range s.Trials {
			c += sweep.Cost(t.Config)
		}
		sizes = append(sizes, len(s.Trials))
		costs = append(costs, c)
	}
	fmt.Printf("plan: %d trials parsed and expanded in %s; one task's shard (%d trials) split off in %s\n",
		len(plan.Trials), expand.Round(time.Millisecond), len(one.Trials), split.Round(time.Millisecond))
	fmt.Printf("shards: %d, %d–%d trials each, expected cost %.4g–%.4g (spread %.2f%%)\n", n, slices.Min(sizes), slices.Max(sizes),
		slices.Min(costs), slices.Max(costs), 100*(slices.Max(costs)-slices.Min(costs))/slices.Max(costs))
	if planOnly {
		return nil
	}
	ctx := context.Background()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	t2 := time.Now()
	var paths []string
	var shardBytes int64
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("big-%d.db", i))
		paths = append(paths, p)
		if _, err := os.Stat(p); err == nil {
			st, _ := os.Stat(p)
			shardBytes += st.Size()
			continue // from an earlier run
		}
		if err := writeShard(ctx, p, plan, i, n, per); err != nil {
			return err
		}
		st, _ := os.Stat(p)
		shardBytes += st.Size()
	}
	fmt.Printf("wrote %d shard databases of %d trials in %s, %.1f MB each\n", n, per, time.Since(t2).Round(time.Second), float64(shardBytes)/float64(n)/1e6)
	into := filepath.Join(dir, "merged.db")
	os.Remove(into)
	os.Remove(into + "-wal")
	os.Remove(into + "-shm")
	t3 := time.Now()
	d, err := db.Open(ctx, into, evaluate.Infos())
	if err != nil {
		return err
	}
	for _, p := range paths {
		if err := db.CheckShard(ctx, p, evaluate.Infos()); err != nil {
			return err
		}
	}
	checked := time.Since(t3)
	for _, p := range paths {
		if _, err := d.Merge(ctx, p); err != nil {
			return err
		}
	}
	d.Close()
	merged := time.Since(t3)
	st, _ := os.Stat(into)
	fmt.Printf("merged %d shards (%d trials) in %s (checking them: %s); %s is %.2f GB\n", n, n*per, merged.Round(time.Second),
		checked.Round(time.Second), into, float64(st.Size())/1e9)
	t4 := time.Now()
	d, err = db.Open(ctx, into, evaluate.Infos())
	if err != nil {
		return err
	}
	for _, p := range paths[:10] {
		if _, err := d.Merge(ctx, p); err != nil {
			return err
		}
	}
	d.Close()
	fmt.Printf("merging 10 of them again (nothing new): %s, %s a shard\n", time.Since(t4).Round(time.Millisecond), (time.Since(t4) / 10).Round(time.Millisecond))
	return nil
}

// writeShard writes shard i's first per trials as a finished shard would
// hold them: 21 evaluations of every metric, 12 snapshots of 500 2-D
// samples (4 kB each) and the reference sample, and one event.
func writeShard(ctx context.Context, path string, plan *sweep.Plan, i, n, per int) error {
	s, err := plan.Shard(i, n)
	if err != nil {
		return err
	}
	s.Trials, s.Positions = s.Trials[:per], s.Positions[:per]
	d, err := db.Open(ctx, path, evaluate.Infos())
	if err != nil {
		return err
	}
	defer d.Close()
	trials := make([]ganexp.Trial, len(s.Trials))
	for j, p := range s.Trials {
		trials[j] = p.Trial
	}
	if _, err := d.RegisterSweepAt(ctx, s.Name, "big.yaml", []byte(grid), trials, s.Positions); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(i), 1))
	sample := make([]byte, 4000)
	owner := db.Owner{PID: 1, Host: fmt.Sprintf("node%d", i)}
	for _, t := range trials {
		if _, err := d.Claim(ctx, t.Key, owner); err != nil {
			return err
		}
		var b db.Batch
		for step := 250; step <= 5000; step += 250 {
			vals := map[string]float64{}
			for _, m := range evaluate.Infos() {
				vals[m.Name] = rng.Float64()
			}
			b.Evals = append(b.Evals, db.Eval{Step: step, WallS: float64(step) / 100, Values: vals})
			if step%500 == 0 || step == 250 {
				for k := range sample {
					sample[k] = byte(rng.Uint32())
				}
				b.Artifacts = append(b.Artifacts, db.Artifact{Step: step, Kind: "samples", Data: slices.Clone(sample)})
			}
		}
		b.Artifacts = append(b.Artifacts, db.Artifact{Step: 0, Kind: "real", Data: slices.Clone(sample)})
		b.Events = append(b.Events, db.NewEvent{Step: 5000, Kind: "resumed", Detail: map[string]any{"from_step": 2500}})
		if err := d.SaveBatch(ctx, t.Key, b); err != nil {
			return err
		}
		if err := d.Finish(ctx, t.Key, db.Final{Status: ganexp.StatusCompleted, StepsDone: 5000, Duration: time.Minute}); err != nil {
			return err
		}
	}
	return nil
}
