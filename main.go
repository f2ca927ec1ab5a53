// Command attractor trains recurrent networks on working-memory tasks and
// shows how they remember: fixed points, slow manifolds and limit cycles.
// Run it without arguments for the terminal UI, or see `attractor help`.
package main

import (
	"os"

	"attractor/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
