package sweep

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ganexp/ganexp"
	"go.yaml.in/yaml/v3"
)

// decoder turns yaml nodes into values, failing with errors that name the
// file, line and column, and list the valid choices.
type decoder struct {
	file string
}

func (d *decoder) errf(n *yaml.Node, hint, format string, args ...any) error {
	where := d.file
	if n != nil && n.Line > 0 {
		where = fmt.Sprintf("%s:%d:%d", d.file, n.Line, n.Column)
	}
	return ganexp.Inputf(where, hint, format, args...)
}

var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// parseYAML parses the document, turning the parser's errors into ones
// that name the file and line.
func (d *decoder) parseYAML(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := err.Error()
		where := d.file
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			where = fmt.Sprintf("%s:%d", d.file, yamlErrorLine(m[1], m[2]))
			msg = m[2]
		}
		if strings.Contains(msg, "tab character") || strings.Contains(msg, "cannot start any token") {
			// A tab in the indentation. yaml.v3 names the line of the
			// construct the tab broke, often the one above; point at the
			// tab itself, and say what is wrong.
			if line, col, ok := indentTab(data); ok {
				return nil, ganexp.Inputf(fmt.Sprintf("%s:%d:%d", d.file, line, col), "indent with spaces: YAML does not allow tabs there",
					"malformed YAML: a tab in the indentation")
			}
		}
		return nil, ganexp.Inputf(where, "fix the YAML syntax", "malformed YAML: %s", msg)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, ganexp.Inputf(d.file, "see examples/quickstart.yaml", "empty sweep file")
	}
	return deref(doc.Content[0]), nil
}

// indentTab finds the first line whose indentation holds a tab, and the
// tab's 1-based line and column.
func indentTab(data []byte) (line, col int, ok bool) {
	for i, l := range strings.Split(string(data), "\n") {
		for j, c := range l {
			if c == '\t' {
				return i + 1, j + 1, true
			}
			if c != ' ' {
				break
			}
		}
	}
	return 0, 0, false
}

// yamlErrorLine turns yaml.v3's reported line into a 1-based one. The
// library reports scanner errors 1-based, parser errors ("did not find
// expected …") 0-based at the start of the enclosing construct, and omits
// the line when its 0-based value is 0.
func yamlErrorLine(reported, msg string) int {
	n, err := strconv.Atoi(reported)
	if err != nil {
		return 1
	}
	if strings.HasPrefix(msg, "did not find expected") {
		return n + 1
	}
	return n
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// fields walks a mapping, rejecting keys not in valid and repeated keys.
func (d *decoder) fields(n *yaml.Node, what string, valid []string, fn func(key string, k, v *yaml.Node) error) error {
	if n.Kind != yaml.MappingNode {
		return d.errf(n, "write it as key: value lines or {key: value}", "%s must be a mapping, got %s", what, describe(n))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		key := k.Value
		if !slices.Contains(valid, key) {
			hint := "valid keys: " + strings.Join(valid, ", ")
			if s := closest(key, valid); s != "" {
				hint = fmt.Sprintf("did you mean %q? %s", s, hint)
			}
			return d.errf(k, hint, "unknown key %q in %s", key, what)
		}
		if seen[key] {
			return d.errf(k, "give each key once", "key %q repeated in %s", key, what)
		}
		seen[key] = true
		if err := fn(key, k, v); err != nil {
			return err
		}
	}
	return nil
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "something else"
}

func (d *decoder) int(n *yaml.Node, what string) (int, error) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		return 0, d.errf(n, "write a whole number such as 100", "%s must be an integer, got %s", what, describe(n))
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
	if err != nil || v > math.MaxInt32 || v < math.MinInt32 {
		return 0, d.errf(n, "use a whole number below 2147483648", "%s: %q is out of range", what, n.Value)
	}
	return int(v), nil
}

func (d *decoder) bool(n *yaml.Node, what string) (bool, error) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		return false, d.errf(n, "use true or false", "%s must be true or false, got %s", what, describe(n))
	}
	return n.Value == "true" || n.Value == "True" || n.Value == "TRUE", nil
}

func (d *decoder) duration(n *yaml.Node, what string) (time.Duration, error) {
	s, err := d.str(n, what)
	if err != nil {
		return 0, err
	}
	t, err := time.ParseDuration(s)
	if err != nil || t <= 0 {
		return 0, d.errf(n, "write a positive duration such as 90s, 30m or 2h", "%s: %q is not a duration", what, s)
	}
	return t, nil
}

func (d *decoder) float(n *yaml.Node, what string) (float64, error) {
	if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!float" && n.ShortTag() != "!!int") {
		return 0, d.errf(n, "write a number such as 0.001 or 1e-3", "%s must be a number, got %s", what, describe(n))
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, d.errf(n, "write a finite number such as 0.001", "%s must be a finite number, got %q", what, n.Value)
	}
	return v, nil
}

func (d *decoder) str(n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return "", d.errf(n, "write a name, quoted if it looks like a number", "%s must be a string, got %s", what, describe(n))
	}
	return n.Value, nil
}

func (d *decoder) choice(n *yaml.Node, what string, choices []string) (string, error) {
	s, err := d.str(n, what)
	if err != nil {
		return "", err
	}
	if !slices.Contains(choices, s) {
		hint := "valid: " + strings.Join(choices, ", ")
		if c := closest(s, choices); c != "" {
			hint = fmt.Sprintf("did you mean %q? %s", c, hint)
		}
		return "", d.errf(n, hint, "unknown %s %q", what, s)
	}
	return s, nil
}

// seq returns the items of a list; an empty list is an error, since an
// empty axis would plan nothing.
func (d *decoder) seq(n *yaml.Node, what string) ([]*yaml.Node, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, d.errf(n, "write a list such as [1, 2]", "%s must be a list, got %s", what, describe(n))
	}
	if len(n.Content) == 0 {
		return nil, d.errf(n, "give at least one value or remove the key", "%s is empty", what)
	}
	items := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		items[i] = deref(c)
	}
	return items, nil
}

func (d *decoder) widths(n *yaml.Node, what string) ([]int, error) {
	items, err := d.seq(n, what)
	if err != nil {
		return nil, err
	}
	ws := make([]int, len(items))
	for i, it := range items {
		if ws[i], err = d.int(it, what); err != nil {
			return nil, err
		}
		if ws[i] < 1 {
			return nil, d.errf(it, "layer widths are at least 1", "%s: width %d", what, ws[i])
		}
	}
	return ws, nil
}

func (d *decoder) floats(n *yaml.Node, what string) ([]float64, error) {
	items, err := d.seq(n, what)
	if err != nil {
		return nil, err
	}
	xs := make([]float64, len(items))
	for i, it := range items {
		if xs[i], err = d.float(it, what); err != nil {
			return nil, err
		}
	}
	return xs, nil
}

// closest returns a likely intended choice: one that s is a prefix of,
// else the first within edit distance 2.
func closest(s string, choices []string) string {
	for _, c := range choices {
		if len(s) >= 3 && strings.HasPrefix(c, strings.ToLower(s)) {
			return c
		}
	}
	best, bestD := "", 3
	for _, c := range choices {
		if dist := editDistance(strings.ToLower(s), c); dist < bestD {
			best, bestD = c, dist
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
