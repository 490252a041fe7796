package ganexp

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestLayout keeps the dependencies pointing inward: the folders' names
// say where a change goes, and these rules say what each may reach. It
// reads the imports of every non-test Go file of the module.
func TestLayout(t *testing.T) {
	const mod = "github.com/ganexp/ganexp"
	imports := map[string][]string{} // package folder -> imports
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.Dir(path)
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			if !slices.Contains(imports[dir], p) {
				imports[dir] = append(imports[dir], p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ours := func(dir string) []string {
		var out []string
		for _, p := range imports[dir] {
			if p == mod || strings.HasPrefix(p, mod+"/") {
				out = append(out, strings.TrimPrefix(strings.TrimPrefix(p, mod), "/"))
			}
		}
		return out
	}
	// Which of our packages each may import ("" is the domain root).
	allowed := map[string][]string{
		".":        {},
		"reports":  {"", "db"},
		"metrics":  {},
		"detect":   {""},
		"dataset":  {""},
		"gan":      {"", "dataset"}, // the bench protocols train on the ring
		"db":       {"", "metrics"},
		"sweep":    {"", "dataset", "prune"},
		"prune":    {},
		"evaluate": {"", "dataset", "detect", "metrics"},
		"runner":   {"", "db", "dataset", "evaluate", "detect", "prune"},
	}
	for dir, ok := range allowed {
		for _, p := range ours(dir) {
			if !slices.Contains(ok, p) && !strings.HasPrefix(p, dir+"/internal") {
				t.Errorf("%s imports %s/%s; it may import only %q", dir, mod, p, ok)
			}
		}
	}
	// One package per outside dependency.
	for dir, list := range imports {
		for _, p := range list {
			if strings.HasPrefix(p, "gorgonia.org/") && dir != "gan" && !strings.HasPrefix(dir, "gan/") {
				t.Errorf("%s imports %s: only gan/ may import gorgonia", dir, p)
			}
			if (p == "database/sql" || strings.HasPrefix(p, "github.com/mattn/go-sqlite3")) && dir != "db" {
				t.Errorf("%s imports %s: only db/ has SQL", dir, p)
			}
		}
	}
}
