package tui

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"attractor/saved"
)

// Entry is one network of a gallery.
type Entry struct {
	Name        string                         // short name, such as "sine-force-n100"
	Description string                         // one line: family, size, task
	Load        func() (*saved.Network, error) // reads the network
}

// Gallery is a list of networks to open.
type Gallery interface {
	Entries() []Entry
}

// Entries is a Gallery holding a fixed list.
type Entries []Entry

// Entries returns e.
func (e Entries) Entries() []Entry { return e }

//go:embed gallery/*.npz
var galleryFS embed.FS

// EmbeddedGallery returns the networks embedded from tui/gallery/*.npz,
// in file-name order, described from their manifests. A file that does not
// read is listed with the error as its description and fails to load.
func EmbeddedGallery() Gallery {
	g, _ := FSGallery(galleryFS, "gallery")
	return g
}

// FSGallery returns the native network files (*.npz) of directory dir of
// fsys as a gallery, in file-name order.
func FSGallery(fsys fs.FS, dir string) (Entries, error) {
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out Entries
	for _, de := range ents {
		if de.IsDir() || !strings.HasSuffix(de.Name(), ".npz") {
			continue
		}
		file := path.Join(dir, de.Name())
		load := func() (*saved.Network, error) {
			b, err := fs.ReadFile(fsys, file)
			if err != nil {
				return nil, err
			}
			return saved.DefaultLimits.DecodeNative(de.Name(), bytes.NewReader(b), int64(len(b)))
		}
		e := Entry{Name: strings.TrimSuffix(de.Name(), ".npz"), Load: load}
		if n, err := load(); err != nil {
			e.Description = "unreadable: " + err.Error()
		} else {
			e.Description = describeNetwork(n)
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// describeNetwork summarises a network in one line: family, size, task.
func describeNetwork(n *saved.Network) string {
	d := n.Net.Dims()
	s := fmt.Sprintf("%s, %d state dims", n.Net.Family(), d.State)
	if d.Input > 0 {
		s += fmt.Sprintf(", %d inputs", d.Input)
	}
	if name := taskName(n.Manifest.Task); name != "" {
		s += ", task " + name
		var t struct {
			Target string `json:"target"`
		}
		if json.Unmarshal(n.Manifest.Task, &t) == nil && t.Target != "" {
			s += " (" + t.Target + ")"
		}
	}
	return s
}
