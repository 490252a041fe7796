// Package db is ganexp's SQLite store: embedded migrations, one write
// path for the runner, and read queries for reports. It is the only
// package that contains SQL.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/metrics"
	"github.com/mattn/go-sqlite3"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DefaultPath is used when neither --db nor GANEXP_DB is given.
const DefaultPath = "ganexp.db"

// DB is an open ganexp database.
type DB struct {
	sql  *sql.DB
	path string
	// metrics are the metrics recorded (the evaluator's registry).
	metrics ganexp.MetricSet
	// missing are the metric columns that an older file opened read-only
	// lacks (a file opened for writing is migrated instead).
	missing map[string]bool
}

// notGanexpHint is the fix for --db naming a file that is not a ganexp
// database; a shard given to merge gets its own (CheckShard).
const notGanexpHint = "pass --db with a ganexp database, or a new file name"

// Open opens the database at path for writing, creating it and applying
// migrations as needed, with a column for each of the metrics (the
// evaluator's registry, evaluate.Infos()). The directory must exist.
func Open(ctx context.Context, path string, metrics ganexp.MetricSet) (*DB, error) {
	if err := checkPath(path, true); err != nil {
		return nil, err
	}
	d, err := open(path, "rwc")
	if err != nil {
		return nil, err
	}
	d.metrics = metrics
	if err := d.migrate(ctx); err != nil {
		d.Close()
		return nil, explain(path, err)
	}
	return d, nil
}

// OpenReadOnly opens an existing database for reports, reading the
// metrics given. It never creates or changes the file.
func OpenReadOnly(ctx context.Context, path string, metrics ganexp.MetricSet) (*DB, error) {
	if err := checkPath(path, false); err != nil {
		return nil, err
	}
	d, err := open(path, "ro")
	if err != nil {
		return nil, err
	}
	d.metrics = metrics
	v, err := d.schemaVersion(ctx)
	if err != nil {
		d.Close()
		return nil, err
	}
	if v == 0 {
		var tables int
		err := d.sql.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&tables)
		d.Close()
		switch {
		case err != nil:
			return nil, classify(path, err)
		case tables == 0:
			return nil, ganexp.Inputf(path, "run a sweep into it first", "empty database, no trials yet")
		}
		return nil, ganexp.Inputf(path, notGanexpHint, "SQLite database without a ganexp schema")
	}
	// A file from an older ganexp may lack columns of newer metrics (a
	// file opened for writing gets them; this one is read as it is).
	if d.missing, err = d.missingMetricColumns(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// missingMetricColumns lists the metrics (and later columns, such as
// kernel) without a column on trials: an older file, read as it is.
func (d *DB) missingMetricColumns(ctx context.Context) (map[string]bool, error) {
	have, err := columns(ctx, d.sql, "trials")
	if err != nil {
		return nil, classify(d.path, err)
	}
	missing := map[string]bool{}
	for _, m := range d.metrics {
		if !have[m.Name] {
			missing[m.Name] = true
		}
	}
	if !have["kernel"] { // schema v6
		missing["kernel"] = true
	}
	return missing, nil
}

func checkPath(path string, create bool) error {
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		return ganexp.Inputf(path, "give a file path, e.g. --db "+filepath.Join(path, DefaultPath), "database path is a directory")
	case err == nil:
		if err := checkHeader(path); err != nil || !create {
			return err
		}
		return checkWritable(path)
	case !os.IsNotExist(err):
		return ganexp.Inputf(path, "", "cannot use database: %v", err)
	case !create:
		return ganexp.Inputf(path, "run `ganexp sweep FILE` first, or pass --db PATH or set GANEXP_DB", "no database here")
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return ganexp.Inputf(path, "create the directory first, or pass another --db", "directory %s does not exist", dir)
	}
	return checkWritable(path)
}

// checkWritable makes sure the database's directory takes new files:
// SQLite keeps its write-ahead log and lock files beside the database.
func checkWritable(path string) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".ganexp-probe-*")
	if err != nil {
		return ganexp.Inputf(path, "pass --db in a directory you can write", "cannot write in directory %s", dir)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// checkHeader refuses files that are not SQLite databases before the
// driver touches them.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return ganexp.Inputf(path, "", "cannot open database: %v", err)
	}
	defer f.Close()
	head := make([]byte, 16)
	n, _ := f.Read(head)
	if n == 0 {
		return nil // an empty file becomes a database
	}
	if n < 16 || string(head) != "SQLite format 3\x00" {
		return ganexp.Inputf(path, notGanexpHint, "not a SQLite database")
	}
	return nil
}

