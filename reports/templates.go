package reports

import "html/template"

// style is shared by every page: readable tables, charts at their natural
// size, nothing fetched from the network.
const style = `<style>
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
th, td { padding: 0.25em 0.7em; text-align: left; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #f4f4f4; } tr:nth-child(even) td { background: #fafafa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 100%; height: auto; display: block; margin: 0.5em 0; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; } .charts figure { margin: 0; flex: 1 1 480px; }
figcaption { font-size: 0.85em; color: #555; } a { color: #1f5fa8; }
.status-collapsed, .status-diverged { color: #b3261e; font-weight: 600; } .status-failed { color: #7a2e0e; font-weight: 600; } .status-pruned { color: #6b6b6b; }
.verdict { background: #fdecea; border-left: 4px solid #d62728; padding: 0.5em 0.8em; }
code, .mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em; }
</style>`

var overviewTemplate = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>` + style + `</head><body>
<h1>{{.Title}}</h1>
<p>{{.Trials}} trials, ranked by {{.Order}}.</p>

<h2>Outcomes</h2>
<table><tr>{{range .Statuses}}<th>{{.Status}}</th>{{end}}</tr>
<tr>{{range .Statuses}}<td class="num{{if .Count}} status-{{.Status}}{{end}}">{{.Count}}</td>{{end}}</tr></table>

{{if .Factors}}<h2>Which factor matters</h2>
<p>{{.Metric}} of every trial at each level of a factor; the box spans the middle half, the whiskers the rest.</p>
<div class="charts">{{range .Factors}}<figure><img src="{{.Name}}.svg" alt="{{.Alt}}"><figcaption>{{.Alt}} (<a href="{{.Name}}.png">png</a>, <a href="{{.Name}}.svg">svg</a>)</figcaption></figure>{{end}}</div>{{end}}

{{with .Heatmap}}<h2>Two factors at once</h2>
<figure><img src="{{.Name}}.svg" alt="{{.Alt}}"><figcaption>{{.Alt}}: the mean over every other factor and seed; grey cells had no finished trial (<a href="{{.Name}}.png">png</a>, <a href="{{.Name}}.svg">svg</a>)</figcaption></figure>{{end}}

{{with .Parallel}}<h2>All factors</h2>
<figure><img src="{{.Name}}.svg" alt="{{.Alt}}"><figcaption>{{.Alt}}: each line is a configuration (mean over seeds), darker is better (<a href="{{.Name}}.png">png</a>, <a href="{{.Name}}.svg">svg</a>)</figcaption></figure>{{end}}

{{if or .History .Importance}}<h2>The search</h2>
<div class="charts">{{with .History}}<figure><img src="{{.Name}}.svg" alt="{{.Alt}}"><figcaption>{{.Alt}} (<a href="{{.Name}}.png">png</a>, <a href="{{.Name}}.svg">svg</a>)</figcaption></figure>{{end}}{{with .Importance}}<figure><img src="{{.Name}}.svg" alt="{{.Alt}}"><figcaption>{{.Alt}}: the first-order term of a functional ANOVA (<code>report --importance</code>); the rest is interactions and noise (<a href="{{.Name}}.png">png</a>, <a href="{{.Name}}.svg">svg</a>)</figcaption></figure>{{end}}</div>{{end}}
{{with .Slices}}<figure><img src="{{.Name}}.svg" alt="{{.Alt}}"><figcaption>{{.Alt}} (<a href="{{.Name}}.png">png</a>, <a href="{{.Name}}.svg">svg</a>)</figcaption></figure>{{end}}

<h2>Ranking</h2>
<p>Ranked by {{.Order}}; showing {{.Shown}}.</p>
<table><tr><th>rank</th><th>trial</th>{{range .Columns}}<th>{{.}}</th>{{end}}</tr>
{{range .Ranking}}<tr title="{{.Title}}"><td class="num">{{.Rank}}</td><td class="mono"><a href="{{.Link}}">{{.Key}}</a></td>{{range .Cells}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>
</body></html>
`))

var trialTemplate = template.Must(template.New("trial").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>trial {{.Key}}</title>` + style + `</head><body>
<p><a href="../index.html">← all trials</a></p>
<h1>trial <span class="mono">{{.Key}}</span></h1>
<p>sweep {{.Sweep}}, seed {{.Seed}}: <span class="status-{{.Status}}">{{.Status}}</span> after {{.Steps}} steps.</p>
{{if .Verdict}}<p class="verdict">{{.Verdict}}</p>{{end}}
{{if .Error}}<h2>Error</h2><pre>{{.Error}}</pre>{{end}}

{{range .Charts}}<figure><img src="{{.Name}}" alt="{{.Alt}}"><figcaption>{{.Alt}}</figcaption></figure>
{{end}}

{{if .Events}}<h2>Events</h2>
<table><tr><th>step</th><th>kind</th><th>detail</th></tr>
{{range .Events}}<tr><td class="num">{{index . 0}}</td><td>{{index . 1}}</td><td class="mono">{{index . 2}}</td></tr>
{{end}}</table>{{end}}

<h2>Parameters and final metrics</h2>
<div class="charts">
<table><tr><th>parameter</th><th>value</th></tr>{{range .Params}}<tr><td>{{index . 0}}</td><td>{{index . 1}}</td></tr>{{end}}</table>
<table><tr><th>metric</th><th>final</th></tr>{{range .Finals}}<tr><td>{{index . 0}}</td><td class="num">{{index . 1}}</td></tr>{{end}}</table>
</div>
</body></html>
`))
