package sweep

import (
	"cmp"
	"container/heap"
	"fmt"
	"slices"

	"github.com/ganexp/ganexp"
)

// stepOverhead is what a training step costs beyond its arithmetic, in
// multiply-adds: the graph's op dispatch, the optimiser's passes and the
// batch's data draws. About 50 µs on this project's machines, where the
// matrix kernels do some 20 G multiply-adds a second; it is what makes a
// tiny MLP's step cost more than its few thousand multiply-adds.
const stepOverhead = 1e6

// Cost is a trial's expected cost in multiply-adds, the measure shards
// are balanced by: per step, n_critic D steps (D forward and backward on
// a real and a fake batch, G forward for the fake one) and one G step (G
// and D forward and backward), a backward pass counted as twice a
// forward, plus stepOverhead. It is a model, not a measurement: it ranks
// a DCGAN trial far above an MLP one, and a long or wide trial above a
// short or narrow one of the same kind, which is what balancing needs.
func Cost(c ganexp.Config) float64 {
	g, d := forwardMACs(c)
	batch := float64(c.BatchSize)
	perStep := batch*(float64(max(c.NCritic, 1))*(2*3*d+g)+3*(g+d)) + stepOverhead
	return float64(c.Steps) * perStep
}

// forwardMACs are the multiply-adds of one sample's forward pass through
// G and through D.
func forwardMACs(c ganexp.Config) (g, d float64) {
	ch, h, w, image := c.Dataset.ImageShape()
	dim := 2
	switch {
	case image:
		dim = ch * h * w
	case c.Dataset.Kind == "gaussian1d" || c.Dataset.Kind == "mixture1d":
		dim = 1
	}
	chain := func(widths []int) float64 {
		s := 0.0
		for i := 1; i < len(widths); i++ {
			s += float64(widths[i-1] * widths[i])
		}
		return s
	}
	a := c.Arch
	if a.KindOf() != ganexp.KindDCGAN || !image {
		g = chain(append(append([]int{c.ZDim}, a.G...), dim))
		d = chain(append(append([]int{dim}, a.D...), 1))
		return g, d
	}
	// DCGAN: kernel 4, stride 2, each layer halving (D) or doubling (G)
	// the sides; G starts at the image's sides over 2^len(G).
	sh, sw := h>>len(a.G), w>>len(a.G)
	g = float64(c.ZDim * a.G[0] * sh * sw)
	for i := range a.G {
		out := ch
		if i+1 < len(a.G) {
			out = a.G[i+1]
		}
		g += float64(a.G[i]*out*16) * float64(sh*sw)
		sh, sw = sh*2, sw*2
	}
	in, dh, dw := ch, h, w
	for _, out := range a.D {
		dh, dw = dh/2, dw/2
		d += float64(in*out*16) * float64(dh*dw)
		in = out
	}
	d += float64(in * dh * dw)
	return g, d
}

// Shard returns shard i (0-based) of n of the plan: its trials, with
// their places in the whole plan. The partition is greedy by expected
// cost (Cost): trials from the most to the least costly, each to the
// shard with the least cost so far (the lower index on a tie), which
// keeps every shard within one trial's cost of the others. It depends on
// the plan alone, so the same file gives every shard, on every host and
// every rerun, the same trials.
func (p *Plan) Shard(i, n int) (*Plan, error) {
	if n < 1 || i < 0 || i >= n {
		return nil, fmt.Errorf("shard %d/%d: want 0 ≤ I < N", i, n)
	}
	type item struct {
		pos  int
		cost float64
		key  string
	}
	items := make([]item, len(p.Trials))
	for j, t := range p.Trials {
		items[j] = item{j, Cost(t.Config), t.Key}
	}
	slices.SortFunc(items, func(a, b item) int {
		if c := cmp.Compare(b.cost, a.cost); c != 0 {
			return c
		}
		return cmp.Compare(a.key, b.key)
	})
	load := make(loads, n)
	for s := range load {
		load[s].shard = s
	}
	var mine []int
	for _, it := range items {
		// The least loaded shard is the heap's top: O(log N) a trial, so
		// that a 100,000-trial plan splits into 1,000 shards at once.
		load[0].cost += it.cost
		if load[0].shard == i {
			mine = append(mine, it.pos)
		}
		heap.Fix(&load, 0)
	}
	slices.Sort(mine)
	out := *p
	out.Trials = make([]Planned, len(mine))
	out.Positions = mine
	for j, pos := range mine {
		out.Trials[j] = p.Trials[pos]
	}
	out.ShardOf = [2]int{i, n}
	return &out, nil
}

// shardLoad is a shard's cost so far.
type shardLoad struct {
	cost  float64
	shard int
}

// loads is a min-heap of shards by cost, then index (container/heap).
type loads []shardLoad

func (l loads) Len() int { return len(l) }
func (l loads) Less(a, b int) bool {
	return l[a].cost < l[b].cost || l[a].cost == l[b].cost && l[a].shard < l[b].shard
}
func (l loads) Swap(a, b int) { l[a], l[b] = l[b], l[a] }
func (l *loads) Push(x any)   { *l = append(*l, x.(shardLoad)) }
func (l *loads) Pop() any {
	old := *l
	x := old[len(old)-1]
	*l = old[:len(old)-1]
	return x
}
