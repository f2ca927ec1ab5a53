package server

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	gossh "golang.org/x/crypto/ssh"
)

// fakeModel is a tiny UI: it shows its size and the keys typed, quits on
// q and panics on p.
type fakeModel struct {
	s          *Session
	w, h, keys int
	last       string
}

func (m *fakeModel) Init() tea.Cmd { return nil }

func (m *fakeModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
	case tea.KeyMsg:
		switch msg.String() {
		case "q":
			return m, tea.Quit
		case "p":
			panic("fake UI panics on p")
		case "c":
			// A panic in a command (run on another goroutine).
			return m, func() tea.Msg { panic("fake command panics on c") }
		}
		m.keys++
		m.last = msg.String()
	}
	return m, nil
}

func (m *fakeModel) View() string {
	return m.s.Renderer.NewStyle().Render(fmt.Sprintf("fake %dx%d keys=%d| last=%s", m.w, m.h, m.keys, m.last))
}

func fakeApp(s *Session) (tea.Model, error) { return &fakeModel{s: s}, nil }

// testKey returns a new client key: its signer and authorized_keys line.
func testKey(t testing.TB) (gossh.Signer, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return signer, string(gossh.MarshalAuthorizedKey(signer.PublicKey()))
}

// testServer is a running server on a loopback port with one authorized
// client key.
type testServer struct {
	*Server
	addr    string
	client  gossh.Signer
	hostPub gossh.PublicKey
	logs    *syncBuf
	dir     string
}

// startServer starts a server with the fake app (unless cfg.App is set)
// and the given configuration, on 127.0.0.1:0.
func startServer(t testing.TB, cfg Config) *testServer {
	t.Helper()
	dir := t.TempDir()
	client, line := testKey(t)
	akFile := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(akFile, []byte("# test key\n"+line), 0o600); err != nil {
		t.Fatal(err)
	}
	ak, err := LoadAuthorizedKeys(akFile)
	if err != nil {
		t.Fatal(err)
	}
	hk, created, err := LoadHostKey(filepath.Join(dir, "state", "host_key"))
	if err != nil || !created {
		t.Fatalf("LoadHostKey: created=%v err=%v", created, err)
	}
	logs := &syncBuf{}
	cfg.HostKey, cfg.AuthorizedKeys = hk, ak
	if cfg.App == nil {
		cfg.App = fakeApp
	}
	cfg.Log = log.New(logs, "", 0)
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() {
		srv.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", logs)
		}
	})
	return &testServer{Server: srv, addr: l.Addr().String(), client: client, hostPub: hk.PublicKey(), logs: logs, dir: dir}
}

// dial connects with the given auth methods, pinning the host key.
func (ts *testServer) dial(user string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", ts.addr, &gossh.ClientConfig{
		User:            user,
		Auth:            auth,
		HostKeyCallback: gossh.FixedHostKey(ts.hostPub),
		Timeout:         5 * time.Second,
	})
}

// clientSession is an interactive session with a pty.
type clientSession struct {
	t    testing.TB
	c    *gossh.Client
	s    *gossh.Session
	in   io.WriteCloser
	out  *syncBuf
	errs *syncBuf
}

// open logs in with the test key and starts the UI on an 80×24 pty.
func (ts *testServer) open(t testing.TB, user string) *clientSession {
	t.Helper()
	c, err := ts.dial(user, gossh.PublicKeys(ts.client))
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	cs := openOn(t, c)
	t.Cleanup(func() { c.Close() })
	return cs
}

func openOn(t testing.TB, c *gossh.Client) *clientSession {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatalf("session: %v", err)
	}
	cs := &clientSession{t: t, c: c, s: s, out: &syncBuf{}, errs: &syncBuf{}}
	s.Stdout, s.Stderr = cs.out, cs.errs
	if cs.in, err = s.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := s.RequestPty("xterm-256color", 24, 80, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	return cs
}

// waitFor waits until the output contains want.
func (cs *clientSession) waitFor(want string) {
	cs.t.Helper()
	if !cs.out.waitFor(want, 10*time.Second) {
		cs.t.Fatalf("no %q in the output within 10 s; got %q (stderr %q)", want, cs.out.String(), cs.errs.String())
	}
}

// send types s.
func (cs *clientSession) send(s string) {
	cs.t.Helper()
	if _, err := io.WriteString(cs.in, s); err != nil {
		cs.t.Fatalf("write: %v", err)
	}
}

// wait waits for the session to end and returns its error (nil for exit
// status 0, *gossh.ExitError otherwise).
func (cs *clientSession) wait() error {
	done := make(chan error, 1)
	go func() { done <- cs.s.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		cs.t.Fatalf("session did not end within 10 s; output %q", cs.out.String())
		return nil
	}
}

// syncBuf is a bytes.Buffer safe for concurrent use.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuf) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuf) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// indexFrom returns the index of want in the buffer at or after off, or -1.
func (b *syncBuf) indexFrom(want string, off int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if off > b.b.Len() {
		return -1
	}
	i := strings.Index(b.b.String()[off:], want)
	if i < 0 {
		return -1
	}
	return off + i
}

func (b *syncBuf) waitFor(want string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if strings.Contains(b.String(), want) {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}

// netDial opens a plain TCP connection.
func netDial(addr string) (net.Conn, error) { return net.DialTimeout("tcp", addr, 5*time.Second) }
