package ganexp

// Direction says whether a larger value of a metric is better.
type Direction int

// Directions for ranking.
const (
	Neutral Direction = iota
	HigherIsBetter
	LowerIsBetter
)

// MetricInfo is a recorded metric's identity and meaning. The metrics
// themselves, with how each is measured, are declared once, in the
// registry of package evaluate; the store and the reports receive their
// MetricInfos from it.
type MetricInfo struct {
	// ID is the metric's stable identity: its bit in the database's
	// present mask. It is assigned once and never reused, so that adding
	// or reordering metrics cannot misread rows written before.
	ID     int
	Name   string
	Better Direction
	Doc    string // what it is, its formula or source
}

// MetricSet is a list of metrics, in display order.
type MetricSet []MetricInfo

// Lookup returns the metric called name.
func (s MetricSet) Lookup(name string) (MetricInfo, bool) {
	for _, m := range s {
		if m.Name == name {
			return m, true
		}
	}
	return MetricInfo{}, false
}

// Names returns the metrics' names, for error messages.
func (s MetricSet) Names() []string {
	names := make([]string, len(s))
	for i, m := range s {
		names[i] = m.Name
	}
	return names
}
