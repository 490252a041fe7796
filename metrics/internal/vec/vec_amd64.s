//go:build amd64 && !purego

#include "textflag.h"

// Lane numbers 0…15 as int32s, for the indices Within2 writes.
DATA iota32<>+0(SB)/4, $0
DATA iota32<>+4(SB)/4, $1
DATA iota32<>+8(SB)/4, $2
DATA iota32<>+12(SB)/4, $3
DATA iota32<>+16(SB)/4, $4
DATA iota32<>+20(SB)/4, $5
DATA iota32<>+24(SB)/4, $6
DATA iota32<>+28(SB)/4, $7
DATA iota32<>+32(SB)/4, $8
DATA iota32<>+36(SB)/4, $9
DATA iota32<>+40(SB)/4, $10
DATA iota32<>+44(SB)/4, $11
DATA iota32<>+48(SB)/4, $12
DATA iota32<>+52(SB)/4, $13
DATA iota32<>+56(SB)/4, $14
DATA iota32<>+60(SB)/4, $15
GLOBL iota32<>(SB), RODATA|NOPTR, $64

// func within2AVX512(x, y, r2 float64, xs, ys *float64, n int, d2 *float64, idx *int32) int
//
// Eight points per step: dx = x − xs, dy = y − ys, d = dx·dx + dy·dy
// (two multiplies and an add, each rounded, as within2Go), a mask of
// d ≤ r2 (false for NaN, as Go's <=), and VCOMPRESSPD / VPCOMPRESSD
// store the distances and lane indices it selects contiguously. The last
// n mod 8 points are loaded under a mask, which also keeps the loads
// from reading past the slices.
TEXT ·within2AVX512(SB), NOSPLIT, $0-72
	VBROADCASTSD x+0(FP), Z0
	VBROADCASTSD y+8(FP), Z1
	VBROADCASTSD r2+16(FP), Z2
	MOVQ xs+24(FP), SI
	MOVQ ys+32(FP), DI
	MOVQ n+40(FP), CX
	MOVQ d2+48(FP), R8
	MOVQ idx+56(FP), R9
	XORQ AX, AX
	VMOVDQU32 iota32<>(SB), Z3
	MOVL $8, DX
	VPBROADCASTD DX, Z7

loop8:
	CMPQ CX, $8
	JLT tail
	VMOVUPD (SI), Z5
	VMOVUPD (DI), Z6
	VSUBPD Z5, Z0, Z5
	VSUBPD Z6, Z1, Z6
	VMULPD Z5, Z5, Z5
	VMULPD Z6, Z6, Z6
	VADDPD Z6, Z5, Z5
	VCMPPD $2, Z2, Z5, K1
	VCOMPRESSPD Z5, K1, (R8)(AX*8)
	VPCOMPRESSD Z3, K1, (R9)(AX*4)
	KMOVW K1, DX
	POPCNTL DX, DX
	ADDQ DX, AX
	VPADDD Z7, Z3, Z3
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $8, CX
	JMP loop8

tail:
	TESTQ CX, CX
	JZ done
	MOVL $1, DX
	SHLL CX, DX
	DECL DX
	KMOVW DX, K2
	VMOVUPD.Z (SI), K2, Z5
	VMOVUPD.Z (DI), K2, Z6
	VSUBPD Z5, Z0, Z5
	VSUBPD Z6, Z1, Z6
	VMULPD Z5, Z5, Z5
	VMULPD Z6, Z6, Z6
	VADDPD Z6, Z5, Z5
	VCMPPD $2, Z2, Z5, K2, K1
	VCOMPRESSPD Z5, K1, (R8)(AX*8)
	VPCOMPRESSD Z3, K1, (R9)(AX*4)
	KMOVW K1, DX
	POPCNTL DX, DX
	ADDQ DX, AX

done:
	MOVQ AX, ret+64(FP)
	VZEROUPPER
	RET

// func triangleAVX512(values, rev1, pow2 *float64, p int)
//
// Row n (n = 0…p) of values, n+1 entries from offset n(n+1)/2, gets
// rev1[p−n+b]·pow2[b] added to entry b: a multiply then an add, each
// rounded, eight entries per step and the rest under a mask.
TEXT ·triangleAVX512(SB), NOSPLIT, $0-32
	MOVQ values+0(FP), R8
	MOVQ rev1+8(FP), R10
	MOVQ pow2+16(FP), DI
	MOVQ p+24(FP), R11
	LEAQ (R10)(R11*8), SI   // rev1 + p: row 0 starts there
	XORQ BX, BX             // n

row:
	CMPQ BX, R11
	JGT finished
	LEAQ 1(BX), CX          // entries in row n
	MOVQ R8, R12
	MOVQ SI, R13
	MOVQ DI, R14

inner8:
	CMPQ CX, $8
	JLT rowtail
	VMOVUPD (R13), Z1
	VMULPD (R14), Z1, Z1
	VADDPD (R12), Z1, Z1
	VMOVUPD Z1, (R12)
	ADDQ $64, R12
	ADDQ $64, R13
	ADDQ $64, R14
	SUBQ $8, CX
	JMP inner8

rowtail:
	TESTQ CX, CX
	JZ nextrow
	MOVL $1, DX
	SHLL CX, DX
	DECL DX
	KMOVW DX, K1
	VMOVUPD.Z (R13), K1, Z1
	VMOVUPD.Z (R14), K1, Z2
	VMULPD Z2, Z1, Z1
	VMOVUPD.Z (R12), K1, Z3
	VADDPD Z1, Z3, Z3
	VMOVUPD Z3, K1, (R12)

nextrow:
	LEAQ 1(BX), CX
	LEAQ (R8)(CX*8), R8     // next row's values
	SUBQ $8, SI             // rev1 + p − (n+1)
	INCQ BX
	JMP row

finished:
	VZEROUPPER
	RET
