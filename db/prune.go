package db

import (
	"context"
	"fmt"

	"github.com/ganexp/ganexp"
)

// PrunePoint is one stored evaluation of the metric a sweep prunes on.
type PrunePoint struct {
	Key   string
	Step  int
	Value float64
}

// PruneHistory is what a pruner needs to know about a sweep's trials from
// the database: what they measured, how they stand, and the rungs at
// which earlier decisions paused or promoted them. Other processes
// sharing the search wrote part of it.
type PruneHistory struct {
	// Values holds every finite stored value of the metric, by trial
	// and step.
	Values []PrunePoint
	// Status is each trial's status.
	Status map[string]ganexp.Status
	// Paused is, for each trial now pruned, the rung its latest pruned
	// event names (−1 for the median rule, which has no rungs).
	Paused map[string]int
	// Promoted is, for each trial, the highest rung it was let past.
	Promoted map[string]int
}

// PruneHistory reads sweep's trials' values of metric, their statuses and
// the pruner's past decisions (pruned and promoted events).
func (d *DB) PruneHistory(ctx context.Context, sweep, metric string) (PruneHistory, error) {
	h := PruneHistory{Status: map[string]ganexp.Status{}, Paused: map[string]int{}, Promoted: map[string]int{}}
	wrap := func(err error) error { return fmt.Errorf("read pruning history of sweep %s: %w", sweep, err) }
	if _, ok := d.metrics.Lookup(metric); !ok {
		return h, wrap(fmt.Errorf("no metric %q", metric))
	}
	const inSweep = `SELECT st.trial_key FROM sweep_trials st JOIN sweeps s ON s.id = st.sweep_id WHERE s.name = ?`
	rows, err := d.sql.QueryContext(ctx, `SELECT e.trial_key, e.step, e.`+quoteIdent(metric)+` FROM evals e
		WHERE e.trial_key IN (`+inSweep+`) AND e.`+quoteIdent(metric)+` IS NOT NULL ORDER BY e.trial_key, e.step`, sweep)
	if err != nil {
		return h, wrap(err)
	}
	for rows.Next() {
		var p PrunePoint
		if err := rows.Scan(&p.Key, &p.Step, &p.Value); err != nil {
			rows.Close()
			return h, wrap(err)
		}
		h.Values = append(h.Values, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return h, wrap(err)
	}
	rows, err = d.sql.QueryContext(ctx, `SELECT key, status FROM trials WHERE key IN (`+inSweep+`)`, sweep)
	if err != nil {
		return h, wrap(err)
	}
	for rows.Next() {
		var k, st string
		if err := rows.Scan(&k, &st); err != nil {
			rows.Close()
			return h, wrap(err)
		}
		h.Status[k] = ganexp.Status(st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return h, wrap(err)
	}
	// Events in the order they happened: a later pruned event (a promoted
	// trial pruned again at a higher rung) replaces an earlier one.
	rows, err = d.sql.QueryContext(ctx, `SELECT trial_key, kind, coalesce(json_extract(detail, '$.rung'), -1) FROM events
		WHERE kind IN ('pruned', 'promoted') AND trial_key IN (`+inSweep+`) ORDER BY id`, sweep)
	if err != nil {
		return h, wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, kind string
		var rung int
		if err := rows.Scan(&k, &kind, &rung); err != nil {
			return h, wrap(err)
		}
		if kind == "pruned" {
			h.Paused[k] = rung
		} else {
			h.Promoted[k] = max(h.Promoted[k], rung)
		}
	}
	if err := rows.Err(); err != nil {
		return h, wrap(err)
	}
	for k := range h.Paused {
		if h.Status[k] != ganexp.StatusPruned {
			delete(h.Paused, k)
		}
	}
	return h, nil
}
