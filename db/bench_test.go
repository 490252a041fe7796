package db

import (
	"context"
	"fmt"
	"testing"

	"github.com/ganexp/ganexp"
)

// BenchmarkSaveEvals times recording evaluations (every metric, the
// trial's latest values, progress and heartbeat) in batches of 1 (one
// transaction per evaluation, as before batching), 64 (the runner's
// batch) and 1,000 evaluations per transaction, on a real WAL database.
// points/s counts metric rows.
func BenchmarkSaveEvals(b *testing.B) {
	for _, batch := range []int{1, 64, 1000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			d, err := Open(context.Background(), b.TempDir()+"/b.db", testMetrics)
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
			for i, m := range testMetrics {
				values[m.Name] = 0.5 + float64(i)
			}
			evals := make([]Eval, batch)
			step := 0
			for b.Loop() {
				for i := range evals {
					step++
					evals[i] = Eval{Step: step, WallS: float64(step) / 100, Values: values}
				}
				if err := d.SaveEvals(ctx, tr.Key, evals); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch*len(values))/b.Elapsed().Seconds(), "points/s")
		})
	}
}
