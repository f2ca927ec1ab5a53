package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version and Commit are set at link time by scripts/build.sh
// (-ldflags "-X attractor/cli.Version=… -X attractor/cli.Commit=…").
// Otherwise they come from the build information Go records, or say
// "devel" and "unknown".
var (
	Version = "devel"
	Commit  = ""
)

// BuildInfo describes the running binary; it is recorded in every saved
// network.
type BuildInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"go"`
}

// Build returns the version, commit and Go version of this binary.
func Build() BuildInfo {
	b := BuildInfo{Version: Version, Commit: Commit, GoVersion: runtime.Version()}
	if info, ok := debug.ReadBuildInfo(); ok {
		if b.Version == "devel" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			b.Version = info.Main.Version
		}
		if b.Commit == "" {
			for _, s := range info.Settings {
				if s.Key == "vcs.revision" {
					b.Commit = s.Value
				}
			}
		}
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	return b
}

func init() {
	register(&command{name: "version", args: "[--json]", short: "print the version, commit and Go version",
		run: func(env *Env, args []string) error {
			fs := newFlags(env, commands["version"])
			jsonOut := fs.Bool("json", false, "print a JSON object: version, commit, go, os, arch")
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() > 0 {
				return usageError("unexpected argument %q", fs.Arg(0))
			}
			b := Build()
			if *jsonOut {
				return writeJSON(env.Stdout, struct {
					BuildInfo
					OS   string `json:"os"`
					Arch string `json:"arch"`
				}{b, runtime.GOOS, runtime.GOARCH})
			}
			fmt.Fprintf(env.Stdout, "attractor %s (commit %s, %s %s/%s)\n", b.Version, b.Commit, b.GoVersion, runtime.GOOS, runtime.GOARCH)
			return nil
		}})
}
