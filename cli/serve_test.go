package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"attractor/saved"
	"attractor/tui"
	"attractor/tui/server"
)

func TestServeRefusesWithoutKeys(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(empty, []byte("# nobody yet\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hk := filepath.Join(dir, "hk")
	for _, ak := range []string{empty, filepath.Join(dir, "missing")} {
		code, out, errOut := run("serve", "--addr", "127.0.0.1:0", "--authorized-keys", ak, "--host-key", hk)
		if code != 1 || !strings.Contains(errOut, "no authorized public keys") || !strings.Contains(errOut, "cat ~/.ssh/id_ed25519.pub >> "+ak) {
			t.Errorf("%s: code %d, stderr %q; want 1 and how to add a key", filepath.Base(ak), code, errOut)
		}
		if strings.Contains(out, "listening") {
			t.Errorf("%s: the server started: %q", filepath.Base(ak), out)
		}
	}
}

func TestServeRefusesLooseHostKey(t *testing.T) {
	dir := t.TempDir()
	ak, _ := serveClientKey(t, dir)
	hk := filepath.Join(dir, "hk")
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hk, pem.EncodeToMemory(block), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(hk, 0o644) // whatever the umask
	code, _, errOut := run("serve", "--addr", "127.0.0.1:0", "--authorized-keys", ak, "--host-key", hk)
	if code != 1 || !strings.Contains(errOut, "mode 0644") || !strings.Contains(errOut, "chmod 600") {
		t.Errorf("code %d, stderr %q; want 1 and a refusal naming the mode", code, errOut)
	}
}

func TestServeUsage(t *testing.T) {
	for _, args := range [][]string{{"serve", "extra"}, {"serve", "--max-sessions", "0"}, {"serve", "--root", "/nonexistent/dir"}, {"serve", "--workers", "0"}} {
		if code, _, errOut := run(args...); code != 2 || !strings.Contains(errOut, "usage: attractor serve") {
			t.Errorf("%q: code %d, stderr %q", args, code, errOut)
		}
	}
}

// serveClientKey writes a client key pair into dir (id_ed25519, mode 0600)
// and an authorized_keys file holding its public key; it returns the
// authorized_keys path and the signer.
func serveClientKey(t testing.TB, dir string) (string, gossh.Signer) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "test client")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "id_ed25519"), pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	ak := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(ak, gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	return ak, signer
}

// serveBinary builds attractor into a temporary directory of t.
func serveBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "attractor")
	if out, err := exec.Command("go", "build", "-o", bin, "attractor").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// serveProc is a running `attractor serve`.
type serveProc struct {
	cmd     *exec.Cmd
	port    string
	out     *serveBuf // stdout
	log     *serveBuf // stderr
	done    chan struct{}
	waitErr error
}

// startServe starts the binary with a fresh key pair and host key in dir,
// on a free loopback port, and waits for it to listen.
func startServe(t *testing.T, dir string, extra ...string) *serveProc {
	t.Helper()
	bin := serveBinary(t)
	ak, _ := serveClientKey(t, dir)
	root := filepath.Join(dir, "root")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--authorized-keys", ak,
		"--host-key", filepath.Join(dir, "state", "host_key"), "--root", root}, extra...)
	p := &serveProc{cmd: exec.Command(bin, args...), out: &serveBuf{}, log: &serveBuf{}, done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), "HOME="+dir)
	p.cmd.Stderr = p.log
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		io.Copy(p.out, stdout)
		p.waitErr = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("server stdout:\n%s\nserver log:\n%s", p.out, p.log)
		}
	})
	re := regexp.MustCompile(`listening on 127\.0\.0\.1:(\d+)`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := re.FindStringSubmatch(p.out.String()); m != nil {
			p.port = m[1]
			break
		}
		select {
		case <-p.done:
			t.Fatalf("serve exited: %v\n%s\n%s", p.waitErr, p.out, p.log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not listen within 20 s:\n%s\n%s", p.out, p.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(p.out.String(), "host key SHA256:") {
		t.Errorf("no host key fingerprint printed: %q", p.out)
	}
	return p
}

// stop sends SIGTERM and waits for the exit (at most limit).
func (p *serveProc) stop(t *testing.T, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(limit):
		t.Fatalf("serve did not exit within %v of SIGTERM", limit)
	}
	if p.waitErr != nil {
		t.Errorf("serve exited with %v", p.waitErr)
	}
	if !strings.Contains(p.out.String(), "attractor serve: stopped") {
		t.Errorf("no stop message: %q", p.out)
	}
	return time.Since(start)
}