// busyTimeout is how long a connection waits for another process's lock.
const busyTimeout = 10 * time.Second

func open(path, mode string) (*DB, error) {
	q := []string{
		"mode=" + mode,
		fmt.Sprintf("_busy_timeout=%d", busyTimeout.Milliseconds()),
		"_foreign_keys=on",
		"_txlock=immediate",
	}
	if mode != "ro" {
		// WAL is switched on in migrate, once the file is known to be ours.
		q = append(q, "_synchronous=NORMAL")
	}
	dsn := "file:" + filepath.ToSlash(path) + "?" + strings.Join(q, "&")
	s, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := s.Ping(); err != nil {
		s.Close()
		return nil, classify(path, err)
	}
	return &DB{sql: s, path: path}, nil
}

// classify turns driver errors about the file itself into input errors.
func classify(path string, err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrNotADB:
			return ganexp.Inputf(path, notGanexpHint, "not a SQLite database")
		case sqlite3.ErrCantOpen, sqlite3.ErrReadonly, sqlite3.ErrPerm:
			return ganexp.Inputf(path, "check the path and its permissions", "cannot open database: %v", err)
		}
	}
	return fmt.Errorf("open database %s: %w", path, err)
}

// Close closes the database.
func (d *DB) Close() error { return d.sql.Close() }

// Path is the file the database lives in.
func (d *DB) Path() string { return d.path }

// SQLiteVersion reports the linked SQLite library's version.
func (d *DB) SQLiteVersion(ctx context.Context) (string, error) {
	var v string
	err := d.sql.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&v)
	return v, err
}

// migrationCode is Go that a migration needs after its SQL, in the same
// transaction: what SQLite as built into ganexp cannot compute.
var migrationCode = map[int]func(context.Context, *sql.Tx) error{
	4: backfillBalancedHQ,
	7: checkPrunedAllowed,
}

// checkPrunedAllowed finishes schema v7, which edits the trials table's
// CHECK constraint in sqlite_master: it moves the schema cookie on (so
// that every connection, in this process or another, rereads the
// declaration) and checks that the edit took and the schema still parses.
func checkPrunedAllowed(ctx context.Context, tx *sql.Tx) error {
	var cookie int64
	if err := tx.QueryRowContext(ctx, "PRAGMA schema_version").Scan(&cookie); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA schema_version = %d", cookie+1)); err != nil {
		return err
	}
	var decl string
	if err := tx.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'trials'").Scan(&decl); err != nil {
		return err
	}
	if !strings.Contains(decl, "'pruned'") {
		return errors.New("the trials table's status check was not widened to 'pruned'")
	}
	var ok string
	if err := tx.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&ok); err != nil || ok != "ok" {
		return fmt.Errorf("quick_check after widening the status check: %q %v", ok, err)
	}
	return nil
}

// balancedHQBit is balanced_hq's bit in evals.present (schema v4: the
// 18th metric).
const balancedHQBit = 1 << 17

