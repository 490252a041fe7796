package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ganexp/ganexp"
	"github.com/mattn/go-sqlite3"
)

// CheckShard makes sure path is a ganexp database this build can merge:
// SQLite, with a ganexp schema no newer than this build's, and intact
// (quick_check). Each refusal is an input error naming the file.
func CheckShard(ctx context.Context, path string, metrics ganexp.MetricSet) error {
	d, err := OpenReadOnly(ctx, path, metrics)
	var in *ganexp.InputError
	switch {
	case errors.As(err, &in):
		if in.Hint == notGanexpHint {
			in.Hint = "leave it out of the merge: shards are the databases of ganexp sweep --shard"
		}
		return err
	case err != nil:
		// SQLite's own complaint about the file: malformed, truncated.
		var se sqlite3.Error
		msg := err.Error()
		if errors.As(err, &se) {
			msg = se.Error()
		}
		return ganexp.Inputf(path, "leave it out, or rerun its shard into a new file", "corrupt database: %s", firstLine(msg))
	}
	defer d.Close()
	var res string
	if err := d.sql.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&res); err != nil || res != "ok" {
		if err != nil {
			res = err.Error()
		}
		return ganexp.Inputf(path, "leave it out, or rerun its shard into a new file", "corrupt database: %s", firstLine(res))
	}
	return nil
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// mergeCacheKiB is the page cache of the connection that merges: 256 MiB.
const mergeCacheKiB = 256 << 10

// MergeStats is what merging one shard did, by trial.
type MergeStats struct {
	Added   int // new to the database
	Updated int // taken from the shard: finished there, not here, or further along
	Same    int // the same copy was merged before
	Kept    int // this database's copy is finished or further along
	// Duplicates are trials finished in both files by different runs:
	// the same seeded experiment trained twice. The first stays.
	Duplicates []string
}

// shardTrial is what merging compares of a trial in each file.
type shardTrial struct {
	status   ganexp.Status
	steps    int
	finished sql.NullString
	attempts int
}

// Merge copies every trial of the shard database at path (checked with
// CheckShard first) with its parameters, evaluations, events and
// artifacts, and its sweeps, into d, in one transaction. It can be rerun:
// a trial already here the same is left as it is; one finished in the
// shard and not here (pending, running, interrupted), or further along
// there, is replaced by the shard's copy; one finished in both by two
// different runs keeps this database's copy and is reported.
func (d *DB) Merge(ctx context.Context, path string) (MergeStats, error) {
	var st MergeStats
	wrap := func(err error) error { return fmt.Errorf("merge %s into %s: %w", path, d.path, err) }
	abs, err := filepath.Abs(path)
	if err != nil {
		return st, wrap(err)
	}
	conn, err := d.sql.Conn(ctx)
	if err != nil {
		return st, wrap(err)
	}
	defer conn.Close()
	// A merged file of many shards is large, and each shard's trials land
	// all over its B-trees (keys are hashes): SQLite's default 2 MB page
	// cache would make every shard a stream of random reads.
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", -mergeCacheKiB)); err != nil {
		return st, wrap(err)
	}
	uri := "file:" + filepath.ToSlash(abs) + "?mode=ro"
	if _, err := conn.ExecContext(ctx, "ATTACH DATABASE ? AS shard", uri); err != nil {
		return st, wrap(fmt.Errorf("attach: %w", err))
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "DETACH DATABASE shard")
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return st, wrap(err)
	}
	defer tx.Rollback()
	if err := d.mergeTx(ctx, tx, &st); err != nil {
		return st, wrap(err)
	}
	if err := d.rebuildWideView(ctx, tx); err != nil {
		return st, wrap(fmt.Errorf("rebuild trials_wide: %w", err))
	}
	if err := tx.Commit(); err != nil {
		return st, wrap(err)
	}
	return st, nil
}

// shared are the columns of table that both files have, quoted and
// joined for SQL, leaving out skip.
func shared(ctx context.Context, tx *sql.Tx, table string, skip ...string) (string, error) {
	mine, err := tableColumns(ctx, tx, "main", table)
	if err != nil {
		return "", err
	}
	theirs, err := tableColumns(ctx, tx, "shard", table)
	if err != nil {
		return "", err
	}
	var out []string
	for _, c := range mine {
		if slices.Contains(theirs, c) && !slices.Contains(skip, c) {
			out = append(out, quoteIdent(c))
		}
	}
	return strings.Join(out, ", "), nil
}