// serveRSSKiB returns the resident set size of process pid.
func serveRSSKiB(pid int) int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

// TestServeEndToEndTmux runs the real binary as a server and the real
// OpenSSH client in tmux: log in, see the UI, press a key, resize, quit;
// then a second session is open when SIGTERM arrives, and the server closes
// it and exits.
func TestServeEndToEndTmux(t *testing.T) {
	for _, tool := range []string{"tmux", "ssh"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (CI installs tmux and openssh-client): the end-to-end test needs it", tool)
		}
	}
	dir := t.TempDir()
	p := startServe(t, dir)
	sock := fmt.Sprintf("attractor-serve-e2e-%d", os.Getpid())
	tm := func(args ...string) (string, error) {
		out, err := exec.Command("tmux", append([]string{"-L", sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() { tm("kill-server") })
	// ssh runs under sh, which writes its exit status to NAME.status: tmux
	// does not always show or record it by the time the pane is dead.
	open := func(name string) {
		t.Helper()
		sshCmd := []string{"env", "TERM=xterm-256color", "sh", "-c",
			"ssh -tt -F /dev/null -i \"$0\" -p \"$1\" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null " +
				"-o IdentitiesOnly=yes -o BatchMode=yes -o LogLevel=ERROR tester@127.0.0.1; echo $? > \"$2\"",
			filepath.Join(dir, "id_ed25519"), p.port, filepath.Join(dir, name+".status")}
		args := append([]string{"new-session", "-d", "-s", "app", "-x", "120", "-y", "40"}, sshCmd...)
		if name != "app" {
			args = append([]string{"new-window", "-d", "-t", "app", "-n", name}, sshCmd...)
		}
		if out, err := tm(args...); err != nil {
			t.Fatalf("tmux: %v\n%s", err, out)
		}
		// Keep windows (and the tmux server) after ssh ends.
		tm("set-option", "-g", "remain-on-exit", "on")
	}
	exitStatus := func(name string) string {
		t.Helper()
		for end := time.Now().Add(60 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			if b, err := os.ReadFile(filepath.Join(dir, name+".status")); err == nil && len(b) > 0 {
				return strings.TrimSpace(string(b))
			}
		}
		t.Fatalf("ssh in window %s did not exit within 60 s", name)
		return ""
	}
	screen := func(target string) string {
		out, _ := tm("capture-pane", "-p", "-t", target)
		return out
	}
	waitFor := func(target, what string, ok func(string) bool) string {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			s := screen(target)
			if ok(s) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; screen:\n%s", what, s)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	has := func(sub string) func(string) bool { return func(s string) bool { return strings.Contains(s, sub) } }

	open("app")
	s := waitFor("app", "the UI over SSH", has("fixed points:"))
	for _, title := range []string{"Networks", "Phase portrait", "Eigenvalues"} {
		if !strings.Contains(s, title) {
			t.Errorf("no pane %q on the screen:\n%s", title, s)
		}
	}
	tm("send-keys", "-t", "app", "k")
	waitFor("app", "the kick after k", has("kick 1"))
	// s saves into the key's own directory under the root.
	tm("send-keys", "-t", "app", "s")
	waitFor("app", "the save after s", has("saved saves/"))
	if got, _ := filepath.Glob(filepath.Join(dir, "root", "saves", "*", "*-state.npz")); len(got) != 1 {
		t.Errorf("saved networks under root/saves/*/: %q, want one", got)
	}
	tm("resize-window", "-t", "app", "-x", "140", "-y", "36")
	waitFor("app", "the status line at 140 columns (family and N shown from 100 columns)", has(" N="))
	tm("send-keys", "-t", "app", "q")
	if st := exitStatus("app"); st != "0" {
		t.Errorf("ssh exit status %s after q, want 0", st)
	}

	// A session open during SIGTERM is closed, and the server exits.
	open("second")
	waitFor("app:second", "the second session", has("Phase portrait"))
	d := p.stop(t, 15*time.Second)
	if st := exitStatus("second"); st != "0" {
		t.Errorf("ssh exit status %s after SIGTERM, want 0 (the session closed, not the connection cut)", st)
	}
	t.Logf("SIGTERM with one open session: server exited after %v", d.Round(time.Millisecond))
	if l := p.log.String(); !strings.Contains(l, "reason=quit") || !strings.Contains(l, "reason=shutdown") {
		t.Errorf("server log lacks the session ends:\n%s", l)
	}
}

// TestServeLoad opens 20 sessions of the real UI on the real binary over
// loopback (x/crypto/ssh clients), waits for their analyses, then has each
// press k (a kick: the state, the portrait and the status line change)
// every 100 ms for 3 s. It logs the server's resident memory per session
// and the key→frame latency: the time from sending the key to the first
// bytes of the next frame.
func TestServeLoad(t *testing.T) {
	const (
		sessions = 20
		duration = 3 * time.Second
		pace     = 100 * time.Millisecond
	)
	dir := t.TempDir()
	p := startServe(t, dir, "--max-sessions", strconv.Itoa(sessions))
	keyPEM, err := os.ReadFile(filepath.Join(dir, "id_ed25519"))
	if err != nil {
		t.Fatal(err)
	}
	client, err := gossh.ParsePrivateKey(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	rss0 := serveRSSKiB(p.cmd.Process.Pid)

	type sess struct {
		c   *gossh.Client
		s   *gossh.Session
		in  io.WriteCloser
		out *serveBuf
	}
	// The per-IP limit allows a burst of 10 connections (then one a
	// second), so the 20 sessions share 10 connections, two on each.
	all := make([]*sess, sessions)
	var c *gossh.Client
	for i := range all {
		if i%2 == 0 {
			c, err = gossh.Dial("tcp", "127.0.0.1:"+p.port, &gossh.ClientConfig{User: fmt.Sprintf("load%d", i),
				Auth: []gossh.AuthMethod{gossh.PublicKeys(client)}, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
			if err != nil {
				t.Fatalf("connection %d: %v", i/2, err)
			}
			defer c.Close()
		}
		s, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		x := &sess{c: c, s: s, out: &serveBuf{}}
		s.Stdout = x.out
		if x.in, err = s.StdinPipe(); err != nil {
			t.Fatal(err)
		}
		if err := s.RequestPty("xterm-256color", 40, 120, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.Shell(); err != nil {
			t.Fatal(err)
		}
		all[i] = x
	}
	// Wait until every session shows its fixed points (analysis done).
	analyse := time.Now()
	for _, x := range all {
		for !strings.Contains(ansi.Strip(x.out.String()), "fixed points:") {
			if time.Since(analyse) > 120*time.Second {
				t.Fatal("sessions still analysing after 120 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Logf("%d sessions opened and analysed in %v", sessions, time.Since(analyse).Round(time.Millisecond))
	time.Sleep(300 * time.Millisecond)
	rss1 := serveRSSKiB(p.cmd.Process.Pid)

	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for _, x := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Since(start) < duration {
				n := x.out.Len()
				sent := time.Now()
				if _, err := x.in.Write([]byte("k")); err != nil {
					t.Error(err)
					return
				}
				for x.out.Len() == n {
					if time.Since(sent) > 10*time.Second {
						t.Error("no frame within 10 s of a key")
						return
					}
					time.Sleep(200 * time.Microsecond)
				}
				mine = append(mine, time.Since(sent))
				time.Sleep(max(0, pace-time.Since(sent)))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	rss2 := serveRSSKiB(p.cmd.Process.Pid)
	for _, x := range all {
		io.WriteString(x.in, "q")
	}
	for i, x := range all {
		if err := x.s.Wait(); err != nil {
			t.Errorf("session %d ended with %v", i, err)
		}
	}
	if len(lat) < sessions*5 {
		t.Fatalf("only %d frames", len(lat))
	}
	slices.Sort(lat)
	q := func(f float64) time.Duration {
		return lat[min(len(lat)-1, int(f*float64(len(lat))))].Round(10 * time.Microsecond)
	}
	t.Logf("real UI, %d sessions: server RSS %d MiB idle, %d MiB with sessions analysed (%.1f MiB/session), %d MiB after typing",
		sessions, rss0/1024, rss1/1024, float64(rss1-rss0)/1024/sessions, rss2/1024)
	t.Logf("key→frame latency over %d kicks: p50 %v, p90 %v, p99 %v, max %v", len(lat), q(0.5), q(0.9), q(0.99), lat[len(lat)-1])
	if q(0.99) > 2*time.Second {
		t.Errorf("p99 latency %v over 2 s", q(0.99))
	}
	p.stop(t, 15*time.Second)
}

// serveBuf is a bytes buffer safe for concurrent use.
type serveBuf struct {
	mu sync.Mutex
	b  []byte
}

func (b *serveBuf) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.b = append(b.b, p...)
	return len(p), nil
}

func (b *serveBuf) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.b)
}

func (b *serveBuf) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.b)
}

// TestServeSavesPerKey serves the real UI in process to two users with
// different keys, over x/crypto/ssh: each presses s, and the files land in
// the key's own directory under the root, complete, with the path on the
// status line; a second save of the same user is numbered.
func TestServeSavesPerKey(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	var signers []gossh.Signer
	var lines []byte
	for range 2 {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		sg, err := gossh.NewSignerFromKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		signers = append(signers, sg)
		lines = append(lines, gossh.MarshalAuthorizedKey(sg.PublicKey())...)
	}
	akFile := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(akFile, lines, 0o600); err != nil {
		t.Fatal(err)
	}
	keys, err := server.LoadAuthorizedKeys(akFile)
	if err != nil {
		t.Fatal(err)
	}
	hk, _, err := server.LoadHostKey(filepath.Join(dir, "host_key"))
	if err != nil {
		t.Fatal(err)
	}
	shared := server.NewShared(1, 8)
	srv, err := server.New(server.Config{HostKey: hk, AuthorizedKeys: keys, RootDir: root,
		App: serveApp(root, tui.EmbeddedGallery()), Shared: shared, Log: log.New(io.Discard, "", 0)})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })

	// session logs in with key k, presses s saves times and q, and
	// returns the screen output.
	session := func(k gossh.Signer, saves int) string {
		t.Helper()
		c, err := gossh.Dial("tcp", l.Addr().String(), &gossh.ClientConfig{User: "tester",
			Auth: []gossh.AuthMethod{gossh.PublicKeys(k)}, HostKeyCallback: gossh.FixedHostKey(hk.PublicKey()), Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		s, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		out := &serveBuf{}
		s.Stdout, s.Stderr = out, out
		in, err := s.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		// Wide enough for the whole status line, save message included.
		if err := s.RequestPty("xterm", 40, 400, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.Shell(); err != nil {
			t.Fatal(err)
		}
		waitOut := func(want string, from int) int {
			t.Helper()
			for end := time.Now().Add(90 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
				if i := strings.Index(out.String()[from:], want); i >= 0 {
					return from + i + len(want)
				}
			}
			t.Fatalf("no %q on the screen within 30 s:\n%s", want, ansi.Strip(out.String()))
			return 0
		}
		off := waitOut("Phase portrait", 0)
		for range saves {
			io.WriteString(in, "s")
			off = waitOut("saved saves/", off)
		}
		io.WriteString(in, "q")
		s.Wait()
		return ansi.Strip(out.String())
	}

	dirs := map[string]bool{}
	for i, k := range signers {
		screen := session(k, i+1)
		want := server.UserSaveDir(k.PublicKey())
		dirs[want] = true
		if !strings.Contains(screen, "saved "+want+"/00-sine-force-step0-state.npz, 00-sine-force-step0-plot.txt") {
			t.Errorf("key %d: the status line does not name %s/…", i, want)
		}
		ents, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(want)))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		wantNames := []string{"00-sine-force-step0-plot.txt", "00-sine-force-step0-state.npz"}
		if i == 1 {
			wantNames = []string{"00-sine-force-step0-2-plot.txt", "00-sine-force-step0-2-state.npz",
				"00-sine-force-step0-plot.txt", "00-sine-force-step0-state.npz"}
		}
		if !slices.Equal(names, wantNames) {
			t.Errorf("key %d: %s holds %q, want %q", i, want, names, wantNames)
		}
		n, err := saved.ReadNative(filepath.Join(root, filepath.FromSlash(want), "00-sine-force-step0-state.npz"))
		if err != nil {
			t.Fatalf("key %d: the saved network does not read: %v", i, err)
		}
		if n.Net.Dims().State != 100 {
			t.Errorf("key %d: saved network has N = %d, want 100", i, n.Net.Dims().State)
		}
	}
	if len(dirs) != 2 {
		t.Errorf("two keys saved into %d directories", len(dirs))
	}
	if ents, _ := os.ReadDir(filepath.Join(root, "saves")); len(ents) != 2 {
		t.Errorf("root/saves holds %d entries, want the 2 key directories", len(ents))
	}
}
