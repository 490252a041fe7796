package ganexp

// Direction says whether a larger value of a metric is better.
type Direction int

// Directions for ranking.
const (
	Neutral Direction = iota
	HigherIsBetter
	LowerIsBetter
)

// MetricInfo documents one recorded metric. The list below is the single
// place that names them; db, runner and reports read it.
type MetricInfo struct {
	Name   string
	Better Direction
	Doc    string
}

// Metrics lists every metric ganexp records at an evaluation, in display
// order. Each also has a final-value column on the trials table.
var Metrics = []MetricInfo{
	{"loss_d", Neutral, "discriminator loss, mean over the steps since the previous evaluation"},
	{"loss_g", Neutral, "generator loss, mean over the steps since the previous evaluation"},
	{"grad_norm_d", Neutral, "L2 norm of D's gradient, mean over the steps since the previous evaluation"},
	{"grad_norm_g", Neutral, "L2 norm of G's gradient, mean over the steps since the previous evaluation"},
	{"modes_captured", HigherIsBetter, "modes nearest to at least one high-quality sample (known-mode data only)"},
	{"hq_fraction", HigherIsBetter, "share of samples within 3 std of their nearest mode (known-mode data only)"},
	{"mode_kl", LowerIsBetter, "KL(high-quality mode histogram || uniform); NULL when no sample is high quality"},
	{"mmd2", LowerIsBetter, "unbiased MMD^2 against the reference sample, RBF kernel, bandwidth = its median distance"},
	{"swd", LowerIsBetter, "sliced Wasserstein-1 distance to the reference sample"},
	{"precision", HigherIsBetter, "improved precision, k=3 (Kynkäänniemi et al. 2019): share of samples on the real manifold"},
	{"recall", HigherIsBetter, "improved recall, k=3: share of the real sample on the generated manifold"},
	{"density", Neutral, "density, k=5 (Naeem et al. 2020): 1 when samples sit where real data is dense"},
	{"coverage", HigherIsBetter, "coverage, k=5 (Naeem et al. 2020): share of real k-NN balls holding a sample"},
	{"ndb_k", LowerIsBetter, "NDB/K (Richardson & Weiss 2018): share of 20 k-means bins whose sample share differs (z-test, 5%)"},
	{"spread_ratio", Neutral, "RMS distance of samples to their mean over that of the reference sample"},
	{"d_real", Neutral, "D's mean output on real data: a probability for minimax/nonsaturating, else a score"},
	{"d_fake", Neutral, "D's mean output on generated data, as d_real"},
	// Appended, not inserted: the evals table's present bits follow this
	// order (bit i for metric i).
	{"balanced_hq", HigherIsBetter, "hq_fraction × exp(−mode_kl): the share of samples on a mode, discounted for uneven modes (known-mode data only)"},
}

// LookupMetric returns the metric called name.
func LookupMetric(name string) (MetricInfo, bool) {
	for _, m := range Metrics {
		if m.Name == name {
			return m, true
		}
	}
	return MetricInfo{}, false
}

// MetricNames returns the names in Metrics, for error messages.
func MetricNames() []string {
	names := make([]string, len(Metrics))
	for i, m := range Metrics {
		names[i] = m.Name
	}
	return names
}
