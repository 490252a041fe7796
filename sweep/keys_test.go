package sweep

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestExampleKeysAreStable: the trial keys of every example sweep file are
// pinned. A key is a user's handle on a trial and the identity that resume
// relies on: a change that moves one would train every existing database
// again. The golden file was written before the sweep file grew new keys
// (arch kind:); rewrite it with -update only for a change that must move
// keys, and say so in the README.
func TestExampleKeysAreStable(t *testing.T) {
	files, err := filepath.Glob("../examples/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("../examples/detect/*.yaml")
	files = append(files, more...)
	var b strings.Builder
	for _, f := range files {
		spec, err := Load(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		plan, err := spec.Expand()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, p := range plan.Trials {
			fmt.Fprintf(&b, "%s %s %s seed=%d\n", strings.TrimPrefix(f, "../"), p.Key, strings.Join(p.Point, " "), p.Seed)
		}
	}
	path := filepath.Join("testdata", "example_keys.golden")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("the examples' trial keys moved:\n%s", diffLines(string(want), b.String()))
	}
}

// diffLines lists the lines of want missing from got and the reverse.
func diffLines(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var out []string
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

// TestArchKindMLPIsTheDefault: `kind: mlp` names the default, so it plans
// the same trials as leaving it out.
func TestArchKindMLPIsTheDefault(t *testing.T) {
	keys := func(arch string) []string {
		spec, err := Parse("g.yaml", []byte("arch: "+arch+"\ngrid:\n  loss: [minimax, hinge]\n"))
		if err != nil {
			t.Fatal(err)
		}
		plan, err := spec.Expand()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range plan.Trials {
			out = append(out, p.Key)
		}
		return out
	}
	plain, named := keys("{hidden: [16, 16]}"), keys("{kind: mlp, hidden: [16, 16]}")
	if strings.Join(plain, " ") != strings.Join(named, " ") {
		t.Errorf("kind: mlp planned %v, no kind %v", named, plain)
	}
}
