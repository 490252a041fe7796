package main_test

import (
	"context"

	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestHTMLReportInBrowser builds a report from real runs, checks that every
// image and link of every page points at a file that exists, then loads the
// pages in headless Chromium from disk (no server, no network) and asserts
// that every image decoded. It saves a screenshot of the overview. .ci/run
// installs Chromium and sets GANEXP_BROWSER_TEST=1, which turns a missing
// browser into a failure instead of a skip.
func TestHTMLReportInBrowser(t *testing.T) {
	browser := findBrowser()
	if browser == "" {
		if os.Getenv("GANEXP_BROWSER_TEST") == "1" {
			t.Fatal("no chromium on PATH; .ci/run installs Debian's chromium")
		}
		t.Skip("no chromium on PATH (apt-get install chromium)")
	}
	dir := t.TempDir()
	for _, f := range []string{"collapse.yaml", "mixture1d.yaml"} {
		src, err := os.ReadFile(filepath.Join("../../examples", f))
		if err != nil {
			t.Fatal(err)
		}
		body := string(src)
		if f == "mixture1d.yaml" { // shorter: a Figure-1 page is what it is for
			body = strings.Replace(body, "steps: 2000", "steps: 400", 1)
			body = strings.Replace(body, "seeds: 3", "seeds: 1", 1)
		}
		writeFile(t, dir, f, body)
		if r := run(t, dir, nil, "sweep", f); r.code != 0 {
			t.Fatalf("sweep %s: %s\n%s", f, r.stdout, r.stderr)
		}
	}
	// An image sweep: small DCGANs on glyph digits, plain and stacked,
	// judged by a classifier trained on them; its trial pages draw image
	// grids and class histograms.
	data := writeGlyphs(t, dir, 1000, 100)
	writeFile(t, dir, "img.yaml", `name: img
arch: {kind: dcgan, g_channels: [8, 4], d_channels: [4, 8]}
train: {steps: 60, batch_size: 16, z_dim: 8, eval_every: 20, eval_samples: 100, lr: 1e-3}
seeds: [1]
grid:
  dataset:
    plain: {kind: mnist}
    stacked: {kind: stacked_mnist}
`)
	if r := run(t, dir, []string{"GANEXP_MNIST=" + data, "GANEXP_CACHE=" + filepath.Join(dir, "cache")}, "sweep", "img.yaml"); r.code != 0 {
		t.Fatalf("sweep img.yaml: %s\n%s", r.stdout, r.stderr)
	}
	report := filepath.Join(dir, "report")
	if r := run(t, dir, nil, "report", "--html", report); r.code != 0 || !strings.Contains(r.stderr, "wrote "+filepath.Join(report, "index.html")) {
		t.Fatalf("report --html: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	pages := checkFiles(t, report)
	if len(pages) < 11 { // the overview and one page per trial
		t.Fatalf("%d pages: %v", len(pages), pages)
	}
	imagePages := 0
	for _, p := range pages {
		body, _ := os.ReadFile(p)
		if strings.Contains(string(body), "-snapshots.png") && strings.Contains(string(body), "-classes.svg") {
			imagePages++
		}
	}
	if imagePages != 2 {
		t.Errorf("%d trial pages show image snapshots and class histograms, want the image sweep's 2", imagePages)
	}

	ctx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(browser), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 900))
	defer cancel()
	ctx, cancel = chromedp.NewContext(ctx)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // starts the browser; no timeout here
		t.Fatalf("start %s: %v", browser, err)
	}
	type image struct {
		Src   string `json:"src"`
		Width int    `json:"w"`
	}
	for _, page := range pages {
		pctx, pcancel := context.WithTimeout(ctx, 30*time.Second)
		u := (&url.URL{Scheme: "file", Path: page}).String()
		err := chromedp.Do(pctx, chromedp.Navigate(u))
		if err == nil {
			_, err = chromedp.Run(pctx, chromedp.Poll[bool](`Array.from(document.images).every(i => i.complete)`))
		}
		var images []image
		if err == nil {
			images, err = chromedp.Run(pctx, chromedp.Evaluate[[]image](`Array.from(document.images).map(i => ({src: i.src, w: i.naturalWidth}))`))
		}
		pcancel()
		if err != nil {
			t.Fatalf("load %s: %v", page, err)
		}
		if len(images) == 0 {
			t.Errorf("%s shows no image", page)
		}
		for _, im := range images {
			if im.Width == 0 {
				t.Errorf("%s: image %s did not load", page, im.Src)
			}
		}
	}
	index := (&url.URL{Scheme: "file", Path: filepath.Join(report, "index.html")}).String()
	if err := chromedp.Do(ctx, chromedp.Navigate(index)); err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	out := os.Getenv("GANEXP_SCREENSHOTS")
	if out == "" {
		out = t.TempDir()
	}
	os.MkdirAll(out, 0o755)
	path := filepath.Join(out, "report-index.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(shot))
}

func findBrowser() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

var refs = regexp.MustCompile(`(?:src|href)="([^"#]+)"`)

// checkFiles asserts that every src and href of every page under dir
// names an existing file, and returns the HTML pages.
func checkFiles(t *testing.T, dir string) []string {
	t.Helper()
	var pages []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".html") {
			pages = append(pages, p)
		}
		return nil
	})
	for _, p := range pages {
		body, _ := os.ReadFile(p)
		for _, m := range refs.FindAllStringSubmatch(string(body), -1) {
			ref := m[1]
			if strings.Contains(ref, "://") {
				t.Errorf("%s refers to %s: the report must work without a network", p, ref)
				continue
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(p), ref)); err != nil {
				t.Errorf("%s: broken link %s", p, ref)
			}
		}
	}
	return pages
}
