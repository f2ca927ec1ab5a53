package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap holds the keys that work whatever pane has the focus: the
// experiments on the network and the application keys.
type KeyMap struct {
	Run, Step               key.Binding // run/pause, one step
	PrevCond, NextCond      key.Binding // choose the trial condition
	Kick                    key.Binding // noise kick of size σ
	NoiseUp, NoiseDown      key.Binding // change σ
	DelayShorter, DelayLong key.Binding // shorten/extend the delay
	Reset, Analyse          key.Binding
	Explain                 key.Binding // the verdict in plain words
	Open, Save              key.Binding
	View                    key.Binding // cycle the big pane: portrait, activity, connectivity
	PrevCk, NextCk          key.Binding // move the panes through the run's history (enabled when it has one)
	NextPane, PrevPane      key.Binding
	Help, Quit              key.Binding
}

// DefaultKeyMap returns attractor's keys.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Run:          b("space", "run/pause", " "),
		Step:         b(".", "step", "."),
		PrevCond:     b("[", "prev condition", "["),
		NextCond:     b("]", "next condition", "]"),
		Kick:         b("k", "noise kick", "k"),
		NoiseUp:      b("+", "σ up", "+", "="),
		NoiseDown:    b("-", "σ down", "-", "_"),
		DelayShorter: b("d", "shorter delay", "d"),
		DelayLong:    b("D", "longer delay", "D"),
		Reset:        b("r", "reset", "r"),
		Analyse:      b("a", "re-analyse", "a"),
		Explain:      b("e", "explain verdict", "e"),
		Open:         b("o", "gallery ⇄ files", "o"),
		Save:         b("s", "save state+plot", "s"),
		View:         b("v", "view: phase/activity/J", "v"),
		PrevCk:       disabled(b("<", "earlier checkpoint", "<")),
		NextCk:       disabled(b(">", "later checkpoint", ">")),
		NextPane:     b("tab", "next pane", "tab"),
		PrevPane:     b("shift+tab", "prev pane", "shift+tab"),
		Help:         b("?", "all keys", "?"),
		Quit:         b("q", "quit", "q", "ctrl+c"),
	}
}

// disabled returns b switched off: the checkpoint keys are switched on
// when the followed run has a history.
func disabled(b key.Binding) key.Binding {
	b.SetEnabled(false)
	return b
}

// ShortHelp returns the keys shown in the one-line help bar.
func (k KeyMap) ShortHelp() []key.Binding {
	return append(k.essential(), k.more()...)
}

// essential are the keys the help bar shows first, before a pane's keys.
func (k KeyMap) essential() []key.Binding {
	return []key.Binding{k.Run, k.Kick, k.Explain, k.Help, k.Quit}
}

// more are the keys the help bar shows after a pane's keys.
func (k KeyMap) more() []key.Binding { return []key.Binding{k.NextPane, k.PrevCond, k.NextCond} }

// FullHelp returns every key, in columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Run, k.Step, k.Reset, k.PrevCond, k.NextCond},
		{k.Kick, k.NoiseUp, k.NoiseDown, k.DelayShorter, k.DelayLong},
		{k.Analyse, k.Explain, k.Open, k.Save, k.View},
		append(k.checkpoints(), k.NextPane, k.PrevPane, k.Help, k.Quit),
	}
}

// checkpoints are the checkpoint keys when they are switched on.
func (k KeyMap) checkpoints() []key.Binding {
	if !k.PrevCk.Enabled() {
		return nil
	}
	return []key.Binding{k.PrevCk, k.NextCk}
}
