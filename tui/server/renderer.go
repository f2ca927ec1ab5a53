package server

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/muesli/termenv"
)

// NewRenderer returns a lipgloss renderer for session sess, with the colour
// profile of the client's terminal (from its TERM and COLORTERM).
//
// It is wish's bubbletea.MakeRenderer without the background-colour query:
// that query waits for the client's answer, and a client that does not
// answer (a dumb terminal, an SSH library) blocks the session until its
// first key press, which the query then swallows. The background is taken
// to be dark.
func NewRenderer(sess ssh.Session) *lipgloss.Renderer {
	pty, _, ok := sess.Pty()
	if !ok || pty.Term == "" || pty.Term == "dumb" {
		return lipgloss.NewRenderer(sess, termenv.WithProfile(termenv.Ascii))
	}
	env := sessionEnv(append(sess.Environ(), "TERM="+pty.Term))
	r := lipgloss.NewRenderer(sess, termenv.WithEnvironment(env), termenv.WithUnsafe(), termenv.WithColorCache(true))
	r.SetHasDarkBackground(true)
	return r
}

// sessionEnv is a session's environment as a termenv.Environ.
type sessionEnv []string

// Environ returns the variables as KEY=value strings.
func (e sessionEnv) Environ() []string { return e }

// Getenv returns the value of the last variable k ("" if unset).
func (e sessionEnv) Getenv(k string) string {
	v := ""
	for _, kv := range e {
		if rest, ok := strings.CutPrefix(kv, k+"="); ok {
			v = rest
		}
	}
	return v
}
