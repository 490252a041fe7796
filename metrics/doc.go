// Package metrics holds the sample-based metrics of README § Metrics as pure
// functions on point sets. A point set is a flat, row-major []float64 of
// n×dim values. Each function's comment gives its formula and source;
// the tests check them against hand-computed or closed-form values.
package metrics