// backfillBalancedHQ fills balanced_hq in for the evaluations and trials
// stored before schema v4, from their hq_fraction and mode_kl.
func backfillBalancedHQ(ctx context.Context, tx *sql.Tx) error {
	type point struct {
		key  string
		step int
		v    sql.NullFloat64
	}
	var evals, finals []point
	rows, err := tx.QueryContext(ctx, "SELECT trial_key, step, hq_fraction, mode_kl FROM evals WHERE present & 32")
	if err != nil {
		return err
	}
	for rows.Next() {
		var p point
		var hq, kl sql.NullFloat64
		if err := rows.Scan(&p.key, &p.step, &hq, &kl); err != nil {
			rows.Close()
			return err
		}
		p.v = balancedHQ(hq, kl)
		evals = append(evals, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = tx.QueryContext(ctx, "SELECT key, hq_fraction, mode_kl FROM trials WHERE hq_fraction IS NOT NULL")
	if err != nil {
		return err
	}
	for rows.Next() {
		var p point
		var hq, kl sql.NullFloat64
		if err := rows.Scan(&p.key, &hq, &kl); err != nil {
			rows.Close()
			return err
		}
		p.v = balancedHQ(hq, kl)
		finals = append(finals, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range evals {
		if _, err := tx.ExecContext(ctx, "UPDATE evals SET balanced_hq = ?, present = present | ? WHERE trial_key = ? AND step = ?",
			p.v, balancedHQBit, p.key, p.step); err != nil {
			return err
		}
	}
	for _, p := range finals {
		if _, err := tx.ExecContext(ctx, "UPDATE trials SET balanced_hq = ? WHERE key = ?", p.v, p.key); err != nil {
			return err
		}
	}
	return nil
}

// balancedHQ is metrics.BalancedHQ on stored values: NULL without an
// hq_fraction; a NULL mode_kl means no sample was high quality.
func balancedHQ(hq, kl sql.NullFloat64) sql.NullFloat64 {
	if !hq.Valid {
		return sql.NullFloat64{}
	}
	k := math.NaN()
	if kl.Valid {
		k = kl.Float64
	}
	return sql.NullFloat64{Float64: metrics.BalancedHQ(hq.Float64, k), Valid: true}
}

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", e.Name())
		}
		body, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{v, e.Name(), string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// SchemaVersion is the newest schema this build knows.
func SchemaVersion() int {
	ms, _ := migrations()
	return ms[len(ms)-1].version
}

func (d *DB) schemaVersion(ctx context.Context) (int, error) {
	var n int
	err := d.sql.QueryRowContext(ctx,
		"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").Scan(&n)
	if err != nil {
		return 0, classify(d.path, err)
	}
	if n == 0 {
		return 0, nil
	}
	var v sql.NullInt64
	if err := d.sql.QueryRowContext(ctx, "SELECT max(version) FROM schema_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version of %s: %w", d.path, err)
	}
	if int(v.Int64) > SchemaVersion() {
		return 0, ganexp.Inputf(d.path, "upgrade ganexp to read it",
			"database has schema version %d; this ganexp knows up to %d", v.Int64, SchemaVersion())
	}
	return int(v.Int64), nil
}

// migrate applies each missing migration in its own transaction.
func (d *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	current, err := d.schemaVersion(ctx)
	if err != nil {
		return err
	}
	if current == 0 {
		// Tables without a schema_version: someone else's database, or a
		// ganexp process that committed its first migration after the
		// version was read. Look again under the write lock, which waits
		// for that process's migration to end.
		foreign, err := d.foreignTables(ctx)
		if err != nil {
			return classify(d.path, err)
		}
		if foreign {
			return ganexp.Inputf(d.path, notGanexpHint,
				"SQLite database without a ganexp schema")
		}
	}
	// WAL lets reports read while a sweep writes, and several sweeps
	// share the file; the setting is stored in the database itself.
	// Changing the journal mode takes an exclusive lock without SQLite's
	// busy handler, so while another process creates the file at the same
	// moment it fails at once: it is retried for the busy timeout.
	for deadline := time.Now().Add(busyTimeout); ; {
		_, err := d.sql.ExecContext(ctx, "PRAGMA journal_mode = WAL")
		if err == nil {
			break
		}
		var se sqlite3.Error
		if !errors.As(err, &se) || se.Code != sqlite3.ErrBusy || time.Now().After(deadline) {
			return classify(d.path, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	applied := false
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		if err := d.apply(ctx, m); err != nil {
			return fmt.Errorf("migrate %s to %s: %w", d.path, m.name, err)
		}
		applied = true
	}
	if applied {
		// New columns appear in trials_wide.
		if err := d.inTx(ctx, d.rebuildWideView); err != nil {
			return fmt.Errorf("migrate %s: rebuild trials_wide: %w", d.path, err)
		}
	}
	if err := d.ensureMetrics(ctx); err != nil {
		return fmt.Errorf("migrate %s: metric columns: %w", d.path, err)
	}
	return nil
}

// foreignTables reports, under the write lock, whether the file has tables
// but no schema_version table.
func (d *DB) foreignTables(ctx context.Context) (bool, error) {
	tx, err := d.sql.BeginTx(ctx, nil) // immediate: see open
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var tables, versions int
	err = tx.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(name = 'schema_version'), 0) FROM sqlite_master WHERE type = 'table'`).Scan(&tables, &versions)
	return tables > 0 && versions == 0, err
}

// inTx runs fn in a transaction and commits it.
func (d *DB) inTx(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

func (d *DB) apply(ctx context.Context, m migration) error {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return err
	}
	// Another process may have migrated while this one waited for the lock.
	var done int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_version WHERE version = ?", m.version).Scan(&done); err != nil {
		return err
	}
	if done > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if after := migrationCode[m.version]; after != nil {
		if err := after(ctx, tx); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", m.version, now()); err != nil {
		return err
	}
	return tx.Commit()
}

// timeFormat is how timestamps are stored: ISO 8601, UTC, milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z"

func now() string { return timestamp(time.Now()) }

func timestamp(t time.Time) string { return t.UTC().Format(timeFormat) }

// SQLiteLibVersion is the version of the SQLite library linked in.
func SQLiteLibVersion() string {
	v, _, _ := sqlite3.Version()
	return v
}
