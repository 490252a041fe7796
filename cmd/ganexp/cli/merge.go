package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/db"
	"github.com/ganexp/ganexp/evaluate"
	"github.com/spf13/cobra"
)

// MergeOptions are the inputs of `ganexp merge`.
type MergeOptions struct {
	App    *App
	Into   string
	Shards []string // paths or glob patterns
}

// NewCmdMerge builds `ganexp merge`. runF replaces mergeRun in tests.
func NewCmdMerge(a *App, runF func(context.Context, *MergeOptions) error) *cobra.Command {
	o := &MergeOptions{App: a}
	cmd := &cobra.Command{
		Use:   "merge INTO.db SHARD.db...",
		Short: "Fold shard databases (sweep --shard) into one, as often as you like",
		Long: `merge copies every trial of each SHARD.db (paths or glob patterns, such as
'shards/*.db') with its parameters, evaluations, events and artifacts into
INTO.db, creating it if needed, in one transaction per shard. It can be rerun
at any time, on shards that are still growing: a trial already merged is left
as it is, a trial finished in a shard but pending, running or interrupted in
INTO.db is replaced by the finished copy, and a trial finished in two files by
two runs (the same seeded experiment trained twice) keeps the copy merged
first and is reported. Every shard is checked before anything is written: a
file that is not a ganexp database, is corrupt, or comes from a newer ganexp
stops the merge with exit 2 and INTO.db unchanged.`,
		Example: `  ganexp merge grid.db 'shards/grid-*.db'
  ganexp merge grid.db shards/grid-0.db shards/grid-1.db`,
		Args: args(cobra.MinimumNArgs(2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Into, o.Shards = args[0], args[1:]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return mergeRun(cmd.Context(), o)
		},
	}
	return cmd
}

// shardPaths expands the patterns into the shard files, in order, each
// once; a pattern that matches nothing is an input error.
func shardPaths(patterns []string, into string) ([]string, error) {
	var out []string
	intoAbs, _ := filepath.Abs(into)
	for _, p := range patterns {
		matches := []string{p}
		if strings.ContainsAny(p, "*?[") {
			var err error
			if matches, err = filepath.Glob(p); err != nil {
				return nil, ganexp.Inputf(p, "fix the pattern", "bad glob pattern: %v", err)
			}
			if len(matches) == 0 {
				return nil, ganexp.Inputf(p, "check the pattern, or wait for the shards to write their databases", "no shard database matches")
			}
			slices.Sort(matches)
		}
		for _, m := range matches {
			if abs, _ := filepath.Abs(m); abs == intoAbs {
				if strings.ContainsAny(p, "*?[") {
					continue // a pattern may well match the merged file itself
				}
				return nil, ganexp.Inputf(m, "give the merged database first and the shards after it", "a database cannot be merged into itself")
			}
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out, nil
}

func mergeRun(ctx context.Context, o *MergeOptions) error {
	a := o.App
	shards, err := shardPaths(o.Shards, o.Into)
	if err != nil {
		return err
	}
	for _, s := range shards {
		if err := db.CheckShard(ctx, s, evaluate.Infos()); err != nil {
			return err
		}
	}
	into, err := db.Open(ctx, o.Into, evaluate.Infos())
	if err != nil {
		return err
	}
	defer into.Close()
	var total db.MergeStats
	for _, s := range shards {
		st, err := into.Merge(ctx, s)
		if err != nil {
			return into.Explain(err)
		}
		fmt.Fprintf(a.Out, "merged %s: %d new, %d updated, %d already here, %d kept as here\n", s, st.Added, st.Updated, st.Same, st.Kept)
		for _, k := range st.Duplicates {
			fmt.Fprintf(a.Out, "  trial %s finished in %s and in %s by two runs (the same seeded experiment trained twice): kept the copy merged first\n", k, s, o.Into)
		}
		total.Added += st.Added
		total.Updated += st.Updated
		total.Duplicates = append(total.Duplicates, st.Duplicates...)
	}
	rows, err := into.Trials(ctx, db.Filter{})
	if err != nil {
		return err
	}
	counts := map[ganexp.Status]int{}
	for _, r := range rows {
		counts[r.Status]++
	}
	var parts []string
	for _, s := range ganexp.Statuses {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", s, counts[s]))
		}
	}
	fmt.Fprintf(a.Out, "%s: %d trials (%s) from %d shard(s); this merge added %d and updated %d\n",
		o.Into, len(rows), strings.Join(parts, ", "), len(shards), total.Added, total.Updated)
	return nil
}
