package tui

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"attractor/saved"
)

// StateTensor is the name of the extra array holding the state saved by
// the UI's 's' key in a native network file.
const StateTensor = "ui.state"

// safeName turns a network name into a bare file-name stem.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := strings.Trim(b.String(), ".")
	if out == "" {
		out = "network"
	}
	return out
}

// save writes, under the root directory, the network with the current
// (perturbed) state as the extra array ui.state, and the current plots as
// plain text. The names are made here, never typed by the user, and the
// files are written atomically off the UI goroutine.
func (m *Model) save() tea.Cmd {
	if m.ctx.Root == "" {
		m.setStatus(true, "saving is off: no root directory")
		return nil
	}
	s := m.s
	stem := fmt.Sprintf("%s-step%d", safeName(s.name), s.t)
	netPath := filepath.Join(m.ctx.Root, stem+"-state.npz")
	txtPath := filepath.Join(m.ctx.Root, stem+"-plot.txt")

	n := &saved.Network{Net: s.net, Manifest: s.file.Manifest}
	n.Manifest.Notes = append(append([]string(nil), n.Manifest.Notes...),
		fmt.Sprintf("%s holds the state at step %d of condition %q after %d noise kicks of σ = %g (saved from the UI)",
			StateTensor, s.t, s.proto.Conditions[s.cond].Name, s.kicks, s.sigma()))
	for _, e := range s.file.Extra {
		if e.Name != StateTensor {
			n.Extra = append(n.Extra, e)
		}
	}
	n.Extra = append(n.Extra, saved.Tensor{Name: StateTensor, Shape: []int{len(s.x)}, DType: saved.Float64,
		Data: append([]float64(nil), s.x...)})

	var txt strings.Builder
	fmt.Fprintf(&txt, "attractor: %s, %s\n\n", s.name, ansi.Strip(m.statusLine()))
	for _, v := range []string{m.portrait.View(), m.eigen.View(), m.verdict.View()} {
		txt.WriteString(ansi.Strip(v))
		txt.WriteString("\n\n")
	}
	text := txt.String()

	return func() tea.Msg {
		err := saved.WriteFileAtomic(netPath, func(w io.Writer) error { return saved.EncodeNative(w, n) }, 0o644)
		err2 := saved.WriteFileAtomic(txtPath, func(w io.Writer) error {
			_, err := io.WriteString(w, text)
			return err
		}, 0o644)
		if err = errors.Join(err, err2); err != nil {
			return savedMsg{err: err}
		}
		return savedMsg{paths: []string{filepath.Base(netPath), filepath.Base(txtPath)}}
	}
}
