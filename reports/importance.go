package reports

import (
	"cmp"
	"math"
	"slices"

	"github.com/ganexp/ganexp"
)

// Importance is one parameter's share of a metric's variance over the
// configurations.
type Importance struct {
	Param  string
	Share  float64 // in [0, 1]
	Groups int     // the levels, or quantile bins of a numeric parameter
}

// Importances estimates how much of the variance of a metric over the
// configurations (their means over seeds) each varied parameter explains
// on its own: the first-order term of a functional ANOVA (Hooker 2007;
// the main effects that fANOVA, Hutter et al. 2014, reads off a random
// forest, here estimated directly from the configurations). A parameter's
// configurations are grouped by its level, or for a number into ⌈√n⌉
// bins of about equal count by rank (so a log scale and a linear one give
// the same groups); its share is Kelley's ε² = (SS_between − (k − 1)·
// MS_within) / SS_total, the between-group sum of squares corrected for
// what k groups of noise alone would explain, clipped at 0. Shares do not
// sum to 1: the rest is interactions and noise. Most important first;
// parameters that take one value are left out.
func Importances(cs []Config, metric string) []Importance {
	type point struct {
		x any
		y float64
	}
	byParam := map[string][]point{}
	var names []string
	for _, c := range cs {
		y := c.MeanOf(metric)
		if math.IsNaN(y) || math.IsInf(y, 0) {
			continue
		}
		for _, p := range c.Params {
			if _, ok := byParam[p.Name]; !ok {
				names = append(names, p.Name)
			}
			byParam[p.Name] = append(byParam[p.Name], point{p.Value, y})
		}
	}
	var out []Importance
	for _, name := range names {
		pts := byParam[name]
		n := len(pts)
		if n < 3 {
			continue
		}
		group := make([]int, n)
		k := 0
		if _, numeric := toNumber(pts[0].x); numeric {
			idx := make([]int, n)
			for i := range idx {
				idx[i] = i
			}
			slices.SortStableFunc(idx, func(a, b int) int {
				xa, _ := toNumber(pts[a].x)
				xb, _ := toNumber(pts[b].x)
				return cmp.Compare(xa, xb)
			})
			bins := int(math.Ceil(math.Sqrt(float64(n))))
			prevX, prevBin := math.NaN(), -1
			for r, i := range idx {
				x, _ := toNumber(pts[i].x)
				// A new group at each bin boundary, but equal values
				// stay together.
				if b := r * bins / n; r == 0 || (x != prevX && b != prevBin) {
					k++
					prevBin = b
				}
				group[i] = k - 1
				prevX = x
			}
		} else {
			seen := map[string]int{}
			for i, p := range pts {
				label := ganexp.FormatValue(p.x)
				if _, ok := seen[label]; !ok {
					seen[label] = len(seen)
				}
				group[i] = seen[label]
			}
			k = len(seen)
		}
		if k < 2 {
			continue
		}
		mean := 0.0
		for _, p := range pts {
			mean += p.y / float64(n)
		}
		sums, counts := make([]float64, k), make([]int, k)
		for i, p := range pts {
			sums[group[i]] += p.y
			counts[group[i]]++
		}
		total, between := 0.0, 0.0
		for _, p := range pts {
			total += (p.y - mean) * (p.y - mean)
		}
		for g := range k {
			if counts[g] > 0 {
				m := sums[g] / float64(counts[g])
				between += float64(counts[g]) * (m - mean) * (m - mean)
			}
		}
		share := 0.0
		if total > 0 && n > k {
			within := (total - between) / float64(n-k)
			share = max(0, (between-float64(k-1)*within)/total)
		}
		out = append(out, Importance{Param: name, Share: share, Groups: k})
	}
	slices.SortStableFunc(out, func(a, b Importance) int { return cmp.Compare(b.Share, a.Share) })
	return out
}

// toNumber reads a parameter value as a number.
func toNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}
