-- ganexp schema v6: the matrix-multiply kernel that trained each trial
-- (go-avx512, go-avx2, gonum, openblas). The AVX-512 and AVX2 kernels give
-- the same bits; gonum's and OpenBLAS's may round differently, so a seed's
-- numbers can differ in their last bits between such builds.

ALTER TABLE trials ADD COLUMN kernel TEXT;
