package dataset

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"github.com/ganexp/ganexp"
)

// Points is a point cloud read from a CSV file. Sampling draws rows
// uniformly with replacement.
type Points struct {
	Data   []float32 // row-major
	dim    int
	Digest string // sha256 of the file
}

func (p *Points) Dim() int      { return p.dim }
func (p *Points) Modes() []Mode { return nil }

// Len is the number of points.
func (p *Points) Len() int { return len(p.Data) / p.dim }

func (p *Points) Sample(r *rand.Rand, dst []float32) {
	n := p.Len()
	for i := 0; i+p.dim <= len(dst); i += p.dim {
		row := r.IntN(n)
		copy(dst[i:i+p.dim], p.Data[row*p.dim:(row+1)*p.dim])
	}
}

// FileDigest returns the hex sha256 of the file at path.
func FileDigest(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", missingFile(path, err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

func missingFile(path string, err error) error {
	if os.IsNotExist(err) {
		return ganexp.Inputf(path, "check the dataset path; relative paths are relative to the sweep file", "no such file")
	}
	return ganexp.Inputf(path, "check that the file is readable", "cannot read: %v", err)
}

// MaxCSVBytes bounds a point file: points are held in memory, and a
// device or /proc path must not be read forever.
const MaxCSVBytes = 1 << 30

// LoadCSV reads a point cloud: one point per line, fields separated by
// commas (or whitespace), every row the same length, every value a finite
// number. Blank lines and lines starting with # are skipped; the first
// line may be a header when none of its fields is a number.
func LoadCSV(path string) (*Points, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, missingFile(path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, ganexp.Inputf(path, "give the path of a .csv file", "not a regular file")
	}
	if st.Size() > MaxCSVBytes {
		return nil, ganexp.Inputf(path, "subsample it first; points are held in memory", "file is %d MiB, more than %d MiB", st.Size()>>20, MaxCSVBytes>>20)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, missingFile(path, err)
	}
	sum := sha256.Sum256(raw)
	p := &Points{Digest: hex.EncodeToString(sum[:])}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	line, rows, first := 0, 0, true
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := splitFields(text)
		if first && isHeader(fields) {
			first = false
			continue
		}
		first = false
		if p.dim == 0 {
			p.dim = len(fields)
		} else if len(fields) != p.dim {
			return nil, ganexp.Inputf(where(path, line, 0), "every row needs the same number of values",
				"row has %d values, earlier rows have %d", len(fields), p.dim)
		}
		for j, f := range fields {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return nil, ganexp.Inputf(where(path, line, j+1), "use plain decimal numbers", "%q is not a number", f)
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, ganexp.Inputf(where(path, line, j+1), "remove or fix the row", "value %q is not finite", f)
			}
			p.Data = append(p.Data, float32(v))
		}
		rows++
	}
	if err := sc.Err(); err != nil {
		return nil, ganexp.Inputf(path, "", "cannot read: %v", err)
	}
	if rows < 2 {
		return nil, ganexp.Inputf(path, "a point cloud needs at least 2 rows", "found %d data rows", rows)
	}
	return p, nil
}

func where(path string, line, field int) string {
	s := path + ":" + strconv.Itoa(line)
	if field > 0 {
		s += " field " + strconv.Itoa(field)
	}
	return s
}

func splitFields(s string) []string {
	var fs []string
	if strings.Contains(s, ",") {
		fs = strings.Split(s, ",")
	} else {
		fs = strings.Fields(s)
	}
	for i := range fs {
		fs[i] = strings.TrimSpace(fs[i])
	}
	return fs
}

func isHeader(fields []string) bool {
	for _, f := range fields {
		if _, err := strconv.ParseFloat(f, 64); err == nil {
			return false
		}
	}
	return true
}
