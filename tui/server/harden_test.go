package server

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// TestSilentConnectionsDoNotLockOut: 80 TCP connections that never send a
// byte, 10 each from 127.0.0.2…9, do not keep a client with a valid key
// from 127.0.0.1 out.
func TestSilentConnectionsDoNotLockOut(t *testing.T) {
	ts := startServer(t, Config{})
	var silent []net.Conn
	defer func() {
		for _, c := range silent {
			c.Close()
		}
	}()
	for host := 2; host <= 9; host++ {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(host))}, Timeout: 2 * time.Second}
		for range 10 {
			c, err := d.Dial("tcp", ts.addr)
			if err != nil {
				t.Skipf("cannot dial from 127.0.0.%d: %v", host, err)
			}
			silent = append(silent, c)
		}
	}
	time.Sleep(100 * time.Millisecond) // let the server accept them all
	c, err := ts.dial("alice", gossh.PublicKeys(ts.client))
	if err != nil {
		t.Fatalf("a valid key was refused while silent connections were open: %v", err)
	}
	defer c.Close()
	cs := openOn(t, c)
	cs.waitFor("fake")
}

// TestPreAuthTimeout: a connection that sends nothing is closed after the
// pre-auth timeout, well before the login grace time.
func TestPreAuthTimeout(t *testing.T) {
	ts := startServer(t, Config{PreAuthTimeout: 200 * time.Millisecond, LoginGrace: time.Minute})
	conn, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 256)
	for {
		if _, err := conn.Read(buf); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("a silent connection stayed open for 5 s")
			}
			break
		}
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("closed after %v", d)
	}
}

// TestPreAuthPerIP: one address cannot hold more than MaxPreAuthPerIP
// unauthenticated connections.
func TestPreAuthPerIP(t *testing.T) {
	ts := startServer(t, Config{MaxPreAuthPerIP: 2, ConnBurst: 100})
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 3 {
		c, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	// One of the three (whichever the server handled last) is closed at
	// once; the other two stay open until the pre-auth timeout (5 s).
	closed := make(chan bool, len(conns))
	for _, c := range conns {
		go func() {
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			buf := make([]byte, 256)
			for {
				if _, err := c.Read(buf); err != nil {
					var ne net.Error
					closed <- !(errors.As(err, &ne) && ne.Timeout())
					return
				}
			}
		}()
	}
	n := 0
	for range conns {
		if <-closed {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d of 3 unauthenticated connections from one address were closed at once, want 1", n)
	}
	if !ts.logs.waitFor("not authenticated yet; refused", 2*time.Second) {
		t.Error("the refusal is not logged")
	}
}

// TestDisconnectLogged: a client that drops its connection is logged as
// disconnected, not as having quit.
func TestDisconnectLogged(t *testing.T) {
	ts := startServer(t, Config{})
	cs := ts.open(t, "bob")
	cs.waitFor("fake")
	cs.c.Close() // no q: the connection just goes
	if !ts.logs.waitFor("reason=disconnected", 5*time.Second) {
		t.Errorf("no reason=disconnected in the log:\n%s", ts.logs)
	}
	if strings.Contains(ts.logs.String(), "reason=quit") {
		t.Errorf("an abrupt disconnect logged as a quit:\n%s", ts.logs)
	}
}

// TestAuthorizedKeysOnlyOptions: a file whose keys all carry options is
// refused with an error that names them, not a bare "no keys".
func TestAuthorizedKeysOnlyOptions(t *testing.T) {
	_, line := testKey(t)
	name := filepath.Join(t.TempDir(), "authorized_keys")
	os.WriteFile(name, []byte(`from="10.0.0.0/8",no-pty `+line), 0o600)
	_, err := LoadAuthorizedKeys(name)
	if !errors.Is(err, ErrNoKeys) || !strings.Contains(err.Error(), "from=") || !strings.Contains(err.Error(), "authorized_keys:1") {
		t.Errorf("error %v, want ErrNoKeys naming the key with options", err)
	}
}

// FuzzAuthorizedKeys feeds arbitrary authorized_keys files to the parser.
func FuzzAuthorizedKeys(f *testing.F) {
	_, line := testKey(f)
	f.Add([]byte("# comment\n" + line))
	f.Add([]byte(`command="/bin/sh",from="*" ` + line))
	f.Add([]byte("ssh-ed25519 AAAA\n"))
	f.Add([]byte("\x00\x1b[2J\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ak, err := parseAuthorizedKeys("authorized_keys", b)
		if err == nil && ak.Len() == 0 {
			t.Fatal("no error and no key")
		}
		if err != nil && strings.ContainsAny(err.Error(), "\x1b\x07") {
			t.Fatalf("raw escapes in the error: %q", err)
		}
	})
}

// TestRootReadFileFIFO: a named pipe under the root is refused, not opened.
func TestRootReadFileFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.npz"), 0o644); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	r, err := OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	done := make(chan error, 1)
	go func() { _, err := r.ReadFile("fifo.npz", 0); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "pipe") {
			t.Errorf("error %v, want one saying it is a pipe", err)
		}
	case <-time.After(3 * time.Second):
		t.Error("ReadFile blocked on a FIFO")
		if w, err := os.OpenFile(filepath.Join(dir, "fifo.npz"), os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		<-done
	}
}
