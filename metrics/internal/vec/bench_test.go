package vec

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkTriangle times one point's terms at the top degree (48, 1,225
// terms) and at a typical one (20, 231 terms), in ns per term.
func BenchmarkTriangle(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, p := range []int{20, 48} {
		rev1, pow2 := make([]float64, p+1+Pad), make([]float64, p+1+Pad)
		for i := range rev1 {
			rev1[i], pow2[i] = r.Float64(), r.Float64()
		}
		stride := TriangleStride(p)
		values := make([]float64, (p+1)*stride)
		for _, asm := range []bool{true, false} {
			if asm && !hasAVX512 {
				continue
			}
			name := map[bool]string{true: "avx512", false: "go"}[asm]
			b.Run(name+"/p="+map[int]string{20: "20", 48: "48"}[p], func(b *testing.B) {
				HasAVX512 = asm
				defer func() { HasAVX512 = hasAVX512 }()
				for b.Loop() {
					Triangle(values, stride, rev1, pow2, p)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64((p+1)*(p+2)/2), "ns/term")
			})
		}
	}
}
