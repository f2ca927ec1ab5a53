package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"attractor/saved"
)

// command is one subcommand of attractor.
type command struct {
	name  string
	args  string // argument synopsis, such as "NET [--json]"
	short string // one-line description
	// subs lists the words that may follow the name ("sweep status"),
	// for help and shell completion.
	subs []string
	run  func(env *Env, args []string) error
}

// Env is what a subcommand may touch: its standard streams.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer

	// flagSets, when not nil, collects every flag set the command makes
	// (shell completion and the man page list their flags).
	flagSets *[]*flag.FlagSet
}

// errUsage marks an error whose message is a usage problem; Main exits 2.
var errUsage = errors.New("usage")

// usageError returns an error wrapping errUsage with a message.
func usageError(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, a...))
}

// flagError is a flag the command line got wrong (unknown, missing its
// value, malformed); cmd is the full command, such as "sweep status".
type flagError struct {
	cmd string
	msg string
}

func (e *flagError) Error() string        { return e.msg }
func (e *flagError) Is(target error) bool { return target == errUsage }

// commands lists the subcommands by name.
var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// commandNames returns the names of the subcommands, sorted.
func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Main runs attractor with the given arguments (without the program name)
// and returns the process exit code: 0 on success, 1 on failure and 2 on a
// usage error. Help goes to stdout; errors, progress and "wrote FILE"
// notes to stderr, so that stdout carries only what was asked for.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	if len(args) == 0 {
		args = []string{"ui"}
	}
	name := args[0]
	if name == "-h" || name == "-help" || name == "--help" {
		name = "help"
	}
	if name == "--version" {
		name = "version"
	}
	c, ok := commands[name]
	if !ok && strings.HasPrefix(name, "-") {
		fmt.Fprintf(stderr, "attractor: unknown flag %q before the command\nsee attractor help\n", name)
		return 2
	}
	if !ok {
		fmt.Fprintf(stderr, "attractor: unknown command %q\n", name)
		if near := nearestCommand(name); near != "" {
			fmt.Fprintf(stderr, "did you mean `attractor %s`?\n", near)
		}
		fmt.Fprintln(stderr, "see attractor help")
		return 2
	}
	err := c.run(env, args[1:])
	var fe *flagError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &fe):
		fmt.Fprintf(stderr, "attractor %s: %s\nsee attractor %s --help\n", fe.cmd, saved.PrintableText(fe.msg), fe.cmd)
		return 2
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "attractor %s: %s\n", c.name, saved.PrintableText(strings.TrimPrefix(err.Error(), "usage: ")))
		fmt.Fprintf(stderr, "usage: attractor %s %s\nsee attractor %s --help\n", c.name, c.args, c.name)
		return 2
	default:
		// Errors name files and quote what users and files hold: escape
		// sequences among them are shown, not sent to the terminal.
		fmt.Fprintf(stderr, "attractor %s: %s\n", c.name, saved.PrintableText(err.Error()))
		return 1
	}
}

// nearestCommand returns the command name closest to s (at most two edits,
// a transposition counting as one, or s a prefix of it), or "".
func nearestCommand(s string) string {
	best, bestD := "", 3
	for _, n := range commandNames() {
		d := editDistance(s, n)
		if len(s) >= 2 && strings.HasPrefix(n, s) {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// editDistance is the optimal-string-alignment distance between a and b:
// insertions, deletions, substitutions and adjacent transpositions.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// newFlags returns a flag set for command c whose --help goes to env's
// standard output.
func newFlags(env *Env, c *command) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(env.Stdout, "usage: attractor %s %s\n\n%s\n\nflags:\n", c.name, c.args, c.short)
		fs.SetOutput(env.Stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	if env.flagSets != nil {
		*env.flagSets = append(*env.flagSets, fs)
	}
	return fs
}

// parseFlags parses args into fs, allowing flags after positional
// arguments (`attractor import FILE -o OUT`). A request for help prints
// the command's help on stdout and returns flag.ErrHelp; a bad flag
// returns a *flagError naming the command. Afterwards fs.Args() holds the
// positional arguments; "--" ends the flags.
func parseFlags(fs *flag.FlagSet, args []string) error {
	help := fs.Usage
	fs.Usage = func() {}
	defer func() { fs.Usage = help }()
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				help()
				return err
			}
			msg := err.Error()
			if f, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
				msg = "unknown flag " + f
			}
			return &flagError{cmd: fs.Name(), msg: msg}
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

// helpWidth is the width the top-level help is wrapped to, in columns.
const helpWidth = 80

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "attractor: train recurrent networks on working-memory tasks and see how")
	fmt.Fprintln(w, "they remember.")
	fmt.Fprintln(w, "\nusage: attractor [command] [flags]\n\ncommands:")
	const indent = 2 + 11 + 1
	for _, n := range commandNames() {
		c := commands[n]
		for i, line := range wrapWords(c.short, helpWidth-indent) {
			if i == 0 {
				fmt.Fprintf(w, "  %-11s %s\n", c.name, line)
			} else {
				fmt.Fprintf(w, "%*s%s\n", indent, "", line)
			}
		}
	}
	fmt.Fprintln(w, "\nRun `attractor COMMAND --help` (or `attractor help COMMAND`) for its flags.")
}

// wrapWords breaks s at spaces into lines of at most width runes (a longer
// word stands alone).
func wrapWords(s string, width int) []string {
	var lines []string
	cur, n := "", 0
	for _, word := range strings.Fields(s) {
		wn := utf8.RuneCountInString(word)
		if n > 0 && n+1+wn > width {
			lines, cur, n = append(lines, cur), "", 0
		}
		if n > 0 {
			cur, n = cur+" ", n+1
		}
		cur, n = cur+word, n+wn
	}
	return append(lines, cur)
}

func init() {
	register(&command{name: "help", args: "[COMMAND [SUB]]", short: "show this help, or a command's",
		run: func(env *Env, args []string) error {
			fs := newFlags(env, commands["help"])
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() == 0 {
				printUsage(env.Stdout)
				return nil
			}
			name := fs.Arg(0)
			c, ok := commands[name]
			switch {
			case !ok && nearestCommand(name) != "":
				return usageError("unknown command %q; did you mean %s?", name, nearestCommand(name))
			case !ok:
				return usageError("unknown command %q", name)
			case c.name == "help":
				printUsage(env.Stdout)
				return nil
			}
			return c.run(env, append(fs.Args()[1:], "--help"))
		}})
}
