// Command savings reads a database in which one grid sweep and several
// drawn searches of the same space ran (bench/savings.sh writes it), and
// prints, for each search strategy, the best objective found over its
// search seeds (median and range), where that best ranks in the full
// grid, and how many trials each seed needed to reach the grid's top 5%;
// and, for an ASHA-pruned run of the grid, the share of steps it saved
// and whether the grid's best configurations survived. Not part of CI.
//
//	go run ./bench/savings --db sav.db --grid sav-grid --asha sav-asha --asha-db asha.db
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/evaluate"
)

func main() {
	path := flag.String("db", "sav.db", "the database")
	metric := flag.String("metric", "balanced_hq", "the objective, maximised")
	grid := flag.String("grid", "sav-grid", "the full grid's sweep")
	asha := flag.String("asha", "", "the ASHA-pruned grid's sweep (optional)")
	ashaDB := flag.String("asha-db", "", "the database the ASHA sweep ran in (its trial keys are the grid's, so it needs its own file)")
	strategies := flag.String("strategies", "random,sobol,tpe", "search strategies; their sweeps are sav-STRATEGY-sN")
	top := flag.Float64("top", 0.05, "the share of the grid that counts as its top")
	flag.Parse()
	if err := run(*path, *metric, *grid, *asha, *ashaDB, strings.Split(*strategies, ","), *top); err != nil {
		fmt.Fprintln(os.Stderr, "savings:", err)
		os.Exit(1)
	}
}

func value(r db.TrialRow, metric string) float64 {
	if v := r.Final[metric]; v != nil && r.Status != ganexp.StatusFailed && r.Status != ganexp.StatusPruned {
		return *v
	}
	return math.Inf(-1)
}

func run(path, metric, grid, asha, ashaDB string, strategies []string, top float64) error {
	ctx := context.Background()
	store, err := db.OpenReadOnly(ctx, path, evaluate.Infos())
	if err != nil {
		return err
	}
	defer store.Close()
	rows, err := store.Trials(ctx, db.Filter{Sweep: grid})
	if err != nil {
		return err
	}
	var vals []float64
	stepsGrid, plannedGrid := 0, 0
	for _, r := range rows {
		vals = append(vals, value(r, metric))
		stepsGrid += r.StepsDone
		plannedGrid += r.StepsTotal
	}
	slices.SortFunc(vals, func(a, b float64) int { return cmp.Compare(b, a) })
	n := len(vals)
	k := int(math.Ceil(top * float64(n)))
	cut := vals[k-1]
	fmt.Printf("grid %s: %d trials, best %s %.4g, top %.0f%% (%d trials) from %.4g; ran %.1f%% of the planned steps (the detectors stopped the rest)\n",
		grid, n, metric, vals[0], 100*top, k, cut, 100*float64(stepsGrid)/float64(plannedGrid))
	rank := func(v float64) int { // trials of the grid strictly better, plus one
		return 1 + len(slices.DeleteFunc(slices.Clone(vals), func(x float64) bool { return x <= v }))
	}
	fmt.Printf("\n| strategy | seeds | trials each | best %s: median (min–max) | its rank in the grid: median (best–worst) | seeds reaching the top %.0f%% | trials to reach it: median (min–max) |\n|---|---|---|---|---|---|---|\n", metric, 100*top)
	for _, st := range strategies {
		var bests []float64
		var ranks, reach []int
		seeds, each := 0, 0
		for s := 1; ; s++ {
			rs, err := store.Trials(ctx, db.Filter{Sweep: fmt.Sprintf("sav-%s-s%d", st, s)})
			if err != nil || len(rs) == 0 {
				break
			}
			seeds++
			each = len(rs)
			best, first := math.Inf(-1), math.MaxInt
			for i, r := range rs {
				v := value(r, metric)
				best = max(best, v)
				if v >= cut && first == math.MaxInt {
					first = i + 1
				}
			}
			bests = append(bests, best)
			ranks = append(ranks, rank(best))
			if first < math.MaxInt {
				reach = append(reach, first)
			}
		}
		if seeds == 0 {
			continue
		}
		slices.Sort(bests)
		slices.Sort(ranks)
		slices.Sort(reach)
		reachText := "–"
		if len(reach) > 0 {
			reachText = fmt.Sprintf("%s (%d–%d)", medianInt(reach), reach[0], reach[len(reach)-1])
		}
		fmt.Printf("| %s | %d | %d | %.4g (%.4g–%.4g) | %s (%d–%d) | %d of %d | %s |\n", st, seeds, each,
			median(bests), bests[0], bests[len(bests)-1], medianInt(ranks), ranks[0], ranks[len(ranks)-1], len(reach), seeds, reachText)
	}
	if asha == "" {
		return nil
	}
	astore, err := db.OpenReadOnly(ctx, ashaDB, evaluate.Infos())
	if err != nil {
		return err
	}
	defer astore.Close()
	ar, err := astore.Trials(ctx, db.Filter{Sweep: asha})
	if err != nil {
		return err
	}
	byKey := map[string]db.TrialRow{}
	steps, planned := 0, 0
	counts := map[ganexp.Status]int{}
	best, bestKey := math.Inf(-1), ""
	for _, r := range ar {
		byKey[r.Key] = r
		steps += r.StepsDone
		planned += r.StepsTotal
		counts[r.Status]++
		if v := value(r, metric); v > best {
			best, bestKey = v, r.Key
		}
	}
	var st []string
	for _, s := range ganexp.Statuses {
		if counts[s] > 0 {
			st = append(st, fmt.Sprintf("%s %d", s, counts[s]))
		}
	}
	fmt.Printf("\nASHA %s: %d trials (%s); ran %d of %d planned steps: %.1f%% saved against full training, %.1f%% against the grid with the detectors alone\n",
		asha, len(ar), strings.Join(st, ", "), steps, planned, 100*(1-float64(steps)/float64(planned)), 100*(1-float64(steps)/float64(stepsGrid)))
	fmt.Printf("best trial ASHA trained to the end: %s, %s %.4g, rank %d of %d in the grid\n", bestKey, metric, best, rank(best), n)
	gridRanked := slices.Clone(rows)
	slices.SortStableFunc(gridRanked, func(a, b db.TrialRow) int { return cmp.Compare(value(b, metric), value(a, metric)) })
	fmt.Printf("the grid's top %d under ASHA:", k)
	for i, r := range gridRanked[:k] {
		fmt.Printf(" #%d %s", i+1, byKey[r.Key].Status)
	}
	fmt.Println()
	return nil
}

func median(xs []float64) float64 {
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

func medianInt(xs []int) string {
	n := len(xs)
	if n%2 == 1 {
		return fmt.Sprint(xs[n/2])
	}
	return fmt.Sprintf("%.1f", float64(xs[n/2-1]+xs[n/2])/2)
}
