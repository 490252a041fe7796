package dataset

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ganexp/ganexp"
)

// The IDX format (LeCun et al., the MNIST page): a big-endian magic
// number 0x0000TTNN, where TT is the element type (0x08: unsigned bytes)
// and NN the number of dimensions; then NN big-endian int32 sizes; then
// the elements, row-major. MNIST's images are 3-D (count, rows, columns),
// its labels 1-D (count).
const (
	idxUbyte  = 0x08
	maxIDXLen = 1 << 30 // bytes of elements; MNIST's largest file has 47 M
)

// idx is one IDX file's contents.
type idx struct {
	dims []int
	data []byte
}

// readIDX reads the IDX file at path, gzip-compressed or not, which must
// hold unsigned bytes in wantDims dimensions. what names the file's role
// in messages ("images", "labels").
func readIDX(path string, wantDims int, what string) (idx, error) {
	f, err := os.Open(path)
	if err != nil {
		return idx{}, missingIDX(path, err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	var r io.Reader = br
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return idx{}, ganexp.Inputf(path, "download it again; the gzip header is damaged", "not a readable gzip file: %v", err)
		}
		defer gz.Close()
		r = gz
	}
	var magic uint32
	if err := binary.Read(r, binary.BigEndian, &magic); err != nil {
		return idx{}, truncatedIDX(path, "its header", err)
	}
	typ, nd := magic>>8, int(magic&0xff)
	if magic>>16 != 0 || typ != idxUbyte || nd != wantDims {
		return idx{}, ganexp.Inputf(path, fmt.Sprintf("give MNIST's %s file here: an IDX file of bytes in %d dimensions, magic 0x%08x", what, wantDims, idxUbyte<<8|wantDims),
			"bad magic number 0x%08x: not an IDX file of %s", magic, what)
	}
	out := idx{dims: make([]int, nd)}
	total := 1
	for i := range out.dims {
		var n int32
		if err := binary.Read(r, binary.BigEndian, &n); err != nil {
			return idx{}, truncatedIDX(path, "its header", err)
		}
		if n <= 0 {
			return idx{}, ganexp.Inputf(path, "download it again", "dimension %d has size %d", i+1, n)
		}
		out.dims[i] = int(n)
		total *= int(n)
		if total > maxIDXLen {
			return idx{}, ganexp.Inputf(path, "give a smaller file; data sets are held in memory", "more than %d MiB of elements", maxIDXLen>>20)
		}
	}
	out.data = make([]byte, total)
	if _, err := io.ReadFull(r, out.data); err != nil {
		return idx{}, truncatedIDX(path, fmt.Sprintf("%d bytes of elements", total), err)
	}
	// Whatever follows the elements is not part of any IDX file.
	var extra [1]byte
	if n, _ := r.Read(extra[:]); n > 0 {
		return idx{}, ganexp.Inputf(path, "download it again", "bytes after the %d elements its header declares", total)
	}
	return out, nil
}

func missingIDX(path string, err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return ganexp.Inputf(path, mnistHint, "no such file")
	}
	return ganexp.Inputf(path, "check that the file is readable", "cannot read: %v", err)
}

func truncatedIDX(path, part string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return ganexp.Inputf(path, "download it again; the file is cut short", "truncated: it ends inside %s", part)
	}
	return ganexp.Inputf(path, "download it again", "cannot read %s: %v", part, err)
}
