package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"attractor/saved"
	"attractor/tui"
)

// mapFlag collects repeated key=value flags.
type mapFlag map[string]string

func (m mapFlag) String() string {
	var parts []string
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, ",")
}

func (m mapFlag) Set(s string) error {
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("%q is not key=value", kv)
		}
		m[k] = v
	}
	return nil
}

// galleryEntry finds the embedded gallery's network called name: its
// file name with or without ".npz", or without the leading number
// ("flipflop-gru").
func galleryEntry(name string) (tui.Entry, bool) {
	if name == "" || strings.ContainsAny(name, `/\`) {
		return tui.Entry{}, false
	}
	name = strings.TrimSuffix(name, ".npz")
	for _, e := range tui.EmbeddedGallery().Entries() {
		if _, rest, _ := strings.Cut(e.Name, "-"); e.Name == name || rest == name {
			return e, true
		}
	}
	return tui.Entry{}, false
}

// checkWritableDir reports whether a file can be created in dir, by
// creating and removing one.
func checkWritableDir(dir string) error {
	f, err := os.CreateTemp(dir, ".attractor-write-test-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// openOptions turns --map and --hyper flags into saved.OpenOptions.
func openOptions(maps, hyper mapFlag) (*saved.OpenOptions, error) {
	opt := &saved.OpenOptions{Map: map[string]string(maps), Hyper: saved.Hyper{}}
	for k, v := range hyper {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			opt.Hyper[k] = v // a string hyper-parameter, such as phi=relu
			continue
		}
		opt.Hyper[k] = f
	}
	return opt, nil
}

// openNetwork opens any supported network file and reports, on stderr,
// what was assumed and any warning (such as non-finite weights).
// A name that is no file but names a network of the embedded gallery
// (`06-flipflop-gru`, with or without .npz or the number) opens that
// network; a file of the same name takes precedence.
func openNetwork(env *Env, name string, opt *saved.OpenOptions) (*saved.Network, error) {
	if _, err := os.Stat(name); errors.Is(err, fs.ErrNotExist) {
		if e, ok := galleryEntry(name); ok {
			fmt.Fprintf(env.Stderr, "%s: the embedded gallery's network %s\n", name, e.Name)
			return e.Load()
		}
	}
	n, format, err := saved.Open(name, opt)
	if err != nil {
		return nil, err
	}
	if format != saved.FormatNative {
		fmt.Fprintf(env.Stderr, "%s: read a %s as a %s network (%d state variables)\n", saved.Printable(name), format, n.Net.Family(), n.Net.Dims().State)
		for _, note := range n.Manifest.Notes {
			fmt.Fprintf(env.Stderr, "  note: %s\n", saved.Printable(note))
		}
	}
	// The warnings are printed here, once, for every command; reports
	// (inspect --json) carry them too but do not print them again.
	for _, w := range n.Warnings {
		fmt.Fprintf(env.Stderr, "warning: %s\n", saved.Printable(w))
	}
	return n, nil
}

func init() {
	register(&command{name: "import", args: "FILE -o NET.npz [--map role=tensor] [--hyper key=value]",
		short: "read a PyTorch, NumPy or safetensors network and save it as a native .npz",
		run: func(env *Env, args []string) error {
			fs := newFlags(env, commands["import"])
			out := fs.String("o", "", "output native .npz")
			maps, hyper := mapFlag{}, mapFlag{}
			fs.Var(maps, "map", "assign a tensor to a role when inference is ambiguous (readout=fc.weight, readout_bias=fc.bias)")
			fs.Var(hyper, "hyper", "hyper-parameters the file lacks (dt=0.1, tau=1, g=1.5, phi=relu)")
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 1 {
				return usageError("name one file to import")
			}
			if *out == "" {
				return usageError("-o NET.npz is required")
			}
			if !strings.EqualFold(filepath.Ext(*out), ".npz") {
				return usageError("-o %s: import writes a native .npz network; name it .npz, and convert to PyTorch or safetensors with `attractor export NET.npz -o %s`", *out, *out)
			}
			opt, err := openOptions(maps, hyper)
			if err != nil {
				return usageError("%v", err)
			}
			n, err := openNetwork(env, fs.Arg(0), opt)
			if err != nil {
				return err
			}
			b := Build()
			n.Manifest.Program = saved.Program{Version: b.Version, Commit: b.Commit, Go: b.GoVersion}
			if err := saved.WriteNative(*out, n); err != nil {
				return err
			}
			d := n.Net.Dims()
			fmt.Fprintf(env.Stderr, "wrote %s: %s network, state %d (%s), %d inputs, %d outputs\n", *out, n.Net.Family(), d.State, n.Net.StateVar(), d.Input, d.Output)
			return nil
		}})
	register(&command{name: "export", args: "NET -o OUT.pt|OUT.npz|OUT.safetensors [--dtype float32|float64]",
		short: "write a network as a PyTorch state dict, NumPy archive or safetensors file",
		run: func(env *Env, args []string) error {
			fs := newFlags(env, commands["export"])
			out := fs.String("o", "", "output file; the extension picks the format")
			dtype := fs.String("dtype", "float32", "element type of a .pt file: float32 or float64")
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 1 {
				return usageError("name one network to export")
			}
			if *out == "" {
				return usageError("-o OUT is required")
			}
			dt := saved.DType(*dtype)
			if dt != saved.Float32 && dt != saved.Float64 {
				return usageError("--dtype %q: want float32 or float64", *dtype)
			}
			n, err := openNetwork(env, fs.Arg(0), nil)
			if err != nil {
				return err
			}
			if err := saved.Export(*out, n, dt); err != nil {
				return err
			}
			fmt.Fprintf(env.Stderr, "wrote %s\n", *out)
			return nil
		}})
}
