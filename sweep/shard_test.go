package sweep

import (
	"slices"
	"testing"

	"github.com/ganexp/ganexp"
)

// TestCost works the cost model by hand.
//
// MLP, z 2, G [4], D [4], 2-D data: G's forward is 2·4 + 4·2 = 16
// multiply-adds a sample, D's 2·4 + 4·1 = 12. With batch 8 and one critic
// step a step costs 8·((6·12 + 16) + 3·(16 + 12)) = 1,376 plus the 10⁶
// overhead; 10 steps cost 10,013,760.
//
// DCGAN on 1×28×28 MNIST, z 100, G [128, 64], D [64, 128]: G starts at
// 7×7: 100·128·49 = 627,200 for the linear layer, 128·64·16·49 = 6,422,528
// to 64 channels at 14×14, 64·1·16·196 = 200,704 to the image: 7,250,432.
// D: 1·64·16·196 = 200,704 to 64 channels at 14×14, 64·128·16·49 =
// 6,422,528 to 128 at 7×7, and 128·49 = 6,272 for the logit: 6,629,504.
func TestCost(t *testing.T) {
	mlp := ganexp.Config{Dataset: ganexp.Dataset{Kind: "ring"}, Arch: ganexp.Arch{G: []int{4}, D: []int{4}},
		ZDim: 2, BatchSize: 8, NCritic: 1, Steps: 10}
	if g, d := forwardMACs(mlp); g != 16 || d != 12 {
		t.Errorf("MLP forward %v, %v; want 16, 12", g, d)
	}
	if got := Cost(mlp); got != 10_013_760 {
		t.Errorf("MLP cost %v, want 10,013,760", got)
	}
	dc := ganexp.Config{Dataset: ganexp.Dataset{Kind: "mnist", Height: 28, Width: 28},
		Arch: ganexp.Arch{Kind: ganexp.KindDCGAN, G: []int{128, 64}, D: []int{64, 128}}, ZDim: 100, BatchSize: 64, NCritic: 1, Steps: 10}
	if g, d := forwardMACs(dc); g != 7_250_432 || d != 6_629_504 {
		t.Errorf("DCGAN forward %v, %v; want 7,250,432, 6,629,504", g, d)
	}
	if Cost(dc) < 1000*Cost(mlp) {
		t.Errorf("a DCGAN step costs %v, an MLP one %v: the DCGAN should weigh far more", Cost(dc), Cost(mlp))
	}
}

// TestShardPartition: the shards of a plan with trials of very different
// costs hold every trial exactly once, in plan order with their places in
// the whole plan, with loads within one trial's cost of each other; the
// same plan gives the same shards.
func TestShardPartition(t *testing.T) {
	s, err := Parse("g.yaml", []byte("seeds: 3\ngrid:\n  steps: [100, 1000, 5000]\n  arch:\n    small: {hidden: [8]}\n    wide: {hidden: [256, 256]}\n  loss: [nonsaturating, hinge]\n"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Expand()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 4, 7, 50} {
		seen := map[int]int{}
		var loads []float64
		maxCost := 0.0
		for i := range n {
			sh, err := p.Shard(i, n)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := p.Shard(i, n)
			if !slices.Equal(sh.Positions, again.Positions) {
				t.Fatalf("shard %d/%d differs between two calls", i, n)
			}
			if !slices.IsSorted(sh.Positions) || len(sh.Positions) != len(sh.Trials) || sh.ShardOf != [2]int{i, n} {
				t.Fatalf("shard %d/%d: positions %v for %d trials, ShardOf %v", i, n, sh.Positions, len(sh.Trials), sh.ShardOf)
			}
			load := 0.0
			for j, pos := range sh.Positions {
				seen[pos]++
				if sh.Trials[j].Key != p.Trials[pos].Key {
					t.Fatalf("shard %d/%d: trial %d is not the plan's trial %d", i, n, j, pos)
				}
				c := Cost(sh.Trials[j].Config)
				load += c
				maxCost = max(maxCost, c)
			}
			loads = append(loads, load)
		}
		if len(seen) != len(p.Trials) {
			t.Errorf("%d shards hold %d of %d trials", n, len(seen), len(p.Trials))
		}
		for pos, k := range seen {
			if k != 1 {
				t.Errorf("%d shards: trial %d in %d shards", n, pos, k)
			}
		}
		if spread := slices.Max(loads) - slices.Min(loads); spread > maxCost {
			t.Errorf("%d shards: loads differ by %.3g, more than the costliest trial's %.3g", n, spread, maxCost)
		}
	}
	for _, bad := range [][2]int{{-1, 2}, {2, 2}, {0, 0}} {
		if _, err := p.Shard(bad[0], bad[1]); err == nil {
			t.Errorf("shard %d/%d accepted", bad[0], bad[1])
		}
	}
}