func (d *DB) mergeTx(ctx context.Context, tx *sql.Tx, st *MergeStats) error {
	// Sweeps by name: the shard's ids become this file's.
	if _, err := tx.ExecContext(ctx, `INSERT INTO sweeps (name, config_path, config_yaml, created_at, updated_at)
		SELECT name, config_path, config_yaml, created_at, updated_at FROM shard.sweeps WHERE true
		ON CONFLICT (name) DO UPDATE SET
			created_at = min(sweeps.created_at, excluded.created_at),
			config_path = CASE WHEN excluded.updated_at > sweeps.updated_at THEN excluded.config_path ELSE sweeps.config_path END,
			config_yaml = CASE WHEN excluded.updated_at > sweeps.updated_at THEN excluded.config_yaml ELSE sweeps.config_yaml END,
			updated_at = max(sweeps.updated_at, excluded.updated_at)`); err != nil {
		return fmt.Errorf("sweeps: %w", err)
	}
	mine, err := trialStates(ctx, tx, "main")
	if err != nil {
		return err
	}
	theirs, err := trialStates(ctx, tx, "shard")
	if err != nil {
		return err
	}
	var take []string // trials to copy from the shard, replacing any here
	for _, key := range sortedKeys(theirs) {
		s := theirs[key]
		m, here := mine[key]
		switch {
		case !here:
			st.Added++
			take = append(take, key)
		case m == s:
			st.Same++
		case s.status.Done() && !m.status.Done(),
			!s.status.Done() && !m.status.Done() && s.steps > m.steps:
			st.Updated++
			take = append(take, key)
		case s.status.Done() && m.status.Done():
			st.Duplicates = append(st.Duplicates, key)
		default:
			st.Kept++
		}
	}
	trialCols, err := shared(ctx, tx, "trials", "sweep_id")
	if err != nil {
		return err
	}
	evalCols, err := shared(ctx, tx, "evals")
	if err != nil {
		return err
	}
	artifactCols, err := shared(ctx, tx, "artifacts")
	if err != nil {
		return err
	}
	// The trials to take, in a table of this connection, so that each
	// table is copied by one statement rather than one per trial.
	if _, err := tx.ExecContext(ctx, "CREATE TEMP TABLE IF NOT EXISTS merge_take (key TEXT PRIMARY KEY)"); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM merge_take"); err != nil {
		return err
	}
	for _, key := range take {
		if _, err := tx.ExecContext(ctx, "INSERT INTO merge_take (key) VALUES (?)", key); err != nil {
			return err
		}
	}
	// What this file measured of those trials goes; their rows and their
	// places in other sweeps' plans stay, updated.
	const taken = "(SELECT key FROM merge_take)"
	steps := []struct{ what, q string }{
		{"clear evaluations", "DELETE FROM evals WHERE trial_key IN " + taken},
		{"clear events", "DELETE FROM events WHERE trial_key IN " + taken},
		{"clear artifacts", "DELETE FROM artifacts WHERE trial_key IN " + taken},
		{"copy trials", `INSERT INTO trials (sweep_id, ` + trialCols + `) SELECT (SELECT m.id FROM sweeps m JOIN shard.sweeps s ON s.name = m.name WHERE s.id = t.sweep_id), ` +
			prefixed("t", trialCols) + ` FROM shard.trials t WHERE t.key IN ` + taken + ` ON CONFLICT (key) DO UPDATE SET ` + assignments(trialCols, "key")},
		{"copy params", `INSERT INTO params (trial_key, name, value, pos) SELECT trial_key, name, value, pos FROM shard.params WHERE trial_key IN ` + taken + `
			ON CONFLICT (trial_key, name) DO UPDATE SET value = excluded.value`},
		{"copy evaluations", `INSERT INTO evals (` + evalCols + `) SELECT ` + evalCols + ` FROM shard.evals WHERE trial_key IN ` + taken},
		{"copy events", `INSERT INTO events (trial_key, step, kind, detail, created_at) SELECT trial_key, step, kind, detail, created_at FROM shard.events WHERE trial_key IN ` + taken + ` ORDER BY id`},
		{"copy artifacts", `INSERT INTO artifacts (` + artifactCols + `) SELECT ` + artifactCols + ` FROM shard.artifacts WHERE trial_key IN ` + taken},
		{"clear the list", "DELETE FROM merge_take"},
	}
	for _, st := range steps {
		if _, err := tx.ExecContext(ctx, st.q); err != nil {
			return fmt.Errorf("%s: %w", st.what, err)
		}
	}
	// Every sweep's plan, whichever copy of a trial stayed: the shard's
	// positions are the whole plan's.
	if _, err := tx.ExecContext(ctx, `INSERT INTO sweep_trials (sweep_id, trial_key, position)
		SELECT m.id, st.trial_key, st.position FROM shard.sweep_trials st
		JOIN shard.sweeps s ON s.id = st.sweep_id JOIN sweeps m ON m.name = s.name WHERE true
		ON CONFLICT (sweep_id, trial_key) DO UPDATE SET position = excluded.position`); err != nil {
		return fmt.Errorf("sweep plans: %w", err)
	}
	return nil
}

// assignments sets each of a joined column list but skip from excluded.
func assignments(cols, skip string) string {
	var out []string
	for _, c := range strings.Split(cols, ", ") {
		if c != quoteIdent(skip) {
			out = append(out, c+" = excluded."+c)
		}
	}
	return strings.Join(out, ", ")
}

// prefixed qualifies each of a joined column list with alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ", ")
	for i, p := range parts {
		parts[i] = alias + "." + p
	}
	return strings.Join(parts, ", ")
}

func trialStates(ctx context.Context, tx *sql.Tx, schema string) (map[string]shardTrial, error) {
	rows, err := tx.QueryContext(ctx, "SELECT key, status, steps_done, finished_at, attempts FROM "+schema+".trials")
	if err != nil {
		return nil, fmt.Errorf("read %s trials: %w", schema, err)
	}
	defer rows.Close()
	out := map[string]shardTrial{}
	for rows.Next() {
		var k, s string
		var t shardTrial
		if err := rows.Scan(&k, &s, &t.steps, &t.finished, &t.attempts); err != nil {
			return nil, fmt.Errorf("read %s trials: %w", schema, err)
		}
		t.status = ganexp.Status(s)
		out[k] = t
	}
	return out, rows.Err()
}

func sortedKeys(m map[string]shardTrial) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
