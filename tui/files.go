package tui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"attractor/saved"
)

// FilesKeyMap are the keys of the network list.
type FilesKeyMap struct {
	Up, Down, Open, Back key.Binding
}

// DefaultFilesKeyMap returns the network list's keys.
func DefaultFilesKeyMap() FilesKeyMap {
	return FilesKeyMap{
		Up:   key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "up")),
		Down: key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "down")),
		Open: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back: key.NewBinding(key.WithKeys("backspace"), key.WithHelp("⌫", "parent dir")),
	}
}

// ShortHelp returns the list's keys for the help bar.
func (k FilesKeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Up, k.Down, k.Open} }

// FullHelp returns the list's keys.
func (k FilesKeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.Open, k.Back}}
}

// fileItem is one row of the list.
type fileItem struct {
	name  string // shown
	desc  string
	dir   bool   // a directory to enter
	run   bool   // a run directory (it holds a run record): enter follows it
	rel   string // path relative to the root (directory mode)
	entry *Entry // gallery mode
	open  bool   // the open network, not in the gallery (nothing to load)
}

// Messages of the list and of loading a network.
type (
	listMsg struct {
		dir   string
		items []fileItem
		err   error
	}
	loadedMsg struct {
		name string
		net  *saved.Network
		err  error
	}
)

// filesPane lists the gallery's networks or, after 'o', the native network
// files and directories under the session's root directory. Files are
// opened only through os.OpenRoot, so nothing outside the root is reached.
type filesPane struct {
	FilesKeyMap
	ctx     *Context
	w, h    int
	focused bool

	// opened names the open network and openedDesc describes it; the
	// gallery list selects it, or shows it first when it is not an entry.
	opened, openedDesc string

	browsing bool   // directory mode
	dir      string // directory relative to the root, "." at the top
	items    []fileItem
	cursor   int
	err      error

	fr    frame
	cache string
	dirty bool
}

func newFilesPane(c *Context) *filesPane {
	p := &filesPane{FilesKeyMap: DefaultFilesKeyMap(), ctx: c, dir: ".", dirty: true}
	p.showGallery()
	return p
}

// SetSize sets the outer size of the pane.
func (p *filesPane) SetSize(w, h int) { p.w, p.h, p.dirty = w, h, true }

// Focus sets whether the pane has the focus.
func (p *filesPane) Focus(on bool) { p.focused, p.dirty = on, true }

// showGallery lists the gallery.
func (p *filesPane) showGallery() {
	p.browsing, p.items, p.cursor, p.err = false, nil, 0, nil
	if p.ctx.Gallery != nil {
		for _, e := range p.ctx.Gallery.Entries() {
			p.items = append(p.items, fileItem{name: saved.Printable(e.Name), desc: saved.Printable(e.Description), entry: &e})
		}
	}
	if p.opened == "" {
		p.dirty = true
		return
	}
	name := saved.Printable(p.opened)
	for i, it := range p.items {
		if it.name == name {
			p.cursor, p.dirty = i, true
			return
		}
	}
	p.items = append([]fileItem{{name: name, desc: p.openedDesc, open: true}}, p.items...)
	p.dirty = true
}

// setOpened selects the open network called name (described by desc) in
// the gallery list, adding it first when it is not a gallery entry.
func (p *filesPane) setOpened(name, desc string) {
	p.opened, p.openedDesc = name, saved.Printable(desc)
	if !p.browsing {
		p.showGallery()
	}
}

// toggle switches between the gallery and the directory listing; it
// returns the command that lists the directory.
func (p *filesPane) toggle() tea.Cmd {
	if p.browsing || p.ctx.Root == "" {
		p.showGallery()
		if p.ctx.Root == "" {
			p.err = errors.New("no root directory: only the gallery")
		}
		return nil
	}
	p.browsing, p.items, p.cursor, p.err, p.dirty = true, nil, 0, nil, true
	return listCmd(p.ctx.Root, p.dir)
}

// listCmd reads directory dir (relative to root) through os.OpenRoot and
// lists its subdirectories and regular .npz files (a symbolic link is
// followed inside the root to see what it is; pipes, devices and sockets
// are not listed, so opening one cannot block a reader). Names are shown
// through saved.Printable.
func listCmd(root, dir string) tea.Cmd {
	return func() tea.Msg {
		r, err := os.OpenRoot(root)
		if err != nil {
			return listMsg{dir: dir, err: err}
		}
		defer r.Close()
		ents, err := fs.ReadDir(r.FS(), dir)
		if err != nil {
			return listMsg{dir: dir, err: err}
		}
		var items []fileItem
		if dir != "." {
			items = append(items, fileItem{name: "../", dir: true, rel: path.Dir(dir)})
		}
		for _, e := range ents {
			name := e.Name()
			if strings.HasPrefix(name, ".") {
				continue
			}
			rel := path.Join(dir, name)
			typ := e.Type()
			if typ&fs.ModeSymlink != 0 {
				fi, err := r.Stat(rel)
				if err != nil {
					continue // dangling, or leads out of the root
				}
				typ = fi.Mode().Type()
			}
			switch {
			case typ.IsDir() && isRunDir(r, rel):
				items = append(items, fileItem{name: saved.Printable(name) + "/ (run)", dir: true, run: true, rel: rel})
			case typ.IsDir():
				items = append(items, fileItem{name: saved.Printable(name) + "/", dir: true, rel: rel})
			case typ.IsRegular() && strings.HasSuffix(name, ".npz"):
				items = append(items, fileItem{name: saved.Printable(name), rel: rel})
			}
		}
		sort.SliceStable(items, func(i, j int) bool {
			if items[i].dir != items[j].dir {
				return items[i].dir
			}
			return false
		})
		return listMsg{dir: dir, items: items}
	}
}

