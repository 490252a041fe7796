// Package simd holds the SIMD kernels of the training step: a float32
// matrix multiply (packed panels and an assembly micro-kernel: 12×32 with
// AVX-512, 6×16 with AVX2/FMA, chosen by the CPU's features) and the ReLU
// passes. gonum's pure-Go Sgemm is an axpy loop that reaches about 5
// GFLOPS here, and the products of a GAN's MLP layers are most of a step.
//
// Both micro-kernels sum every element of C over each K block of kc in the
// order of p, one FMA per product, and add the block's sum to C: they give
// the same bits, so a trial's numbers do not depend on which one ran.
package simd

import (
	"fmt"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Tile and block sizes: the kernel computes 6×16 tiles of C over K blocks
// of 256, so a 16-column panel of B (16 KB) stays in L1.
const (
	mr = 6
	nr = 16
	kc = 256
)

// parallelWork is the number of multiply-adds above which a product is
// split over threads; below it the goroutine hand-off costs more than it
// saves.
const parallelWork = 1 << 19

var pool = sync.Pool{New: func() any { return new([]float32) }}

func getBuf(n int) *[]float32 {
	p := pool.Get().(*[]float32)
	if cap(*p) < n {
		*p = make([]float32, n)
	}
	*p = (*p)[:n]
	return p
}

// Gemm computes C = alpha·op(A)·op(B) + beta·C on row-major matrices, with
// the arguments of BLAS sgemm; op(X) is Xᵀ when the flag is set. It uses
// up to threads goroutines for large products. Callers must check
// Available first.
func Gemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, threads int) {
	Check(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	// With beta 0, C's old contents are never read (BLAS): the first K
	// block of the product overwrites C instead of adding to a cleared C.
	overwrite := beta == 0 && alpha != 0 && k > 0 && n > 1
	if beta != 1 && !overwrite {
		for i := 0; i < m; i++ {
			row := c[i*ldc : i*ldc+n]
			if beta == 0 {
				clear(row)
				continue
			}
			for j := range row {
				row[j] *= beta
			}
		}
	}
	if alpha == 0 || k == 0 {
		return
	}
	if n == 1 {
		// A matrix-vector product: no panel to fill, gonum's dot loops
		// are as fast as memory allows.
		incB := ldb
		if tB {
			incB = 1
		}
		if tA {
			gonum.Implementation{}.Sgemv(blas.Trans, k, m, alpha, a, lda, b, incB, 1, c, ldc)
		} else {
			gonum.Implementation{}.Sgemv(blas.NoTrans, m, k, alpha, a, lda, b, incB, 1, c, ldc)
		}
		return
	}
	if Kernel == KernelAVX512 {
		gemm512(tA, tB, m, n, k, alpha, a, lda, b, ldb, c, ldc, threads, overwrite)
		return
	}
	np := (n + nr - 1) / nr
	bBuf := getBuf(kc * np * nr)
	defer pool.Put(bBuf)
	bp := *bBuf
	if threads < 1 || m*n*k < parallelWork {
		threads = 1
	}
	// Rows per worker: whole mr panels, so that workers never share a tile.
	chunk := ((m+threads-1)/threads + mr - 1) / mr * mr
	for pc := 0; pc < k; pc += kc {
		kb := min(kc, k-pc)
		packB(tB, b, ldb, pc, kb, n, bp)
		bl := blk{tA: tA, tB: tB, a: a, lda: lda, alpha: alpha, b: b, ldb: ldb, bp: bp, pc: pc, kb: kb, n: n, c: c, ldc: ldc, set: overwrite && pc == 0}
		if threads == 1 {
			bl.rows(0, m) // no closure on the one-thread path
			continue
		}
		splitRows(m, chunk, bl.rows)
	}
}

// blk is one K block of a product: op(A)[:, pc:pc+kb] · op(B)[pc:pc+kb, :].
type blk struct {
	tA, tB    bool
	a, b, bp  []float32
	lda, ldb  int
	alpha     float32
	pc, kb, n int
	c         []float32
	ldc       int
	set       bool // overwrite C rather than add to it (beta 0, first block)
}

// acc is the kernels' flag: 1 adds the tile to C, 0 overwrites it.
func (bl *blk) acc() int {
	if bl.set {
		return 0
	}
	return 1
}

// addTile adds (or with set, writes) the first rows×nb values of a tile of
// width w to C at ci.
func (bl *blk) addTile(tile []float32, w, ci, rows, nb int) {
	for i := range rows {
		dst := bl.c[ci+i*bl.ldc : ci+i*bl.ldc+nb]
		src := tile[i*w : i*w+nb]
		if bl.set {
			copy(dst, src)
			continue
		}
		for j, v := range src {
			dst[j] += v
		}
	}
}

// rows adds rows [r0, r1) of the block's product to C. A is read in place
// when alpha is 1 (gorgonia's only use); a panel with fewer than six rows,
// or a scaled A, is packed first.
func (bl *blk) rows(r0, r1 int) {
	kb := bl.kb
	aBuf := getBuf(mr * kb)
	defer pool.Put(aBuf)
	ap := *aBuf
	var tmp [mr * nr]float32
	for ir := r0; ir < r1; ir += mr {
		rows := min(mr, r1-ir)
		var (
			apan   *float32
			rs, cs int
		)
		switch {
		case rows < mr || bl.alpha != 1 || aliasing(bl.lda):
			packA(bl.tA, bl.a, bl.lda, bl.alpha, ir, rows, bl.pc, kb, ap)
			apan, rs, cs = &ap[0], 1, mr
		case bl.tA:
			apan, rs, cs = &bl.a[bl.pc*bl.lda+ir], 1, bl.lda
		default:
			apan, rs, cs = &bl.a[ir*bl.lda+bl.pc], bl.lda, 1
		}
		for jp := 0; jp < bl.n; jp += nr {
			nb := min(nr, bl.n-jp)
			bpan, bs := &bl.bp[jp/nr*kb*nr], nr
			ci := ir*bl.ldc + jp
			if rows == mr && nb == nr {
				kern6x16(kb, apan, rs, cs, bpan, bs, &bl.c[ci], bl.ldc, bl.acc())
				continue
			}
			// An edge tile goes through a scratch tile so that the kernel
			// never touches C outside the product.
			kern6x16(kb, apan, rs, cs, bpan, bs, &tmp[0], nr, 0)
			bl.addTile(tmp[:], nr, ci, rows, nb)
		}
	}
}

// The AVX-512 kernel's tile: 12 rows by 32 columns (two ZMM registers).
const (
	mr512 = 12
	nr512 = 32
)

// gemm512 is Gemm's product (beta already applied, alpha ≠ 0, n > 1) with
// the AVX-512 kernel: B in 32-column panels and A in 12-row panels, both
// packed, over K blocks of kc (as the AVX2 path, so the sums match).
func gemm512(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, threads int, overwrite bool) {
	np := (n + nr512 - 1) / nr512
	bBuf := getBuf(kc * np * nr512)
	defer pool.Put(bBuf)
	bp := *bBuf
	if threads < 1 || m*n*k < parallelWork {
		threads = 1
	}
	chunk := ((m+threads-1)/threads + mr512 - 1) / mr512 * mr512
	for pc := 0; pc < k; pc += kc {
		kb := min(kc, k-pc)
		packPanelsB(tB, b, ldb, pc, kb, n, bp, nr512)
		bl := blk{tA: tA, tB: tB, a: a, lda: lda, alpha: alpha, b: b, ldb: ldb, bp: bp, pc: pc, kb: kb, n: n, c: c, ldc: ldc, set: overwrite && pc == 0}
		if threads == 1 {
			bl.rows512(0, m) // no closure on the one-thread path
			continue
		}
		splitRows(m, chunk, bl.rows512)
	}
}

// aliasing says whether A, read in place with a stride of lda floats,
// would crowd a few sets of the L1 cache: with a stride that is a
// multiple of 1 KB, the lines the kernel reads (its rows of row-major A,
// or the successive k of transposed A) share two or four of its 64 sets,
// where the B panel's lines need room too, and the kernels lost a fifth of
// their speed on the wide protocol's 512-wide matrices. Such panels are
// packed instead.
func aliasing(lda int) bool { return lda*4%1024 == 0 }

// rows512 adds rows [r0, r1) of the block's product to C with the
// AVX-512 kernel. A is read in place when alpha is 1 (gorgonia's only
// use); a panel with fewer than 12 rows, or a scaled A, is packed first.
func (bl *blk) rows512(r0, r1 int) {
	kb := bl.kb
	aBuf := getBuf(mr512 * kb)
	defer pool.Put(aBuf)
	ap := *aBuf
	var tmp [mr512 * nr512]float32
	for ir := r0; ir < r1; ir += mr512 {
		rows := min(mr512, r1-ir)
		var (
			apan   *float32
			rs, cs int
		)
		switch {
		case rows < mr512 || bl.alpha != 1 || aliasing(bl.lda):
			packPanelA(bl.tA, bl.a, bl.lda, bl.alpha, ir, rows, bl.pc, kb, ap, mr512)
			apan, rs, cs = &ap[0], 1, mr512
		case bl.tA:
			apan, rs, cs = &bl.a[bl.pc*bl.lda+ir], 1, bl.lda
		default:
			apan, rs, cs = &bl.a[ir*bl.lda+bl.pc], bl.lda, 1
		}
		for jp := 0; jp < bl.n; jp += nr512 {
			nb := min(nr512, bl.n-jp)
			bpan := &bl.bp[jp/nr512*kb*nr512]
			ci := ir*bl.ldc + jp
			if rows == mr512 && nb == nr512 {
				kern12x32(kb, apan, rs, cs, bpan, &bl.c[ci], bl.ldc, bl.acc())
				continue
			}
			kern12x32(kb, apan, rs, cs, bpan, &tmp[0], nr512, 0)
			bl.addTile(tmp[:], nr512, ci, rows, nb)
		}
	}
}

// packB copies the panels of op(B)[pc:pc+kb, :] that the kernel cannot
// read in place (transposed B, and the last panel if it has fewer than 16
// columns) into 16-column panels of kb rows, zero-padded.
func packB(tB bool, b []float32, ldb, pc, kb, n int, bp []float32) {
	packPanelsB(tB, b, ldb, pc, kb, n, bp, nr)
}

// packPanelsB copies op(B)[pc:pc+kb, :] into panels of w columns and kb
// rows (element (p, j) of a panel at pan[p*w+j]), zero-padded.
func packPanelsB(tB bool, b []float32, ldb, pc, kb, n int, bp []float32, w int) {
	for jp := 0; jp < n; jp += w {
		nb := min(w, n-jp)
		pan := bp[jp/w*kb*w : (jp/w+1)*kb*w]
		if nb < w {
			clear(pan)
		}
		if !tB {
			// Whole panels in assembly: copy's call into memmove cost
			// more than the 64 or 128 bytes it moved (a tenth of the
			// wide protocol's step).
			if nb == w && (w == 16 || w == 32) && Available {
				_, _ = pan[kb*w-1], b[(pc+kb-1)*ldb+jp+w-1] // the reads and writes stay in bounds
				copyRows(&pan[0], &b[pc*ldb+jp], ldb, kb, w)
				continue
			}
			for p := range kb {
				src := b[(pc+p)*ldb+jp:]
				copy(pan[p*w:p*w+nb], src[:nb])
			}
			continue
		}
		j := 0
		// Eight columns at a time: eight rows of B read in step, each
		// write to the panel eight contiguous values.
		for ; j+8 <= nb; j += 8 {
			r := (jp + j) * ldb
			s0, s1, s2, s3 := b[r+pc:r+pc+kb], b[r+ldb+pc:r+ldb+pc+kb], b[r+2*ldb+pc:r+2*ldb+pc+kb], b[r+3*ldb+pc:r+3*ldb+pc+kb]
			r += 4 * ldb
			s4, s5, s6, s7 := b[r+pc:r+pc+kb], b[r+ldb+pc:r+ldb+pc+kb], b[r+2*ldb+pc:r+2*ldb+pc+kb], b[r+3*ldb+pc:r+3*ldb+pc+kb]
			for p := range kb {
				d := pan[p*w+j : p*w+j+8]
				d[0], d[1], d[2], d[3] = s0[p], s1[p], s2[p], s3[p]
				d[4], d[5], d[6], d[7] = s4[p], s5[p], s6[p], s7[p]
			}
		}
		for ; j < nb; j++ {
			src := b[(jp+j)*ldb+pc:]
			src = src[:kb]
			for p, v := range src {
				pan[p*w+j] = v
			}
		}
	}
}

// packA copies alpha·op(A)[ir:ir+rows, pc:pc+kb] into one 6-row panel
// (element (i, p) at ap[p*6+i]), zero-padding missing rows.
func packA(tA bool, a []float32, lda int, alpha float32, ir, rows, pc, kb int, ap []float32) {
	packPanelA(tA, a, lda, alpha, ir, rows, pc, kb, ap, mr)
}

// packPanelA copies alpha·op(A)[ir:ir+rows, pc:pc+kb] into one panel of h
// rows (element (i, p) at ap[p*h+i]), zero-padding missing rows. With
// alpha 1 the values are copied exactly, as the kernel reading A in place
// would see them.
func packPanelA(tA bool, a []float32, lda int, alpha float32, ir, rows, pc, kb int, ap []float32, h int) {
	pan := ap[:h*kb]
	if rows < h {
		clear(pan)
	}
	if tA {
		if rows == h && alpha == 1 && (h == 12 || h == 6) {
			// Whole panels: each k's values are contiguous in A.
			for p := range kb {
				src := a[(pc+p)*lda+ir : (pc+p)*lda+ir+h]
				dst := pan[p*h : p*h+h]
				*(*[4]float32)(dst) = *(*[4]float32)(src)
				if h == 6 {
					dst[4], dst[5] = src[4], src[5]
					continue
				}
				*(*[4]float32)(dst[4:]) = *(*[4]float32)(src[4:])
				*(*[4]float32)(dst[8:]) = *(*[4]float32)(src[8:])
			}
			return
		}
		for p := range kb {
			src := a[(pc+p)*lda+ir:]
			src = src[:rows]
			dst := pan[p*h : p*h+rows]
			if alpha == 1 {
				copy(dst, src)
				continue
			}
			for i, v := range src {
				dst[i] = alpha * v
			}
		}
		return
	}
	if h == 6 && rows == 6 && alpha == 1 {
		// The AVX2 kernel's full panels, likewise.
		r := a[ir*lda+pc:]
		r0, r1, r2 := r[:kb], r[lda:lda+kb], r[2*lda:2*lda+kb]
		r = r[3*lda:]
		r3, r4, r5 := r[:kb], r[lda:lda+kb], r[2*lda:2*lda+kb]
		for p := range kb {
			d := pan[p*6 : p*6+6 : p*6+6]
			d[0], d[1], d[2], d[3], d[4], d[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
		}
		return
	}
	if h == 12 && rows == 12 && alpha == 1 {
		// The AVX-512 kernel's full panels: the twelve rows read in step,
		// each k's twelve values written together, where a row at a time
		// wrote one value per cache line and took a third as long as the
		// products it fed.
		r := a[ir*lda+pc:]
		r0, r1, r2, r3 := r[:kb], r[lda:lda+kb], r[2*lda:2*lda+kb], r[3*lda:3*lda+kb]
		r = r[4*lda:]
		r4, r5, r6, r7 := r[:kb], r[lda:lda+kb], r[2*lda:2*lda+kb], r[3*lda:3*lda+kb]
		r = r[4*lda:]
		r8, r9, r10, r11 := r[:kb], r[lda:lda+kb], r[2*lda:2*lda+kb], r[3*lda:3*lda+kb]
		for p := range kb {
			d := pan[p*12 : p*12+12 : p*12+12]
			d[0], d[1], d[2], d[3] = r0[p], r1[p], r2[p], r3[p]
			d[4], d[5], d[6], d[7] = r4[p], r5[p], r6[p], r7[p]
			d[8], d[9], d[10], d[11] = r8[p], r9[p], r10[p], r11[p]
		}
		return
	}
	for i := range rows {
		src := a[(ir+i)*lda+pc:]
		src = src[:kb]
		for p, v := range src {
			pan[p*h+i] = alpha * v
		}
	}
}

// Check panics, as gonum does, when a slice is too short for the product:
// the kernel writes through pointers and must never pass a slice's end.
func Check(tA, tB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	ra, ca := m, k
	if tA {
		ra, ca = k, m
	}
	rb, cb := k, n
	if tB {
		rb, cb = n, k
	}
	short := func(l, rows, cols, ld int) bool { return ld < max(1, cols) || (rows > 0 && l < (rows-1)*ld+cols) }
	if m < 0 || n < 0 || k < 0 || short(la, ra, ca, lda) || short(lb, rb, cb, ldb) || short(lc, m, n, ldc) {
		panic(fmt.Sprintf("sgemm: bad sizes or slices too short for %dx%dx%d (lda %d ldb %d ldc %d)", m, n, k, lda, ldb, ldc))
	}
}

// The micro-kernels Kernel may name.
const (
	KernelAVX512 = "avx512"
	KernelAVX2   = "avx2"
)

// splitRows runs rows over [0, m) in chunks of chunk rows, a goroutine
// each: whole tiles per worker, so that none shares one.
func splitRows(m, chunk int, rows func(lo, hi int)) {
	var wg sync.WaitGroup
	for r0 := 0; r0 < m; r0 += chunk {
		wg.Add(1)
		go func(r0 int) {
			defer wg.Done()
			rows(r0, min(m, r0+chunk))
		}(r0)
	}
	wg.Wait()
}
