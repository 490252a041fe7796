package sweep

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/ganexp/ganexp"
)

// TPE is the Tree-structured Parzen Estimator (Bergstra et al. 2011) as
// Optuna 3.1's TPESampler defines it with its defaults: univariate (each
// dimension on its own), the prior on, the magic clip on, the endpoints
// off, prior weight 1.
//
//   - The first Startup suggestions are independent uniform draws.
//   - After that the finished observations are sorted by loss (lower is
//     better) and split: the best γ(n) = min(⌈n/10⌉, 25) are "below", the
//     rest (and running trials, as a constant liar: their loss is +Inf)
//     are "above". Each side gets a Parzen estimator per dimension: a
//     Gaussian truncated to the dimension's range at every observation,
//     with a width reaching its farther neighbour (clipped to between
//     range/min(100, n+1) and range), plus a prior Gaussian at the centre
//     with the range as its width; a list's estimator puts weight 1 on each
//     observed level and 1/(n+1) on every level. Observations weigh 1, the
//     oldest ones ramped down once there are more than 25.
//   - Candidates candidates are drawn from the "below" estimator l, and
//     the one with the largest log l(x) − log g(x) is suggested.
//
// Like Optuna 3.1, a continuous component's log density is that of the
// standardised variable, without the −log σ that would make it a density
// in x (3.1's truncnorm.logpdf leaves it out). ganexp keeps Optuna's
// definition so that the two samplers are the same algorithm; with the
// term, the medians in BENCHMARKS.md moved by about as much as between
// seeds.
//
// Numbers live in the dimension's internal scale: the log of a
// log-uniform value (or of a log int), the value itself otherwise, and a
// level's index.
type TPE struct {
	Startup    int // suggestions drawn at random first (Optuna: 10)
	Candidates int // draws from l(x) per suggestion (Optuna: 24)
}

// DefaultTPE is Optuna's default TPESampler.
var DefaultTPE = TPE{Startup: 10, Candidates: 24}

// Observation is one trial of a search as TPE sees it: its point in the
// dimensions' internal scale, and its loss (the objective turned so that
// lower is better; +Inf for a trial still running; never NaN: a failed
// trial is left out).
type Observation struct {
	X    []float64
	Loss float64
}

// Suggest returns the next point, in the dimensions' internal scale.
func (t TPE) Suggest(dims []Dim, obs []Observation, r *rand.Rand) []float64 {
	finished := 0
	for _, o := range obs {
		if !math.IsInf(o.Loss, 1) {
			finished++
		}
	}
	if finished < t.Startup {
		return RandomPoint(dims, r)
	}
	x := make([]float64, len(dims))
	order := make([]int, len(obs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(obs[a].Loss, obs[b].Loss) })
	nBelow := min(int(math.Ceil(0.1*float64(finished))), 25)
	below, above := slices.Clone(order[:nBelow]), slices.Clone(order[nBelow:])
	// Optuna keeps each side in trial order: the weights ramp by age.
	slices.Sort(below)
	slices.Sort(above)
	for i, d := range dims {
		values := func(idx []int) []float64 {
			out := make([]float64, len(idx))
			for k, j := range idx {
				out[k] = obs[j].X[i]
			}
			return out
		}
		l, g := newParzen(d, values(below)), newParzen(d, values(above))
		best, bestScore := 0.0, math.Inf(-1)
		for range t.Candidates {
			c := l.sample(r)
			if s := l.logPDF(c) - g.logPDF(c); s > bestScore || bestScore == math.Inf(-1) {
				best, bestScore = c, s
			}
		}
		x[i] = best
	}
	return x
}

// parzen is one side's estimator on one dimension: a mixture of
// truncated Gaussians (numbers) or of level distributions (lists).
type parzen struct {
	weights []float64 // per component, summing to 1; the prior is last
	// Numbers: the components' centres and widths, the range (in the
	// internal scale) and the step of a discrete one (0 for reals).
	mus, sigmas []float64
	low, high   float64
	q           float64
	// Levels: each component's probability of each level.
	levels [][]float64
}

// tpeWeights are Optuna's default_weights: 1 each up to 25 observations;
// beyond that the oldest n − 25 ramp from 1/n to 1.
func tpeWeights(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	if n >= 25 {
		ramp := n - 25
		for i := range ramp {
			w[i] = 1 / float64(n)
			if ramp > 1 {
				w[i] += (1 - 1/float64(n)) * float64(i) / float64(ramp-1)
			}
		}
	}
	return w
}

func newParzen(d Dim, obs []float64) *parzen {
	n := len(obs)
	p := &parzen{weights: append(tpeWeights(n), 1)}
	total := 0.0
	for _, w := range p.weights {
		total += w
	}
	for i := range p.weights {
		p.weights[i] /= total
	}
	if d.Levels != nil {
		k := len(d.Levels)
		for c := range n + 1 {
			row := make([]float64, k)
			for j := range row {
				row[j] = 1 / float64(n+1) // the prior weight, spread
			}
			if c < n {
				row[int(obs[c])]++
			}
			sum := 0.0
			for _, v := range row {
				sum += v
			}
			for j := range row {
				row[j] /= sum
			}
			p.levels = append(p.levels, row)
		}
		return p
	}
	p.low, p.high, p.q = d.parzenBounds()
	span := p.high - p.low
	p.mus = append(slices.Clone(obs), (p.low+p.high)/2)
	// Widths: the larger gap to a neighbour among the sorted centres
	// (prior included), with the range's ends as outer neighbours, except
	// that the first and last reach only their inner neighbour.
	idx := make([]int, len(p.mus))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(p.mus[a], p.mus[b]) })
	sorted := make([]float64, 0, len(idx)+2)
	sorted = append(sorted, p.low)
	for _, i := range idx {
		sorted = append(sorted, p.mus[i])
	}
	sorted = append(sorted, p.high)
	m := len(idx)
	sig := make([]float64, m)
	for k := range m {
		sig[k] = math.Max(sorted[k+1]-sorted[k], sorted[k+2]-sorted[k+1])
	}
	if len(sorted) >= 4 {
		sig[0] = sorted[2] - sorted[1]
		sig[m-1] = sorted[m] - sorted[m-1]
	}
	p.sigmas = make([]float64, m)
	minSigma := span / math.Min(100, 1+float64(m))
	for k, i := range idx {
		p.sigmas[i] = math.Min(math.Max(sig[k], minSigma), span)
	}
	p.sigmas[n] = span // the prior's
	return p
}

