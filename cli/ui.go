package cli

import "fmt"

func init() {
	register(&command{name: "ui", args: "[NET]", short: "open the terminal UI (the default command)",
		run: func(env *Env, args []string) error {
			fmt.Fprintln(env.Stderr, "attractor: the terminal UI is not built yet (issue: tui/); run `attractor help` for the commands available now.")
			return fmt.Errorf("terminal UI not available in this build")
		}})
}
