package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ganexp/ganexp"
)

// Metrics are the metrics this store records, in display order.
func (d *DB) Metrics() ganexp.MetricSet { return d.metrics }

// ensureMetrics is the migration that the code writes for each metric of
// the registry: it records the metric's stable ID, adds its columns to
// trials and evals, and rebuilds the metrics view, whose rows it tells
// apart by those IDs, never by a position in a list. A metric whose ID in
// this file differs from the registry's is refused: an ID is never reused
// or changed. It runs in one transaction whenever a file is opened for
// writing, and changes nothing when nothing is missing.
func (d *DB) ensureMetrics(ctx context.Context) error {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ids, err := metricIDs(ctx, tx)
	if err != nil {
		return err
	}
	byID := map[int]string{}
	for name, id := range ids {
		byID[id] = name
	}
	trialCols, err := columns(ctx, tx, "trials")
	if err != nil {
		return err
	}
	evalCols, err := columns(ctx, tx, "evals")
	if err != nil {
		return err
	}
	changed := false
	for _, m := range d.metrics {
		switch id, ok := ids[m.Name]; {
		case ok && id != m.ID:
			return fmt.Errorf("metric %s has id %d in %s but %d in this ganexp: a metric's id never changes", m.Name, id, d.path, m.ID)
		case !ok && byID[m.ID] != "":
			return fmt.Errorf("metric %s has id %d, which %s already gives to %s: an id is never reused", m.Name, m.ID, d.path, byID[m.ID])
		case !ok:
			if _, err := tx.ExecContext(ctx, "INSERT INTO metric_ids (name, id) VALUES (?, ?)", m.Name, m.ID); err != nil {
				return err
			}
			ids[m.Name], byID[m.ID] = m.ID, m.Name
			changed = true
		}
		for table, have := range map[string]map[string]bool{"trials": trialCols, "evals": evalCols} {
			if !have[m.Name] {
				if _, err := tx.ExecContext(ctx, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s REAL", table, quoteIdent(m.Name))); err != nil {
					return err
				}
				changed = true
			}
		}
	}
	if !changed {
		return nil
	}
	if err := rebuildMetricsView(ctx, tx, ids); err != nil {
		return err
	}
	if err := d.rebuildWideView(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// metricIDs reads the metric_ids table.
func metricIDs(ctx context.Context, tx *sql.Tx) (map[string]int, error) {
	rows, err := tx.QueryContext(ctx, "SELECT name, id FROM metric_ids")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := map[string]int{}
	for rows.Next() {
		var name string
		var id int
		if err := rows.Scan(&name, &id); err != nil {
			return nil, err
		}
		ids[name] = id
	}
	return ids, rows.Err()
}

// querier runs queries: a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

// columns is the set of a table's columns in the main database.
func columns(ctx context.Context, q querier, table string) (map[string]bool, error) {
	names, err := tableColumns(ctx, q, "main", table)
	have := make(map[string]bool, len(names))
	for _, n := range names {
		have[n] = true
	}
	return have, err
}

// tableColumns lists a table's columns in order, in schema (main, or an
// attached database such as a shard being merged).
func tableColumns(ctx context.Context, q querier, schema, table string) ([]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT name FROM pragma_table_info(?, ?)", table, schema)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// rebuildMetricsView recreates the metrics view, a row per trial, step and
// metric: every metric this file has ever recorded (metric_ids), each read
// from its evals column where its bit says it was reported.
func rebuildMetricsView(ctx context.Context, tx *sql.Tx, ids map[string]int) error {
	names := make([]string, 0, len(ids))
	for n := range ids {
		names = append(names, n)
	}
	// By ID: the order they were added in.
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && ids[names[j]] < ids[names[j-1]]; j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("SELECT trial_key, step, %s, %s, wall_s FROM evals WHERE present & %d", quoteLiteral(n), quoteIdent(n), int64(1)<<ids[n])
	}
	if _, err := tx.ExecContext(ctx, "DROP VIEW IF EXISTS metrics"); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "CREATE VIEW metrics (trial_key, step, name, value, wall_s) AS\n"+strings.Join(parts, "\nUNION ALL\n"))
	return err
}
