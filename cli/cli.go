package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"attractor/saved"
)

// command is one subcommand of attractor.
type command struct {
	name  string
	args  string // argument synopsis, such as "NET [--json]"
	short string // one-line description
	run   func(env *Env, args []string) error
}

// Env is what a subcommand may touch: its standard streams.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// errUsage marks an error whose message is a usage problem; Main exits 2.
var errUsage = errors.New("usage")

// usageError returns an error wrapping errUsage with a message.
func usageError(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, a...))
}

// commands lists the subcommands by name.
var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// Main runs attractor with the given arguments (without the program name)
// and returns the process exit code: 0 on success, 1 on failure and 2 on a
// usage error.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	if len(args) == 0 {
		args = []string{"ui"}
	}
	name := args[0]
	if name == "-h" || name == "--help" {
		name = "help"
	}
	if name == "--version" {
		name = "version"
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "attractor: unknown command %q\n\n", name)
		printUsage(stderr)
		return 2
	}
	err := c.run(env, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "attractor %s: %s\n", c.name, saved.PrintableText(strings.TrimPrefix(err.Error(), "usage: ")))
		fmt.Fprintf(stderr, "usage: attractor %s %s\n", c.name, c.args)
		return 2
	default:
		// Errors name files and quote what users and files hold: escape
		// sequences among them are shown, not sent to the terminal.
		fmt.Fprintf(stderr, "attractor %s: %s\n", c.name, saved.PrintableText(err.Error()))
		return 1
	}
}

// newFlags returns a flag set for command c that writes its help to env's
// standard error.
func newFlags(env *Env, c *command) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "usage: attractor %s %s\n\n%s\n", c.name, c.args, c.short)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args into fs, allowing flags after positional
// arguments (`attractor import FILE -o OUT`), and turns a flag error into a
// usage error. Afterwards fs.Args() holds the positional arguments; "--"
// ends the flags.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return usageError("%v", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		// fs.Parse stopped at a positional argument or after "--".
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "attractor: train recurrent networks on working-memory tasks and see how they remember.")
	fmt.Fprintln(w, "\nusage: attractor [command] [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := commands[n]
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.short)
	}
	fmt.Fprintln(w, "\nRun `attractor COMMAND -h` for a command's flags.")
}

func init() {
	register(&command{name: "help", args: "", short: "show this help",
		run: func(env *Env, args []string) error { printUsage(env.Stdout); return nil }})
}
