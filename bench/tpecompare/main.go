// Command tpecompare runs ganexp's TPE sampler through its Go API on test
// functions with real and categorical parameters, and prints the median
// and spread of the best value found over the seeds, as JSON. Its peer is
// bench/optuna_tpe.py, Optuna's TPESampler on the same functions with the
// same budget (BENCHMARKS.md has both). Not part of CI.
//
//	go run ./bench/tpecompare --trials 60 --seeds 20
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"

	"github.com/ganexp/ganexp/sweep"
)

// problem is a function to minimise over dims.
type problem struct {
	name string
	dims []sweep.Dim
	f    func(v []float64) float64
}

// braninCat is Branin's function (minimum 0.397887) plus 5 × a level in
// {0, 1, 2}: the minimum 0.397887 needs level 0.
func braninCat(v []float64) float64 {
	x1, x2 := v[0], v[1]
	b, c := 5.1/(4*math.Pi*math.Pi), 5/math.Pi
	return (x2-b*x1*x1+c*x1-6)*(x2-b*x1*x1+c*x1-6) + 10*(1-1/(8*math.Pi))*math.Cos(x1) + 10 + 5*v[2]
}

// hartmann6Cat is the 6-D Hartmann function (minimum −3.32237 on [0, 1]⁶)
// plus 0.5 × a level in {0, 1, 2}.
func hartmann6Cat(v []float64) float64 {
	alpha := []float64{1.0, 1.2, 3.0, 3.2}
	a := [4][6]float64{{10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14}, {3, 3.5, 1.7, 10, 17, 8}, {17, 8, 0.05, 10, 0.1, 14}}
	p := [4][6]float64{{1312, 1696, 5569, 124, 8283, 5886}, {2329, 4135, 8307, 3736, 1004, 9991},
		{2348, 1451, 3522, 2883, 3047, 6650}, {4047, 8828, 8732, 5743, 1091, 381}}
	sum := 0.0
	for i := range 4 {
		e := 0.0
		for j := range 6 {
			d := v[j] - p[i][j]*1e-4
			e += a[i][j] * d * d
		}
		sum += alpha[i] * math.Exp(-e)
	}
	return -sum + 0.5*v[6]
}

// logQuad has a learning-rate-like log-uniform parameter: (log₁₀ x + 3)²
// on [1e-6, 1] plus a level in {0, 1, 2, 3} times 0.3, minimum 0.
func logQuad(v []float64) float64 {
	d := math.Log10(v[0]) + 3
	return d*d + 0.3*v[1]
}

func problems() []problem {
	h := []sweep.Dim{}
	for i := range 6 {
		h = append(h, sweep.NewUniformDim(fmt.Sprintf("x%d", i+1), 0, 1, false))
	}
	return []problem{
		{"branin+cat", []sweep.Dim{sweep.NewUniformDim("x1", -5, 10, false), sweep.NewUniformDim("x2", 0, 15, false), sweep.NewLevelsDim("c", 3)}, braninCat},
		{"hartmann6+cat", append(h, sweep.NewLevelsDim("c", 3)), hartmann6Cat},
		{"logquad+cat", []sweep.Dim{sweep.NewUniformDim("lr", 1e-6, 1, true), sweep.NewLevelsDim("c", 4)}, logQuad},
	}
}

func main() {
	trials := flag.Int("trials", 60, "trials per search")
	seeds := flag.Int("seeds", 20, "search seeds")
	offset := flag.Int("first-seed", 0, "the first search seed")
	flag.Parse()
	type result struct {
		Impl    string    `json:"impl"`
		Problem string    `json:"problem"`
		Trials  int       `json:"trials"`
		Median  float64   `json:"median_best"`
		Q1      float64   `json:"q1"`
		Q3      float64   `json:"q3"`
		Bests   []float64 `json:"bests"`
	}
	enc := json.NewEncoder(os.Stdout)
	for _, p := range problems() {
		var bests []float64
		for s := range *seeds {
			r := rand.New(rand.NewPCG(uint64(s)+uint64(*offset), 77))
			var obs []sweep.Observation
			best := math.Inf(1)
			for range *trials {
				x := sweep.DefaultTPE.Suggest(p.dims, obs, r)
				y := p.f(sweep.Point(p.dims, x))
				obs = append(obs, sweep.Observation{X: x, Loss: y})
				best = math.Min(best, y)
			}
			bests = append(bests, best)
		}
		sorted := slices.Clone(bests)
		slices.Sort(sorted)
		q := func(f float64) float64 { return sorted[int(f*float64(len(sorted)-1)+0.5)] }
		enc.Encode(result{"ganexp", p.name, *trials, (sorted[(len(sorted)-1)/2] + sorted[len(sorted)/2]) / 2, q(0.25), q(0.75), bests})
	}
}
