package sweep

import (
	"math/bits"
	"math/rand/v2"
)

// sobolBits is the precision of the Sobol points: 32 binary digits, so
// the first 2³² points of the sequence are distinct.
const sobolBits = 32

// sobolPolys are the primitive polynomials and initial direction numbers
// m_1…m_s of the first 32 dimensions of the Sobol sequence, from Joe and
// Kuo's new-joe-kuo-6.21201 table (S. Joe and F. Y. Kuo, Constructing
// Sobol sequences with better two-dimensional projections, SIAM J. Sci.
// Comput. 30, 2008), the table SciPy's qmc.Sobol uses. A polynomial is
// written as the integer of its coefficients, leading and constant ones
// included (7 is x² + x + 1); the first dimension is van der Corput's.
var sobolPolys = []struct {
	poly uint32
	m    []uint32
}{
	{1, []uint32{1}},
	{3, []uint32{1}},
	{7, []uint32{1, 3}},
	{11, []uint32{1, 3, 1}},
	{13, []uint32{1, 1, 1}},
	{19, []uint32{1, 1, 3, 3}},
	{25, []uint32{1, 3, 5, 13}},
	{37, []uint32{1, 1, 5, 5, 17}},
	{41, []uint32{1, 1, 5, 5, 5}},
	{47, []uint32{1, 1, 7, 11, 19}},
	{55, []uint32{1, 1, 5, 1, 1}},
	{59, []uint32{1, 1, 1, 3, 11}},
	{61, []uint32{1, 3, 5, 5, 31}},
	{67, []uint32{1, 3, 3, 9, 7, 49}},
	{91, []uint32{1, 1, 1, 15, 21, 21}},
	{97, []uint32{1, 3, 1, 13, 27, 49}},
	{103, []uint32{1, 1, 1, 15, 7, 5}},
	{109, []uint32{1, 3, 1, 15, 13, 25}},
	{115, []uint32{1, 1, 5, 5, 19, 61}},
	{131, []uint32{1, 3, 7, 11, 23, 15, 103}},
	{137, []uint32{1, 3, 7, 13, 13, 15, 69}},
	{143, []uint32{1, 1, 3, 13, 7, 35, 63}},
	{145, []uint32{1, 3, 5, 9, 1, 25, 53}},
	{157, []uint32{1, 3, 1, 13, 9, 35, 107}},
	{167, []uint32{1, 3, 1, 5, 27, 61, 31}},
	{171, []uint32{1, 1, 5, 11, 19, 41, 61}},
	{185, []uint32{1, 3, 5, 3, 3, 13, 69}},
	{191, []uint32{1, 1, 7, 13, 1, 19, 1}},
	{193, []uint32{1, 3, 7, 5, 13, 19, 59}},
	{203, []uint32{1, 1, 3, 9, 25, 29, 41}},
	{211, []uint32{1, 3, 5, 13, 23, 1, 55}},
	{213, []uint32{1, 3, 7, 3, 13, 59, 17}},
}

// sobolMaxDims is the most dimensions a Sobol search space may have.
var sobolMaxDims = len(sobolPolys)

// sobol generates a Sobol sequence, scrambled or not, point by point in
// Gray-code order (Antonov and Saleev 1979), as SciPy's qmc.Sobol does.
type sobol struct {
	v [][sobolBits]uint32 // direction numbers, per dimension
	x []uint32            // the last point's digits
	n uint64              // points drawn
}

// newSobol builds the direction numbers of the first dims dimensions
// (Bratley and Fox 1988, Algorithm 659, with Joe and Kuo's numbers). With
// a random source it scrambles them as SciPy does with scramble=True: a
// random lower-triangular binary matrix with a unit diagonal multiplies
// each dimension's direction numbers (Matoušek's linear matrix scramble),
// and a random digital shift is XORed onto every point. Both keep the
// sequence's net property: among the first 2^m points, each of the 2^m
// equal intervals of one coordinate holds exactly one.
func newSobol(dims int, r *rand.Rand) *sobol {
	s := &sobol{v: make([][sobolBits]uint32, dims), x: make([]uint32, dims)}
	for j := range dims {
		v := &s.v[j]
		p := sobolPolys[j]
		deg := bits.Len32(p.poly) - 1
		if deg == 0 { // van der Corput
			for k := range sobolBits {
				v[k] = 1 << (sobolBits - 1 - k)
			}
		} else {
			for k := range deg {
				v[k] = p.m[k] << (sobolBits - 1 - k)
			}
			for k := deg; k < sobolBits; k++ {
				v[k] = v[k-deg] ^ (v[k-deg] >> deg)
				for i := 1; i < deg; i++ {
					if (p.poly>>(deg-i))&1 == 1 {
						v[k] ^= v[k-i]
					}
				}
			}
		}
		if r != nil {
			scramble(v, r)
			s.x[j] = r.Uint32() // the digital shift: point 0 is the shift itself
		}
	}
	return s
}

// scramble multiplies the direction numbers by a random lower-triangular
// binary matrix L with ones on its diagonal: output digit d (0 the most
// significant) is the parity of the input digits 0…d that row d of L
// selects.
func scramble(v *[sobolBits]uint32, r *rand.Rand) {
	var rows [sobolBits]uint32
	for d := range sobolBits {
		// Digits 0…d sit at bits 31…31−d; keep random ones above the
		// diagonal's and the diagonal's own.
		above := ^uint32(0) << (sobolBits - d) // digits 0…d−1; none when d = 0
		rows[d] = (r.Uint32() & above) | 1<<(sobolBits-1-d)
	}
	for k, vk := range v {
		var out uint32
		for d, row := range rows {
			out |= uint32(bits.OnesCount32(vk&row)&1) << (sobolBits - 1 - d)
		}
		v[k] = out
	}
}

// next returns the next point's coordinates in [0, 1) into u.
func (s *sobol) next(u []float64) {
	if s.n > 0 {
		c := bits.TrailingZeros64(^(s.n - 1)) // the lowest zero digit of n−1
		for j := range s.x {
			s.x[j] ^= s.v[j][c]
		}
	}
	s.n++
	for j, x := range s.x {
		u[j] = float64(x) / (1 << sobolBits)
	}
}
