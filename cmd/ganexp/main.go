// Command ganexp trains sweeps of GANs on the CPU, detects the runs that
// fail, and records everything in one SQLite file.
package main

import (
	"os"

	"github.com/ganexp/ganexp/cmd/ganexp/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