// loadFileCmd reads the native network file rel under root.
func loadFileCmd(root, rel string) tea.Cmd {
	return func() tea.Msg {
		n, err := readRooted(root, rel)
		return loadedMsg{name: strings.TrimSuffix(path.Base(rel), ".npz"), net: n, err: err}
	}
}

// readRooted opens rel inside root with os.OpenRoot (which refuses paths
// that escape it), only if it is a regular file, and decodes a native
// network file under saved.DefaultLimits, the budget of every read.
func readRooted(root, rel string) (*saved.Network, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	f, fi, err := saved.OpenRegularIn(r, rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return saved.DefaultLimits.DecodeNative(rel, f, fi.Size())
}

// loadEntryCmd loads a gallery entry.
func loadEntryCmd(e *Entry) tea.Cmd {
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = loadedMsg{name: e.Name, err: fmt.Errorf("loading %s: %v", e.Name, r)}
			}
		}()
		n, err := e.Load()
		return loadedMsg{name: e.Name, net: n, err: err}
	}
}

// handleList installs a directory listing.
func (p *filesPane) handleList(msg listMsg) {
	if !p.browsing {
		return
	}
	p.dir, p.items, p.cursor, p.err, p.dirty = msg.dir, msg.items, 0, msg.err, true
}

// Update moves the cursor and opens the selected item.
func (p *filesPane) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, p.Up):
		p.cursor = max(0, p.cursor-1)
	case key.Matches(k, p.Down):
		p.cursor = max(0, min(len(p.items)-1, p.cursor+1))
	case key.Matches(k, p.Back):
		if p.browsing && p.dir != "." {
			return listCmd(p.ctx.Root, path.Dir(p.dir))
		}
	case key.Matches(k, p.Open):
		if p.cursor >= len(p.items) {
			return nil
		}
		it := p.items[p.cursor]
		switch {
		case it.open:
			return nil // already open
		case it.entry != nil:
			return loadEntryCmd(it.entry)
		case it.run:
			return openRunCmd(p.ctx.Root, it.rel)
		case it.dir:
			return listCmd(p.ctx.Root, it.rel)
		default:
			return loadFileCmd(p.ctx.Root, it.rel)
		}
	default:
		return nil
	}
	p.dirty = true
	return nil
}

// View returns the pane, re-rendered only when something changed.
func (p *filesPane) View() string {
	if !p.dirty {
		return p.cache
	}
	p.dirty = false
	st := p.ctx.Styles
	title := "Networks · gallery"
	if p.browsing {
		title = "Files · " + path.Join("root", p.dir)
	}
	p.fr.set(st, p.w, title, p.focused)
	in, ih := p.fr.inner(), p.h-2
	var lines []string
	if p.err != nil {
		lines = append(lines, st.Error.Render(saved.Printable(p.err.Error())))
	}
	if p.browsing {
		lines = append(lines, st.Dim.Render(ansi.Truncate("o: gallery", in, "…")))
	}
	if len(p.items) == 0 && p.err == nil {
		lines = append(lines, st.Dim.Render("(empty)"))
	}
	listH := max(1, ih-len(lines)-2) // keep two lines for the description
	first := max(0, min(p.cursor-listH/2, len(p.items)-listH))
	for i := first; i < len(p.items) && i < first+listH; i++ {
		name := ansi.Truncate(p.items[i].name, in-2, "…")
		if i == p.cursor {
			lines = append(lines, st.Selected.Render("▸ "+name+strings.Repeat(" ", max(0, in-2-ansi.StringWidth(name)))))
		} else {
			lines = append(lines, "  "+name)
		}
	}
	if p.cursor < len(p.items) && p.items[p.cursor].desc != "" {
		for len(lines) < ih-2 {
			lines = append(lines, "")
		}
		wrap := p.ctx.Renderer.NewStyle().Width(max(1, in))
		lines = append(lines, st.Dim.Render(wrap.Render(p.items[p.cursor].desc)))
	}
	p.cache = p.fr.box(strings.Join(lines, "\n"), p.h)
	return p.cache
}

// handles reports whether k is one of the list's keys.
func (p *filesPane) handles(k tea.KeyMsg) bool {
	return key.Matches(k, p.Up) || key.Matches(k, p.Down) || key.Matches(k, p.Open) || key.Matches(k, p.Back)
}
