package server

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	gossh "golang.org/x/crypto/ssh"
)

// exitStatus returns the exit status carried by a session's Wait error (0
// for nil, -1 for another error).
func exitStatus(err error) int {
	var ee *gossh.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitStatus()
	}
	return -1
}

func TestKeyAccepted(t *testing.T) {
	ts := startServer(t, Config{})
	cs := ts.open(t, "alice")
	cs.waitFor("fake 80x24 keys=0|")
	if err := cs.s.WindowChange(30, 100); err != nil {
		t.Fatal(err)
	}
	cs.waitFor("fake 100x30")
	cs.send("a")
	cs.waitFor("keys=1| last=a")
	cs.send("q")
	if err := cs.wait(); err != nil {
		t.Fatalf("session ended with %v, want exit status 0", err)
	}
	if !strings.Contains(ts.logs.String(), `session start user="alice"`) || !strings.Contains(ts.logs.String(), "key=SHA256:") {
		t.Errorf("log lacks the session start with the key fingerprint:\n%s", ts.logs)
	}
}

func TestUnknownKeyRefused(t *testing.T) {
	ts := startServer(t, Config{})
	stranger, _ := testKey(t)
	if c, err := ts.dial("mallory", gossh.PublicKeys(stranger)); err == nil {
		c.Close()
		t.Fatal("an unknown key was accepted")
	}
}

// TestOnlyPublicKeys checks that no other method, including "none", gets
// in, and that a client offering an unknown key before the authorized one
// gets in with the authorized one, which the session reports.
func TestOnlyPublicKeys(t *testing.T) {
	ts := startServer(t, Config{})
	methods := map[string][]gossh.AuthMethod{
		"none":     nil,
		"password": {gossh.Password("hunter2")},
		"keyboard-interactive": {gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
			return []string{"hunter2"}, nil
		})},
	}
	for name, auth := range methods {
		if c, err := ts.dial("eve", auth...); err == nil {
			c.Close()
			t.Errorf("%s authentication was accepted", name)
		}
	}

	stranger, _ := testKey(t)
	var seen *Session
	got := make(chan *Session, 1)
	ts2 := startServer(t, Config{App: func(s *Session) (tea.Model, error) { got <- s; return fakeApp(s) }})
	c, err := ts2.dial("bob", gossh.PublicKeys(stranger, ts2.client))
	if err != nil {
		t.Fatalf("the authorized key, offered second, was refused: %v", err)
	}
	defer c.Close()
	cs := openOn(t, c)
	select {
	case seen = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("no session")
	}
	if want := gossh.FingerprintSHA256(ts2.client.PublicKey()); seen.KeyFingerprint != want {
		t.Errorf("session key %s, want the authenticated key %s", seen.KeyFingerprint, want)
	}
	cs.send("q")
	cs.wait()
}

func TestSessionContext(t *testing.T) {
	got := make(chan *Session, 1)
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "net.npz"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, Config{RootDir: root, App: func(s *Session) (tea.Model, error) { got <- s; return fakeApp(s) }})
	cs := ts.open(t, "carol")
	s := <-got
	if s.Renderer == nil || s.Shared == nil || s.Root == nil || s.Width != 80 || s.Height != 24 || s.User != "carol" {
		t.Fatalf("session = %+v", s)
	}
	if b, err := s.Root.ReadFile("net.npz", 0); err != nil || string(b) != "hello" {
		t.Errorf("Root.ReadFile = %q, %v", b, err)
	}
	if _, err := s.Root.Open("../" + filepath.Base(root) + "/net.npz"); !errors.Is(err, ErrBadName) {
		t.Errorf("Root.Open with .. = %v, want ErrBadName", err)
	}
	cs.waitFor("keys=0|")
	cs.send("q")
	cs.wait()
	select {
	case <-s.Context.Done():
	case <-time.After(5 * time.Second):
		t.Error("the session context was not cancelled after the session ended")
	}
}

// TestPanicIsolated: one session's UI panics (in Update, in a command, in
// the app factory); it ends with an error and the other session keeps
// working.
func TestPanicIsolated(t *testing.T) {
	app := func(s *Session) (tea.Model, error) {
		if s.User == "crash" {
			panic("factory panics")
		}
		return fakeApp(s)
	}
	ts := startServer(t, Config{App: app})
	survivor := ts.open(t, "survivor")
	survivor.waitFor("keys=0|")
	for i, key := range []string{"p", "c", ""} {
		user := "victim"
		if key == "" {
			user = "crash"
		}
		victim := ts.open(t, user)
		if key != "" {
			victim.waitFor("keys=0|")
			victim.send(key)
		}
		err := victim.wait()
		if exitStatus(err) != 1 || !strings.Contains(victim.errs.String()+victim.out.String(), "internal error") {
			t.Errorf("panic %q: session ended with %v, stderr %q; want exit status 1 and an internal-error message", key, err, victim.errs)
		}
		survivor.send("x")
		survivor.waitFor("keys=" + string(rune('1'+i)) + "|")
	}
	if ts.Panics() != 3 {
		t.Errorf("Panics() = %d, want 3", ts.Panics())
	}
	survivor.send("q")
	if err := survivor.wait(); err != nil {
		t.Errorf("survivor ended with %v", err)
	}
}

