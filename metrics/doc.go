// Package metrics holds the sample-based metrics of DESIGN.md §6 as pure
// functions on point sets. A point set is a flat, row-major []float64 of
// n×dim values. Each function's comment gives its formula and source;
// the tests check them against hand-computed or closed-form values.
package metrics
