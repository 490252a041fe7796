package db

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/ganexp/ganexp"
)

// TestReadmeSchema: the README names the schema version this build writes
// and every status a trial can have, in lifecycle order.
func TestReadmeSchema(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(b)), " ")
	if want := fmt.Sprintf("this ganexp writes schema v%d", SchemaVersion()); !strings.Contains(readme, want) {
		t.Errorf("README lacks %q", want)
	}
	var names []string
	for _, s := range ganexp.Statuses {
		names = append(names, string(s))
	}
	if want := "`status` is one of `" + strings.Join(names, ", ") + "`"; !strings.Contains(readme, want) {
		t.Errorf("README lacks %q", want)
	}
}