func TestRefusedSessions(t *testing.T) {
	ts := startServer(t, Config{MaxSessions: 1})
	c, err := ts.dial("dan", gossh.PublicKeys(ts.client))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	// No pty.
	s, _ := c.NewSession()
	out, err := s.CombinedOutput("")
	if exitStatus(err) != 1 || !strings.Contains(string(out), "needs a terminal") {
		t.Errorf("no pty: %v %q", err, out)
	}
	// A command.
	s, _ = c.NewSession()
	out, err = s.CombinedOutput("cat /etc/passwd")
	if exitStatus(err) != 1 || !strings.Contains(string(out), "only runs the terminal UI") {
		t.Errorf("command: %v %q", err, out)
	}
	// Port forwarding.
	if l, err := c.Listen("tcp", "127.0.0.1:0"); err == nil {
		l.Close()
		t.Error("remote port forwarding was allowed")
	}
	if conn, err := c.Dial("tcp", ts.addr); err == nil {
		conn.Close()
		t.Error("local port forwarding was allowed")
	}
	// Beyond MaxSessions.
	first := openOn(t, c)
	first.waitFor("keys=0|")
	second := openOn(t, c)
	if err := second.wait(); exitStatus(err) != 1 || !strings.Contains(second.errs.String(), "server is full") {
		t.Errorf("second session: %v %q", err, second.errs)
	}
	first.send("q")
	first.wait()
}

func TestIdleTimeout(t *testing.T) {
	// The timeout is long against the 200 ms between keys, so that a
	// loaded machine's scheduling delays cannot end the session early.
	const idle = 2 * time.Second
	ts := startServer(t, Config{IdleTimeout: idle})
	cs := ts.open(t, "erin")
	cs.waitFor("keys=0|")
	for range 4 { // typing keeps the session open past the timeout
		time.Sleep(idle / 10)
		cs.send("x")
	}
	time.Sleep(idle / 2) // together with the keys: past the timeout since the session began
	cs.send("x")
	cs.waitFor("keys=5|")
	start := time.Now()
	err := cs.wait()
	if err != nil || !strings.Contains(cs.out.String()+cs.errs.String(), "without input") {
		t.Errorf("idle session ended with %v, output %q", err, cs.out.String()[max(0, len(cs.out.String())-80):])
	}
	if d := time.Since(start); d > idle+2*time.Second {
		t.Errorf("idle session took %v to close", d)
	}
}

func TestShutdown(t *testing.T) {
	ts := startServer(t, Config{})
	a, b := ts.open(t, "a"), ts.open(t, "b")
	a.waitFor("keys=0|")
	b.waitFor("keys=0|")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- ts.Shutdown(ctx) }()
	for _, cs := range []*clientSession{a, b} {
		if err := cs.wait(); err != nil {
			t.Errorf("session ended with %v", err)
		}
	}
	// The clients keep their connections open; Shutdown closes them after
	// the sessions have ended, within the bound.
	if err := <-done; err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v", err)
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Errorf("Shutdown took %v", d)
	}
	if ts.Sessions() != 0 {
		t.Errorf("%d sessions after Shutdown", ts.Sessions())
	}
	if _, err := ts.dial("late", gossh.PublicKeys(ts.client)); err == nil {
		t.Error("a connection was accepted after Shutdown")
	}
}

func TestRateLimit(t *testing.T) {
	ts := startServer(t, Config{ConnBurst: 2, ConnEvery: time.Hour})
	for i := range 3 {
		c, err := ts.dial("f", gossh.PublicKeys(ts.client))
		if i < 2 && err != nil {
			t.Fatalf("connection %d refused: %v", i, err)
		}
		if i == 2 && err == nil {
			t.Fatal("third connection within the burst of 2 was accepted")
		}
		if c != nil {
			c.Close()
		}
	}
}

func TestLoginGrace(t *testing.T) {
	ts := startServer(t, Config{LoginGrace: 200 * time.Millisecond})
	conn, err := netDial(ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Say nothing; the server must hang up.
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 256)
	for {
		if _, err := conn.Read(buf); err != nil {
			if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
				t.Fatal("an unauthenticated connection stayed open past the login grace time")
			}
			return
		}
	}
}

func TestNewRequiresKeys(t *testing.T) {
	hk, _, err := LoadHostKey(filepath.Join(t.TempDir(), "hk"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(Config{HostKey: hk, AuthorizedKeys: &AuthorizedKeys{}, App: fakeApp})
	if !errors.Is(err, ErrNoKeys) {
		t.Errorf("New without keys = %v, want ErrNoKeys", err)
	}
}
