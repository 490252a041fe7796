package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/ganexp/ganexp/gan"
	"github.com/spf13/cobra"
)

// BenchOptions are the flags of `ganexp bench`.
type BenchOptions struct {
	Protocols []string
	Steps     int // timed steps of ring8-mlp; slower protocols run fewer
	Warmup    int
	Format    string
	// Soak prints the process's resident memory and its live heap (after
	// a collection, which the timing then includes) after the warm-up and
	// after each tenth of the steps: flat numbers mean no leak per step.
	Soak bool
}

// NewCmdBench builds `ganexp bench`.
func NewCmdBench(a *App) *cobra.Command {
	o := &BenchOptions{}
	cmd := &cobra.Command{
		Use: "bench",
		Example: `  GOMAXPROCS=1 ganexp bench
  ganexp bench --protocol ring8-mlp512 --steps 200 --format json
  ganexp bench --protocol ring8-mlp --steps 100000 --soak
  GOMAXPROCS=1 ganexp bench --protocol mnist-dcgan --steps 3000   # 30 DCGAN steps`,
		Short: "Time training steps of the pinned protocols (ring8-mlp, ring8-mlp512, mnist-dcgan)",
		Long: `bench trains the pinned protocols for a fixed number of steps and reports
steps per second, bytes and allocations per step, GOMAXPROCS and the BLAS.
Run it with GOMAXPROCS=1 to compare with a one-thread PyTorch
(bench/torch_ring8.py); bench/compare.py interleaves the two.`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runBench(cmd, o)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.Protocols, "protocol", []string{"ring8-mlp", "ring8-mlp512"}, "protocols to run")
	f.IntVar(&o.Steps, "steps", 300, "timed steps of ring8-mlp; ring8-mlp512 runs a tenth, mnist-dcgan a hundredth (at least 10)")
	f.IntVar(&o.Warmup, "warmup", 20, "untimed steps first (as many fewer for the slower protocols, at least 2)")
	f.StringVar(&o.Format, "format", "table", "table or json (one line per protocol)")
	f.BoolVar(&o.Soak, "soak", false, "also print resident memory (RSS) and Go heap at 11 checkpoints; use with a large --steps")
	return cmd
}

func (a *App) runBench(cmd *cobra.Command, o *BenchOptions) error {
	if o.Format != "table" && o.Format != "json" {
		return usagef("--format must be table or json, got %q", o.Format)
	}
	if o.Steps < 1 || o.Warmup < 0 {
		return usagef("--steps must be at least 1 and --warmup at least 0")
	}
	var protocols []gan.Protocol
	for _, name := range o.Protocols {
		i := slices.IndexFunc(gan.Protocols, func(p gan.Protocol) bool { return p.Name == name })
		if i < 0 {
			return usagef("--protocol: unknown protocol %q (valid: %s)", name, strings.Join(gan.ProtocolNames(), ", "))
		}
		protocols = append(protocols, gan.Protocols[i])
	}
	var tw *tabwriter.Writer
	if o.Format == "table" {
		fmt.Fprintf(a.Out, "ganexp bench: %s, %d CPUs, GOMAXPROCS %d, BLAS %s with %d thread(s), %s\n",
			cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), gan.BLAS, gan.BLASThreads(), runtime.Version())
		tw = tabwriter.NewWriter(a.Out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "protocol\tsteps\tsteps/s\tms/step\tKB/step\tallocs/step\t")
	}
	for _, p := range protocols {
		steps, warmup := o.Steps, o.Warmup
		if p.Slowdown > 1 {
			steps, warmup = max(10, steps/p.Slowdown), max(2, warmup/p.Slowdown)
		}
		var check func(int)
		var rss []int64
		if o.Soak {
			check = func(step int) {
				// The live heap after a collection is what a leak would
				// grow; RSS also holds garbage the collector has not
				// reached yet, up to twice the live heap with GOGC=100.
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				kb := residentKB()
				rss = append(rss, kb)
				if o.Format == "table" {
					fmt.Fprintf(a.Out, "soak %s step %d: RSS %d KB, live Go heap %d KB\n", p.Name, step, kb, m.HeapAlloc/1024)
				}
			}
		}
		r, err := gan.Bench(cmd.Context(), p, steps, warmup, check)
		if o.Soak && o.Format == "table" && len(rss) > 1 {
			fmt.Fprintf(a.Out, "soak %s: RSS %+d KB from the first checkpoint to the last, over %d steps\n", p.Name, rss[len(rss)-1]-rss[0], steps)
		}
		if err != nil {
			return fmt.Errorf("bench %s: %w", p.Name, err)
		}
		if o.Format == "json" {
			line, _ := json.Marshal(struct {
				Impl string `json:"impl"`
				gan.BenchResult
				RSSKB []int64 `json:"rss_kb,omitempty"`
			}{"ganexp", r, rss})
			fmt.Fprintln(a.Out, string(line))
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.2f\t%.0f\t%.0f\t\n", r.Protocol, r.Steps, r.StepsPerSec,
			1000/r.StepsPerSec, r.BytesPerStep/1024, r.AllocsPerStep)
	}
	if tw != nil {
		tw.Flush()
	}
	return nil
}

// residentKB is this process's resident set size (VmRSS), 0 where /proc
// has no answer.
func residentKB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(v), " kB"), &kb)
			return kb
		}
	}
	return 0
}

// cpuModel reads the CPU's name from /proc/cpuinfo, for the record.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
