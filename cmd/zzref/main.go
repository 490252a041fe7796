package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/ganexp/ganexp"
	"github.com/ganexp/ganexp/gan"
	"github.com/ganexp/ganexp/runner"
	"github.com/ganexp/ganexp/sweep"
)

type nop struct{}

func (nop) Progress(int)                       {}
func (nop) Eval(ganexp.Eval) error             { return nil }
func (nop) Event(int, string, any) error       { return nil }
func (nop) Artifact(int, string, []byte) error { return nil }

func main() {
	spec, err := sweep.Load(os.Args[1])
	if err != nil {
		panic(err)
	}
	plan, err := spec.Expand()
	if err != nil {
		panic(err)
	}
	f, _ := os.Create(os.Args[2])
	pprof.StartCPUProfile(f)
	var sum ganexp.Tracking
	for _, p := range plan.Trials {
		out := runner.RunTrial(context.Background(), p.Trial, gan.Trainer{}, nop{})
		sum = sum.Add(out.Tracking)
	}
	pprof.StopCPUProfile()
	fmt.Println(sum)
	fmt.Println(sum.PartsString())
}
