// Package ganexp holds the domain types every other package shares: the
// trial configuration, statuses, metric names, typed errors and the small
// interfaces between the runner, the trainer and the store.
//
// Data flows one way: sweep (config → plan) → runner → trainer (gan) →
// store (db) → reports. This package imports none of them.
package ganexp
