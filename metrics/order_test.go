package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSorterMatchesSlicesSort checks the radix sort against slices.Sort
// on shapes that exercise each of its paths: short slices (insertion
// sort), smooth data (distinct keys), wide magnitudes and clumps with a
// few strays (long runs of equal keys, sorted again), ties, infinities
// and NaNs (the comparison fallback) and signed zeros.
func TestSorterMatchesSlicesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	gen := map[string]func(i int) float64{
		"normal":    func(int) float64 { return r.NormFloat64() },
		"wide":      func(int) float64 { return r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20)) },
		"narrow":    func(int) float64 { return 1 + 1e-9*r.Float64() },
		"ties":      func(int) float64 { return float64(r.IntN(5) - 2) },
		"sorted":    func(i int) float64 { return float64(i) },
		"reversed":  func(i int) float64 { return -float64(i) },
		"specials":  func(i int) float64 { return []float64{math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), -1, 1}[i%6] },
		"negatives": func(int) float64 { return -r.ExpFloat64() },
		"clump":     func(i int) float64 { return []float64{1e6, 1 + 1e-12*r.Float64()}[min(i%97, 1)] },
		"geometric": func(i int) float64 { return math.Pow(2, -float64(i%300)) },
		"nan":       func(i int) float64 { return []float64{math.NaN(), r.NormFloat64()}[min(i%50, 1)] },
	}
	var s sorter
	for name, g := range gen {
		for _, n := range []int{0, 1, 2, 63, 64, 65, 1000, 2500} {
			a := make([]float64, n)
			for i := range a {
				a[i] = g(i)
			}
			want := slices.Clone(a)
			slices.Sort(want)
			s.sort(a)
			for i := range a {
				// == makes −0 and +0 equal, as slices.Sort does.
				if a[i] != want[i] && !(math.IsNaN(a[i]) && math.IsNaN(want[i])) {
					t.Fatalf("%s n=%d: a[%d] = %v, want %v", name, n, i, a[i], want[i])
				}
			}
			if name != "nan" && !slices.IsSorted(a) {
				t.Fatalf("%s n=%d: not sorted", name, n)
			}
		}
	}
}

// TestSortWithMovesIndices: sortWith sorts the values as sort does and
// moves each index with its value, on clumped values (short runs of
// equal keys), few distinct ones (long runs of ties) and NaNs (the
// comparison fallback).
func TestSortWithMovesIndices(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var s sorter
	for trial := 0; trial < 60; trial++ {
		n := 1 + r.IntN(3000)
		keys, idx := make([]float64, n), make([]int32, n)
		for i := range keys {
			switch trial % 3 {
			case 0:
				keys[i] = float64(r.IntN(20)) + 0.001*r.NormFloat64()
			case 1:
				keys[i] = float64(r.IntN(5))
			default:
				keys[i] = r.NormFloat64()
				if i%97 == 0 {
					keys[i] = math.NaN()
				}
			}
			idx[i] = int32(i)
		}
		orig := slices.Clone(keys)
		want := slices.Clone(keys)
		slices.Sort(want)
		s.sortWith(keys, idx)
		seen := make([]bool, n)
		for i, p := range idx {
			if seen[p] {
				t.Fatalf("trial %d: index %d twice", trial, p)
			}
			seen[p] = true
			same := orig[p] == keys[i] || (math.IsNaN(orig[p]) && math.IsNaN(keys[i]))
			if !same {
				t.Fatalf("trial %d: value at %d moved without its index", trial, i)
			}
			if keys[i] != want[i] && !(math.IsNaN(keys[i]) && math.IsNaN(want[i])) {
				t.Fatalf("trial %d: keys[%d] = %v, want %v", trial, i, keys[i], want[i])
			}
		}
	}
}
