package reports

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/dataset"
	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/evaluate"
)

// bigDB writes a database of 1,000 trials (5 losses × 4 lr_g × 5 lr_d ×
// 10 seeds) with 40 evaluations of every metric each and 12 sample
// snapshots, as a sweep would have.
func bigDB(b *testing.B) *db.DB {
	b.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(b.TempDir(), "big.db"), evaluate.Infos())
	if err != nil {
		b.Fatal(err)
	}
	base := ganexp.Config{
		Dataset:   dataset.Defaults(ganexp.Dataset{Kind: "ring"}),
		Arch:      ganexp.Arch{Name: "mlp", G: []int{64, 64}, D: []int{64, 64}, Activation: "relu"},
		Optimizer: "adam", Beta1: 0.5, Beta2: 0.999, Clip: 0.01, BatchSize: 128, ZDim: 2, NCritic: 1,
		Steps: 4000, EvalEvery: 100, EvalSamples: 2500, Detect: ganexp.DefaultDetect(),
	}
	var trials []ganexp.Trial
	for _, loss := range ganexp.Losses {
		for _, lg := range []float64{1e-4, 3e-4, 1e-3, 3e-3} {
			for _, ld := range []float64{1e-4, 3e-4, 1e-3, 3e-3, 1e-2} {
				for seed := int64(1); seed <= 10; seed++ {
					c := base
					c.Loss, c.LrG, c.LrD = loss, lg, ld
					trials = append(trials, ganexp.NewTrial(c, seed))
				}
			}
		}
	}
	if _, err := d.RegisterSweep(ctx, "big", "big.yaml", nil, trials); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 1))
	snap := make([]float32, 2*ganexp.SnapshotPoints)
	for i, t := range trials {
		if _, err := d.Claim(ctx, t.Key, db.Owner{PID: 1, Host: "bench"}); err != nil {
			b.Fatal(err)
		}
		skill := 8 * math.Exp(-math.Abs(math.Log10(t.Config.LrG/t.Config.LrD)))
		for e := 1; e <= 40; e++ {
			vals := map[string]float64{}
			for _, m := range evaluate.Infos() {
				vals[m.Name] = r.Float64()
			}
			vals["modes_captured"] = math.Round(math.Min(8, skill*float64(e)/40+r.Float64()))
			if err := d.SaveEval(ctx, t.Key, db.Eval{Step: 100 * e, WallS: float64(e), Values: vals}); err != nil {
				b.Fatal(err)
			}
			if e%4 == 0 || e == 1 {
				for j := range snap {
					snap[j] = float32(r.NormFloat64())
				}
				if err := d.SaveArtifact(ctx, t.Key, 100*e, ganexp.ArtifactSamples, ganexp.EncodeFloats(snap)); err != nil {
					b.Fatal(err)
				}
			}
		}
		st := ganexp.StatusCompleted
		if i%7 == 0 {
			st = ganexp.StatusCollapsed
		}
		if err := d.Finish(ctx, t.Key, db.Final{Status: st, StepsDone: 4000}); err != nil {
			b.Fatal(err)
		}
	}
	return d
}

// BenchmarkHTMLReport times `report --html` over 1,000 trials of 40
// evaluations: reading the trials, the overview charts over all of them,
// and the trial pages of the ranked rows (the default 100, or all 1,000).
func BenchmarkHTMLReport(b *testing.B) {
	d := bigDB(b)
	defer d.Close()
	ctx := context.Background()
	load := func(key string) (TrialData, error) {
		t, err := d.FindTrial(ctx, key)
		if err != nil {
			return TrialData{}, err
		}
		s, _ := d.Series(ctx, key)
		e, _ := d.Events(ctx, key)
		a, err := d.Artifacts(ctx, key)
		return TrialData{TrialDetail: TrialDetail{Trial: t, Series: s, Events: e}, Artifacts: a}, err
	}
	for _, top := range []int{100, 0} {
		b.Run(fmt.Sprintf("pages=%d", map[int]int{100: 100, 0: 1000}[top]), func(b *testing.B) {
			dir := b.TempDir()
			for b.Loop() {
				rows, err := d.Trials(ctx, db.Filter{})
				if err != nil {
					b.Fatal(err)
				}
				opts := HTMLOptions{Dir: filepath.Join(dir, "r"), Title: "big", Ranking: rankingOf(evaluate.Infos(), "modes_captured", "balanced_hq"), Top: top}
				if err := WriteHTML(ctx, opts, rows, load); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
