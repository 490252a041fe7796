package db

import (
	"context"
	"testing"

	"github.com/ganexp/ganexp"
)

// BenchmarkSaveEval times recording one evaluation (8 metrics, the trial
// row's finals and heartbeat) in its own transaction, as a sweep does.
func BenchmarkSaveEval(b *testing.B) {
	d, err := Open(context.Background(), b.TempDir()+"/b.db")
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	tr := ganexp.NewTrial(testConfig("hinge"), 1)
	if _, err := d.RegisterSweep(ctx, "b", "b.yaml", nil, []ganexp.Trial{tr}); err != nil {
		b.Fatal(err)
	}
	values := map[string]float64{}
	for _, m := range ganexp.Metrics {
		values[m.Name] = 0.5
	}
	step := 0
	for b.Loop() {
		step++
		if err := d.SaveEval(ctx, tr.Key, Eval{Step: step, WallS: 1, Values: values}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(values))/b.Elapsed().Seconds(), "points/s")
}
