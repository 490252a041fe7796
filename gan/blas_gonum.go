//go:build !openblas

package gan

import "runtime"

// BLAS names the matrix multiply behind training, for benchmarks and
// `ganexp version`: gonum's pure-Go BLAS unless built with -tags openblas.
const BLAS = "gonum"

// BLASThreads is how many cores gonum's matrix multiply can use: it splits
// large products over goroutines, which run on GOMAXPROCS threads.
func BLASThreads() int { return runtime.GOMAXPROCS(0) }