// pick draws a component by weight.
func (p *parzen) pick(r *rand.Rand) int {
	u, acc := r.Float64(), 0.0
	for i, w := range p.weights {
		if acc += w; u < acc {
			return i
		}
	}
	return len(p.weights) - 1
}

func (p *parzen) sample(r *rand.Rand) float64 {
	c := p.pick(r)
	if p.levels != nil {
		u, acc := r.Float64(), 0.0
		row := p.levels[c]
		for j, v := range row {
			if acc += v; u < acc {
				return float64(j)
			}
		}
		return float64(len(row) - 1)
	}
	x := truncNormal(r, p.mus[c], p.sigmas[c], p.low, p.high)
	if p.q > 0 { // back onto the grid of values: low + q/2 is the first
		first := p.low + p.q/2
		x = first + math.Round((x-first)/p.q)*p.q
		x = math.Min(math.Max(x, first), p.high-p.q/2)
	}
	return x
}

// logPDF is the mixture's log density (log probability for levels and
// discrete values) at x.
func (p *parzen) logPDF(x float64) float64 {
	terms := make([]float64, len(p.weights))
	for c, w := range p.weights {
		var lp float64
		switch {
		case p.levels != nil:
			lp = math.Log(p.levels[c][int(x)])
		case p.q > 0:
			a, b := (math.Max(x-p.q/2, p.low)-p.mus[c])/p.sigmas[c], (math.Min(x+p.q/2, p.high)-p.mus[c])/p.sigmas[c]
			lp = logGaussMass(a, b) - logGaussMass((p.low-p.mus[c])/p.sigmas[c], (p.high-p.mus[c])/p.sigmas[c])
		default:
			z := (x - p.mus[c]) / p.sigmas[c]
			lp = -0.5*z*z - 0.5*math.Log(2*math.Pi) -
				logGaussMass((p.low-p.mus[c])/p.sigmas[c], (p.high-p.mus[c])/p.sigmas[c])
		}
		terms[c] = math.Log(w) + lp
	}
	top := slices.Max(terms)
	if math.IsInf(top, -1) {
		return top
	}
	sum := 0.0
	for _, t := range terms {
		sum += math.Exp(t - top)
	}
	return top + math.Log(sum)
}

// logGaussMass is log(Φ(b) − Φ(a)) for a < b, computed on the side of
// the mean where the tails keep their digits.
func logGaussMass(a, b float64) float64 {
	if a > 0 { // both right of the mean: mirror to the left tail
		a, b = -b, -a
	}
	if b <= 0 {
		return math.Log(math.Max(phi(b)-phi(a), math.SmallestNonzeroFloat64))
	}
	// a ≤ 0 < b: the mass is 1 minus both tails.
	return math.Log1p(-phi(a) - phi(-b))
}

// phi is the standard normal CDF.
func phi(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// truncNormal draws from N(mu, sigma²) truncated to [low, high] by the
// inverse CDF, on the tail side that keeps its digits.
func truncNormal(r *rand.Rand, mu, sigma, low, high float64) float64 {
	a, b := (low-mu)/sigma, (high-mu)/sigma
	flip := a > 0
	if flip {
		a, b = -b, -a
	}
	pa, pb := phi(a), phi(b)
	var z float64
	if pb-pa <= 0 { // far out in the tail: the bound nearer the mean
		z = b
	} else {
		u := pa + r.Float64()*(pb-pa)
		z = -math.Sqrt2 * math.Erfcinv(2*u)
		z = math.Min(math.Max(z, a), b)
	}
	if flip {
		z = -z
	}
	return mu + sigma*z
}

// NewUniformDim is a real dimension on [low, high], log-uniform when log,
// for driving TPE through the Go API (bench/tpecompare); it applies to no
// configuration.
func NewUniformDim(name string, low, high float64, log bool) Dim {
	d := Dim{Name: name, Dist: "uniform", Low: low, High: high}
	if log {
		d.Dist = "log_uniform"
	}
	d.set = setting{name: name, apply: func(*ganexp.Config, any) {}}
	return d
}

// NewLevelsDim is a list dimension of n levels named 0…n−1, for the Go
// API.
func NewLevelsDim(name string, n int) Dim {
	d := Dim{Name: name}
	for i := range n {
		d.Levels = append(d.Levels, Value{Label: strconv.Itoa(i), Apply: func(*ganexp.Config) {}})
	}
	return d
}

// Point is the values TPE's internal point x stands for: a real
// dimension's value, a list's level index.
func Point(dims []Dim, x []float64) []float64 {
	out := make([]float64, len(dims))
	for i, d := range dims {
		out[i] = d.fromInternal(x[i]).num
	}
	return out
}

// RandomPoint is a uniform random point, in TPE's internal scale.
func RandomPoint(dims []Dim, r *rand.Rand) []float64 {
	x := make([]float64, len(dims))
	for i, d := range dims {
		x[i] = d.internal(d.At(r.Float64()))
	}
	return x
}
