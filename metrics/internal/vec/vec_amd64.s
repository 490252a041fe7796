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

// func triangleAVX512(values *float64, stride int, rev1, pow2 *float64, p int)
//
// Row n (n = 0…p) of values, at n·stride, gets rev1[p−n+b]·pow2[b] added
// to entry b: a multiply then an add, each rounded, eight entries per
// step, as many steps as cover b = 0…n. The lanes past n land in the
// row's padding, so no step needs a mask.
TEXT ·triangleAVX512(SB), NOSPLIT, $0-40
	MOVQ values+0(FP), R8
	MOVQ stride+8(FP), R9
	SHLQ $3, R9
	MOVQ rev1+16(FP), R10
	MOVQ pow2+24(FP), DI
	MOVQ p+32(FP), R11
	LEAQ (R10)(R11*8), SI   // rev1 + p: row 0 starts there
	XORQ BX, BX             // n

row:
	CMPQ BX, R11
	JGT finished
	LEAQ 8(BX), CX
	SHRQ $3, CX             // steps: ⌈(n+1)/8⌉
	MOVQ R8, R12
	MOVQ SI, R13
	MOVQ DI, R14

step:
	VMOVUPD (R13), Z1
	VMULPD (R14), Z1, Z1
	VADDPD (R12), Z1, Z1
	VMOVUPD Z1, (R12)
	ADDQ $64, R12
	ADDQ $64, R13
	ADDQ $64, R14
	DECQ CX
	JNZ step

	ADDQ R9, R8             // next row's values
	SUBQ $8, SI             // rev1 + p − (n+1)
	INCQ BX
	JMP row

finished:
	VZEROUPPER
	RET

// Lane numbers 0…7 as int64s, for LeafKth's own-point test.
DATA iota64<>+0(SB)/8, $0
DATA iota64<>+8(SB)/8, $1
DATA iota64<>+16(SB)/8, $2
DATA iota64<>+24(SB)/8, $3
DATA iota64<>+32(SB)/8, $4
DATA iota64<>+40(SB)/8, $5
DATA iota64<>+48(SB)/8, $6
DATA iota64<>+56(SB)/8, $7
GLOBL iota64<>(SB), RODATA|NOPTR, $64

// +Inf, the network's starting value and an own point's distance.
DATA inf64<>+0(SB)/8, $0x7ff0000000000000
GLOBL inf64<>(SB), RODATA|NOPTR, $8

// func leafKthAVX512(xs, ys *float64, n, k int, kth *float64)
//
// Eight query points per block, one per lane (the last block under a
// mask). For every point j of the leaf: d = (qx − xs[j])² + (qy − ys[j])²,
// rounded step by step as leafKthGo; +Inf in the lane whose own point j
// is; then best[l] = min(best[l], max(best[l−1], d)) for l = k−1 … 1 and
// best[0] = min(best[0], d), the network of leafKthGo (best in Z8–Z15).
// The ladder of compares that enters the network at l = k−1 takes the
// same branch every time.
TEXT ·leafKthAVX512(SB), NOSPLIT, $0-40
	MOVQ xs+0(FP), SI
	MOVQ ys+8(FP), DI
	MOVQ n+16(FP), R8
	MOVQ k+24(FP), R9
	MOVQ kth+32(FP), R10
	VBROADCASTSD inf64<>(SB), Z7
	XORQ R11, R11            // first query of the block

block:
	CMPQ R11, R8
	JGE finished
	MOVQ R8, CX
	SUBQ R11, CX             // queries left
	MOVL $0xff, DX
	CMPQ CX, $8
	JGE full
	MOVL $1, DX
	SHLL CX, DX
	DECL DX
full:
	KMOVW DX, K2
	VMOVUPD.Z (SI)(R11*8), K2, Z0   // qx
	VMOVUPD.Z (DI)(R11*8), K2, Z1   // qy
	VPBROADCASTQ R11, Z2
	VPADDQ iota64<>(SB), Z2, Z2     // each lane's own index
	VMOVAPD Z7, Z8
	VMOVAPD Z7, Z9
	VMOVAPD Z7, Z10
	VMOVAPD Z7, Z11
	VMOVAPD Z7, Z12
	VMOVAPD Z7, Z13
	VMOVAPD Z7, Z14
	VMOVAPD Z7, Z15
	XORQ BX, BX              // candidate j

cand:
	CMPQ BX, R8
	JGE store
	VBROADCASTSD (SI)(BX*8), Z3
	VBROADCASTSD (DI)(BX*8), Z4
	VSUBPD Z3, Z0, Z3
	VSUBPD Z4, Z1, Z4
	VMULPD Z3, Z3, Z3
	VMULPD Z4, Z4, Z4
	VADDPD Z4, Z3, Z3        // d
	VPBROADCASTQ BX, Z5
	VPCMPEQQ Z5, Z2, K1
	VMOVAPD Z7, K1, Z3       // the lane's own point: +Inf
	CMPQ R9, $8
	JEQ net7
	CMPQ R9, $7
	JEQ net6
	CMPQ R9, $6
	JEQ net5
	CMPQ R9, $5
	JEQ net4
	CMPQ R9, $4
	JEQ net3
	CMPQ R9, $3
	JEQ net2
	CMPQ R9, $2
	JEQ net1
	JMP net0
net7:
	VMAXPD Z3, Z14, Z6
	VMINPD Z6, Z15, Z15
net6:
	VMAXPD Z3, Z13, Z6
	VMINPD Z6, Z14, Z14
net5:
	VMAXPD Z3, Z12, Z6
	VMINPD Z6, Z13, Z13
net4:
	VMAXPD Z3, Z11, Z6
	VMINPD Z6, Z12, Z12
net3:
	VMAXPD Z3, Z10, Z6
	VMINPD Z6, Z11, Z11
net2:
	VMAXPD Z3, Z9, Z6
	VMINPD Z6, Z10, Z10
net1:
	VMAXPD Z3, Z8, Z6
	VMINPD Z6, Z9, Z9
net0:
	VMINPD Z3, Z8, Z8
	INCQ BX
	JMP cand

store:
	// best[k−1] of each lane to kth[block].
	CMPQ R9, $8
	JEQ out7
	CMPQ R9, $7
	JEQ out6
	CMPQ R9, $6
	JEQ out5
	CMPQ R9, $5
	JEQ out4
	CMPQ R9, $4
	JEQ out3
	CMPQ R9, $3
	JEQ out2
	CMPQ R9, $2
	JEQ out1
	VMOVAPD Z8, Z6
	JMP write
out7:
	VMOVAPD Z15, Z6
	JMP write
out6:
	VMOVAPD Z14, Z6
	JMP write
out5:
	VMOVAPD Z13, Z6
	JMP write
out4:
	VMOVAPD Z12, Z6
	JMP write
out3:
	VMOVAPD Z11, Z6
	JMP write
out2:
	VMOVAPD Z10, Z6
	JMP write
out1:
	VMOVAPD Z9, Z6
write:
	VMOVUPD Z6, K2, (R10)(R11*8)
	ADDQ $8, R11
	JMP block

finished:
	VZEROUPPER
	RET
