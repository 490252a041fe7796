package main_test

import (
	"bytes"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the README's generated sections and picture from a real run")

// readmePath and the quickstart's picture, from this package's folder.
const (
	readmePath  = "../../README.md"
	picturePath = "../../docs/quickstart-best-by-loss.png"
)

// TestReadmeQuickstart runs the README's quickstart with the real binary
// and checks every number the README shows of it: the table of modes per
// configuration, the sentences that sum it up, the output of `report
// --best --by loss` and its picture. They sit in the README between
// <!-- begin NAME --> and <!-- end NAME --> lines; `go test
// ./cmd/ganexp -run TestReadmeQuickstart -update` rewrites them. Training
// is seeded, so the same code gives the same numbers on every run; a
// change that moves them fails here until the README says the new ones.
func TestReadmeQuickstart(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "examples"), 0o755); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile("../../examples/quickstart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "examples/quickstart.yaml", string(body))
	start := time.Now()
	r := run(t, dir, nil, "sweep", "examples/quickstart.yaml")
	if r.code != 0 {
		t.Fatalf("quickstart: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	t.Logf("the quickstart took %s here", time.Since(start).Round(time.Second))
	d := openDB(t, filepath.Join(dir, "ganexp.db"))

	best := run(t, dir, nil, "report", "--best", "--by", "loss", "--plot", "best.png")
	if best.code != 0 {
		t.Fatalf("report: exit %d\n%s", best.code, best.stderr)
	}
	sections := map[string]string{
		"quickstart-table":   quickstartTable(t, d),
		"quickstart-summary": quickstartSummary(t, d),
		"quickstart-best":    "```\n$ ./ganexp report --best --by loss\n" + best.stdout + "```\n",
	}
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	picture, err := os.ReadFile(filepath.Join(dir, "best.png"))
	if err != nil {
		t.Fatal(err)
	}
	got := readmeSections(t, string(readme), sections, "TestReadmeQuickstart")
	if *update {
		if err := os.WriteFile(readmePath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(picturePath, picture, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if old, err := os.ReadFile(picturePath); err != nil || !bytes.Equal(old, picture) {
		t.Errorf("%s differs from what report --best --by loss --plot draws now (%v); rerun with -update and look at it", picturePath, err)
	}
}

// readmeSections checks that each <!-- begin NAME --> … <!-- end NAME -->
// section of readme says what sections[NAME] does, or with -update
// returns readme with them rewritten. test names the test that rewrites
// them.
func readmeSections(t *testing.T, readme string, sections map[string]string, test string) string {
	t.Helper()
	for name, want := range sections {
		re := regexp.MustCompile(`(?s)(<!-- begin ` + name + ` -->\n)(.*?)(<!-- end ` + name + ` -->)`)
		m := re.FindStringSubmatch(readme)
		if m == nil {
			t.Errorf("README has no <!-- begin %s --> … <!-- end %s --> section", name, name)
			continue
		}
		if *update {
			readme = re.ReplaceAllLiteralString(readme, m[1]+want+m[3])
			continue
		}
		if m[2] != want {
			t.Errorf("README section %s says:\n%s\nthe code gives:\n%s(go test ./cmd/ganexp -run %s -update rewrites it)", name, m[2], want, test)
		}
	}
	return readme
}

// quickstartTable renders the modes captured by every trial, a cell per
// learning rate, loss and architecture with one number per seed.
func quickstartTable(t *testing.T, d *sql.DB) string {
	t.Helper()
	rows, err := d.Query(`SELECT lr_g, loss, arch, seed, status, modes_captured, balanced_hq, coalesce(verdict_step, 0)
		FROM trials_wide ORDER BY lr_g DESC, CASE loss WHEN 'minimax' THEN 0 WHEN 'nonsaturating' THEN 1 ELSE 2 END, arch, seed`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type cell struct {
		modes    []string
		balanced float64
		n        int
	}
	cells := map[string]*cell{}
	var order []string
	for rows.Next() {
		var lr, balanced float64
		var loss, arch, status string
		var seed, stop int // stop: the step a verdict stopped the trial at
		var modes sql.NullFloat64
		if err := rows.Scan(&lr, &loss, &arch, &seed, &status, &modes, &balanced, &stop); err != nil {
			t.Fatal(err)
		}
		row := fmt.Sprintf("| %s | %s |", lrText(lr), loss)
		key := row + arch
		if cells[key] == nil {
			cells[key] = &cell{}
			if !slices.Contains(order, row) {
				order = append(order, row)
			}
		}
		c := cells[key]
		m := "-"
		if modes.Valid {
			m = fmt.Sprint(int(modes.Float64))
		}
		if status == "collapsed" {
			m += "c"
		}
		c.modes = append(c.modes, m)
		c.balanced += balanced
		c.n++
	}
	var b strings.Builder
	b.WriteString("| lr | loss | mlp32 (2×32) | mlp64 (2×64) |\n|---|---|---|---|\n")
	for _, row := range order {
		b.WriteString(row)
		for _, arch := range []string{"mlp32", "mlp64"} {
			c := cells[row+arch]
			fmt.Fprintf(&b, " %s · %.2f |", strings.Join(c.modes, " "), c.balanced/float64(c.n))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// quickstartSummary sums the table up in words, every number counted.
func quickstartSummary(t *testing.T, d *sql.DB) string {
	t.Helper()
	count := func(q string) int {
		var n int
		if err := d.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	hiAll := count("SELECT count(*) FROM trials_wide WHERE lr_g = 0.001 AND modes_captured = 8")
	hi := count("SELECT count(*) FROM trials_wide WHERE lr_g = 0.001")
	hiMin := count("SELECT min(modes_captured) FROM trials_wide WHERE lr_g = 0.001")
	loCollapsed := count("SELECT count(*) FROM trials_wide WHERE lr_g = 0.0001 AND status = 'collapsed'")
	lo := count("SELECT count(*) FROM trials_wide WHERE lr_g = 0.0001")
	str := func(q string) string {
		var s string
		if err := d.QueryRow(q).Scan(&s); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return s
	}
	stops := str("SELECT coalesce(group_concat(DISTINCT printf('%,d', verdict_step)), '') FROM trials_wide WHERE status = 'collapsed'")
	others := str(`SELECT coalesce(group_concat(CAST(modes_captured AS INTEGER), ' and '), 'none')
		FROM (SELECT modes_captured FROM trials_wide WHERE lr_g = 0.0001 AND status <> 'collapsed' ORDER BY modes_captured DESC)`)
	var hqLo, hqHi float64
	if err := d.QueryRow("SELECT min(hq_fraction), max(hq_fraction) FROM trials_wide WHERE lr_g = 0.001 AND modes_captured = 8").Scan(&hqLo, &hqHi); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("The learning rate decides it. At 1e-3, %d of %d trials capture all 8 modes and\n"+
		"none fewer than %d. At 1e-4, %d of %d are still on a few modes after the\n"+
		"warm-up and are stopped as collapsed at step %s of 1,500; the others end\n"+
		"with %s modes. Among the trials with all 8 modes, %.0f%% to %.0f%% of\n"+
		"the samples are high quality (within 3 std of a mode): 1,500 steps find\n"+
		"the modes but have not yet sharpened them, which is what balanced_hq, the\n"+
		"tie-breaker of the ranking, tells apart.\n",
		hiAll, hi, hiMin, loCollapsed, lo, stops, others, 100*hqLo, 100*hqHi)
}

// lrText writes 0.001 as 1e-3.
func lrText(lr float64) string {
	return strings.Replace(fmt.Sprintf("%.0e", lr), "e-0", "e-", 1)
}
