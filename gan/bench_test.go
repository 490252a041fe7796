package gan

import (
	"runtime"
	"testing"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/dataset"
)

// BenchmarkStep times one training step (a D step and a G step) of the
// pinned protocols; ns/op is the time per step.
func BenchmarkStep(b *testing.B) {
	for _, p := range Protocols {
		b.Run(p.Name, func(b *testing.B) {
			c := p.Config()
			src, err := dataset.New(c.Dataset)
			if err != nil {
				b.Fatal(err)
			}
			s, err := newSession(ganexp.NewTrial(c, 1), src, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer s.close()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, _, err := s.stepD(); err != nil {
					b.Fatal(err)
				}
				if _, _, err := s.stepG(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
			b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "gomaxprocs")
		})
	}
}
