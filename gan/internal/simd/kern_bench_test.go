package simd

import "testing"

// BenchmarkMicroKernel times the micro-kernels alone on panels that stay
// in L1: the ceiling a product can reach, packing and edges aside.
func BenchmarkMicroKernel(b *testing.B) {
	const k = kc
	if HasAVX512 {
		b.Run("avx512/12x32", func(b *testing.B) {
			a, bp, c := make([]float32, 12*k), make([]float32, 32*k), make([]float32, 12*32)
			for b.Loop() {
				kern12x32(k, &a[0], 1, 12, &bp[0], &c[0], 32, 1)
			}
			b.ReportMetric(float64(2*12*32*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
		})
	}
	if Available {
		b.Run("avx2/6x16", func(b *testing.B) {
			a, bp, c := make([]float32, 6*k), make([]float32, 16*k), make([]float32, 6*16)
			for b.Loop() {
				kern6x16(k, &a[0], 1, 6, &bp[0], 16, &c[0], 16, 1)
			}
			b.ReportMetric(float64(2*6*16*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
		})
	}
}
