package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"net"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	bm "github.com/charmbracelet/wish/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"attractor/saved"
)

// Session is what the UI of one SSH session is built from.
type Session struct {
	// Context ends when the session ends, when the user has been idle for
	// too long, or when the server shuts down; background work of the
	// session must stop with it.
	Context context.Context
	// Renderer is the session's own lipgloss renderer (see NewRenderer),
	// with the colour profile of the client's terminal. Build every style
	// from it, never from the global lipgloss functions, and never change
	// process-global lipgloss or ntcharts settings.
	Renderer *lipgloss.Renderer
	// Width and Height are the terminal size at the start; later sizes
	// arrive as tea.WindowSizeMsg (the first one too).
	Width, Height int
	// Root gives access to the files under the server's root directory
	// only; nil when the server has none. It is closed when the session
	// ends.
	Root *Root
	// Shared runs heavy analyses once for all sessions.
	Shared *Shared
	// User is the SSH user name, RemoteAddr the client's address and
	// KeyFingerprint the SHA-256 fingerprint of the public key the client
	// authenticated with.
	User, RemoteAddr, KeyFingerprint string
	// SaveDir is the directory of this key's saves, relative to the root:
	// [UserSaveDir] of the authenticated key. Users who log in with
	// different keys save into different directories; nothing creates it
	// before the first save.
	SaveDir string
}

// UserSaveDir returns the save directory of the user of key, relative to
// the root: "saves/" and the first 12 hexadecimal digits of the SHA-256
// hash of the key's wire form, the hash that its SHA256 fingerprint shows
// in base64.
func UserSaveDir(key gossh.PublicKey) string {
	sum := sha256.Sum256(key.Marshal())
	return "saves/" + hex.EncodeToString(sum[:6])
}

// AppFactory returns the root model of the UI of session s. It runs on the
// session's goroutine; a panic in it ends that session only.
type AppFactory func(s *Session) (tea.Model, error)

// Config configures a Server. HostKey, AuthorizedKeys and App are
// required; the zero value of every other field selects the default.
type Config struct {
	// Addr is the address ListenAndServe listens on (default
	// 127.0.0.1:2222).
	Addr string
	// HostKey is the server's private host key (see LoadHostKey).
	HostKey gossh.Signer
	// AuthorizedKeys are the public keys that may log in. Only public-key
	// authentication is offered: no password, keyboard-interactive or
	// "none".
	AuthorizedKeys *AuthorizedKeys
	// RootDir is the directory sessions may read and write files in ("":
	// none).
	RootDir string
	// App builds the UI of each session.
	App AppFactory
	// Shared is handed to every session (default: NewShared(NumCPU, 64)).
	Shared *Shared
	// MaxSessions bounds the sessions open at once (default 32); a session
	// beyond it is told the server is full.
	MaxSessions int
	// IdleTimeout ends a session without key presses for this long, with
	// a message (default 30 min); a connection without any traffic is
	// dropped connIdleGrace later (a backstop that must not pre-empt the
	// session's own timeout and its message).
	IdleTimeout time.Duration
	// MaxDuration ends every connection this long after it opened (default
	// 12 h).
	MaxDuration time.Duration
	// PreAuthTimeout closes a connection whose client has not begun to
	// authenticate (exchanged versions and keys and offered a public key)
	// this long after it opened (default 5 s): a connection that sends
	// nothing holds a slot for seconds, not for the login grace time.
	PreAuthTimeout time.Duration
	// LoginGrace is how long a connection may take to authenticate and
	// start its session (default 30 s); a client that began authenticating
	// in time may wait this long for its user's key passphrase.
	LoginGrace time.Duration
	// ConnBurst connections from one IP address may open at once; then one
	// more per ConnEvery (defaults 10 and 1 s).
	ConnBurst int
	ConnEvery time.Duration
	// MaxPreAuthPerIP bounds the connections from one IP address that have
	// not authenticated yet (default 4). Authenticated connections do not
	// count, and when every connection slot is taken the oldest
	// unauthenticated connection is closed to admit a new one, so silent or
	// slow clients cannot keep a user with a valid key out.
	MaxPreAuthPerIP int
	// Log receives one line per session start and end, refused connection
	// and recovered panic (default log.Default()). Keys are logged by
	// fingerprint only.
	Log *log.Logger
}

// Terminal sizes beyond these are clamped, so a client cannot make the UI
// allocate huge frames.
const (
	MaxWidth  = 1000
	MaxHeight = 500
)

// quitGrace is how long a program may take to quit before it is killed;
// hangUpGrace is how long Shutdown waits, once the sessions have ended, for
// clients to close their connections.
const (
	quitGrace   = 2 * time.Second
	hangUpGrace = time.Second
)

// Server serves the UI over SSH: one Bubble Tea program per session, with
// its own renderer, access to the root directory only, and a crash that
// ends that session and no other.
type Server struct {
	cfg      Config
	srv      *ssh.Server
	base     context.Context
	stop     context.CancelFunc
	sessions chan struct{} // one token per open session
	conns    chan struct{} // one token per open connection
	limiter  *ipLimiter
	pre      preAuth // connections not authenticated yet
	mu       sync.Mutex
	closing  bool           // Shutdown has begun: no new sessions
	wg       sync.WaitGroup // session handlers
	active   atomic.Int64
	panics   atomic.Int64
}

// connStateKey holds a *connState in the connection's context.
type connStateKey struct{}

type connState struct {
	started atomic.Bool // the client offered a public key
	authed  atomic.Bool // authenticated: a session handler runs
	conn    *countedConn
}

// New returns a Server for cfg.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.HostKey == nil:
		return nil, errors.New("server: no host key")
	case cfg.AuthorizedKeys == nil || cfg.AuthorizedKeys.Len() == 0:
		return nil, fmt.Errorf("server: %w", ErrNoKeys)
	case cfg.App == nil:
		return nil, errors.New("server: no app")
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:2222"
	}
	if cfg.Shared == nil {
		cfg.Shared = NewShared(runtime.NumCPU(), 64)
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = 32
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.MaxDuration <= 0 {
		cfg.MaxDuration = 12 * time.Hour
	}
	if cfg.PreAuthTimeout <= 0 {
		cfg.PreAuthTimeout = 5 * time.Second
	}
	if cfg.LoginGrace <= 0 {
		cfg.LoginGrace = 30 * time.Second
	}
	if cfg.MaxPreAuthPerIP <= 0 {
		cfg.MaxPreAuthPerIP = 4
	}
	if cfg.ConnBurst <= 0 {
		cfg.ConnBurst = 10
	}
	if cfg.ConnEvery <= 0 {
		cfg.ConnEvery = time.Second
	}
	if cfg.Log == nil {
		cfg.Log = log.Default()
	}
	s := &Server{
		cfg:      cfg,
		sessions: make(chan struct{}, cfg.MaxSessions),
		conns:    make(chan struct{}, 2*cfg.MaxSessions+8),
		limiter:  newIPLimiter(cfg.ConnEvery, cfg.ConnBurst, 4096),
		pre:      preAuth{perIP: map[string]int{}},
	}
	s.base, s.stop = context.WithCancel(context.Background())
	srv, err := wish.NewServer(
		wish.WithAddress(cfg.Addr),
		wish.WithPublicKeyAuth(s.publicKey),
		wish.WithIdleTimeout(cfg.IdleTimeout+connIdleGrace),
		wish.WithMaxTimeout(cfg.MaxDuration),
		ssh.WrapConn(s.wrapConn),
		func(srv *ssh.Server) error {
			srv.AddHostKey(cfg.HostKey)
			srv.Handler = s.handle
			srv.ConnectionFailedCallback = func(c net.Conn, err error) {
				cfg.Log.Printf("ssh: connection from %s failed: %s", c.RemoteAddr(), saved.Printable(err.Error()))
			}
			return nil
		},
	)
	if err != nil {
		return nil, err
	}
	// Belt and braces: only public keys, whatever the library defaults.
	srv.PasswordHandler, srv.KeyboardInteractiveHandler = nil, nil
	s.srv = srv
	return s, nil
}

// Fingerprint returns the SHA-256 fingerprint of the host key, which
// clients see on first connection.
// connIdleGrace is how much longer than Config.IdleTimeout a connection
// without traffic stays open.
const connIdleGrace = 15 * time.Second

func (s *Server) Fingerprint() string { return gossh.FingerprintSHA256(s.cfg.HostKey.PublicKey()) }

// Addr returns the configured listening address.
func (s *Server) Addr() string { return s.cfg.Addr }

// Sessions returns the number of sessions open now.
func (s *Server) Sessions() int { return int(s.active.Load()) }

// Panics returns the number of sessions that ended with a recovered panic.
func (s *Server) Panics() int { return int(s.panics.Load()) }

// ListenAndServe listens on the configured address and serves until
// Shutdown or Close; it then returns ssh.ErrServerClosed.
func (s *Server) ListenAndServe() error { return s.srv.ListenAndServe() }

// Serve serves connections accepted on l until Shutdown or Close.
func (s *Server) Serve(l net.Listener) error { return s.srv.Serve(l) }

// Shutdown stops accepting connections, asks every session's UI to quit
// and waits until the sessions have ended and their clients have hung up,
// or ctx ends; then it closes every connection left. It returns ctx's error
// if the sessions were cut short.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	s.stop()
	// ssh.Server.Shutdown closes the listeners, then waits for the
	// connections: call it once with a done context only to close the
	// listeners, and wait for the sessions first.
	closed, cancel := context.WithCancel(context.Background())
	cancel()
	s.srv.Shutdown(closed)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer s.logPanic("shutdown")
		s.wg.Wait()
	}()
	var err error
	select {
	case <-done:
		// The sessions have ended; their exit statuses are on the way.
		// Clients hang up once they have them (OpenSSH does at once);
		// others are cut after a short grace.
		hang, cancel := context.WithTimeout(ctx, hangUpGrace)
		s.srv.Shutdown(hang)
		cancel()
	case <-ctx.Done():
		err = ctx.Err()
	}
	s.srv.Close()
	s.cfg.Shared.Close()
	return err
}

// Close closes the listeners and every connection at once.
func (s *Server) Close() error {
	s.stop()
	err := s.srv.Close()
	s.cfg.Shared.Close()
	return err
}

// logPanic recovers a panic of a goroutine of the server and logs it.
func (s *Server) logPanic(where string) {
	if r := recover(); r != nil {
		s.panics.Add(1)
		s.cfg.Log.Printf("panic in %s (recovered): %v\n%s", where, r, debug.Stack())
	}
}

// wrapConn applies the per-IP rate limit, the per-IP bound on
// unauthenticated connections and the connection cap (closing the oldest
// unauthenticated connection when the cap is reached), and closes
// connections that have not begun to authenticate within the pre-auth
// timeout or have not authenticated within the login grace time.
func (s *Server) wrapConn(ctx ssh.Context, c net.Conn) net.Conn {
	if s.base.Err() != nil {
		return nil
	}
	ip := remoteIP(c.RemoteAddr())
	if !s.limiter.allow(ip) {
		s.cfg.Log.Printf("ssh: %s: too many connections from this address; refused", c.RemoteAddr())
		return nil
	}
	st := &connState{}
	cc := &countedConn{Conn: c}
	cc.release = func() {
		s.pre.remove(cc)
		<-s.conns
	}
	st.conn = cc
	s.pre.mu.Lock()
	if s.pre.perIP[ip] >= s.cfg.MaxPreAuthPerIP {
		s.pre.mu.Unlock()
		s.cfg.Log.Printf("ssh: %s: %d connections from this address are not authenticated yet; refused", c.RemoteAddr(), s.cfg.MaxPreAuthPerIP)
		return nil
	}
	var evicted *countedConn
	select {
	case s.conns <- struct{}{}:
	default:
		// Full: the oldest unauthenticated connection gives its slot.
		if len(s.pre.conns) == 0 {
			s.pre.mu.Unlock()
			s.cfg.Log.Printf("ssh: %s: connection limit (%d) reached; refused", c.RemoteAddr(), cap(s.conns))
			return nil
		}
		evicted = s.pre.conns[0]
		s.pre.removeLocked(evicted)
		evicted.once.Do(func() {}) // its slot is now the new connection's
	}
	s.pre.conns = append(s.pre.conns, cc)
	cc.ip = ip
	s.pre.perIP[ip]++
	s.pre.mu.Unlock()
	if evicted != nil {
		s.cfg.Log.Printf("ssh: %s: connection limit (%d) reached; closed the oldest unauthenticated connection, from %s", c.RemoteAddr(), cap(s.conns), evicted.RemoteAddr())
		evicted.Conn.Close()
	}
	ctx.SetValue(connStateKey{}, st)
	time.AfterFunc(s.cfg.PreAuthTimeout, func() {
		if !st.started.Load() && !st.authed.Load() {
			c.Close()
		}
	})
	time.AfterFunc(s.cfg.LoginGrace, func() {
		if !st.authed.Load() {
			c.Close()
		}
	})
	return cc
}

// preAuth lists the connections that have not authenticated yet, oldest
// first, and counts them per IP address.
type preAuth struct {
	mu    sync.Mutex
	conns []*countedConn
	perIP map[string]int
}

// remove forgets c if it is listed.
func (p *preAuth) remove(c *countedConn) {
	p.mu.Lock()
	p.removeLocked(c)
	p.mu.Unlock()
}

func (p *preAuth) removeLocked(c *countedConn) {
	for i, x := range p.conns {
		if x == c {
			p.conns = append(p.conns[:i], p.conns[i+1:]...)
			if p.perIP[c.ip]--; p.perIP[c.ip] <= 0 {
				delete(p.perIP, c.ip)
			}
			return
		}
	}
}

// publicKey accepts exactly the authorized keys.
func (s *Server) publicKey(ctx ssh.Context, key ssh.PublicKey) bool {
	if st, ok := ctx.Value(connStateKey{}).(*connState); ok {
		st.started.Store(true)
	}
	return s.cfg.AuthorizedKeys.Allowed(key)
}

// authenticated marks the connection of ctx as authenticated: it no longer
// counts against the bounds on unauthenticated connections.
func (s *Server) authenticated(ctx context.Context) {
	if st, ok := ctx.Value(connStateKey{}).(*connState); ok {
		st.authed.Store(true)
		s.pre.remove(st.conn)
	}
}

// handle runs one session: checks, then the UI. A panic anywhere in it is
// logged and ends this session only.
func (s *Server) handle(sess ssh.Session) {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		wish.Fatalln(sess, "attractor: the server is shutting down")
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	s.authenticated(sess.Context())
	start := time.Now()
	who := fmt.Sprintf("user=%q from=%s", sess.User(), sess.RemoteAddr())
	reason := "closed"
	defer func() {
		if r := recover(); r != nil {
			s.panics.Add(1)
			reason = "panic"
			s.cfg.Log.Printf("session %s: panic (recovered; session closed): %v\n%s", who, r, debug.Stack())
			wish.Fatalln(sess, "attractor: internal error; this session was closed")
		}
		s.cfg.Log.Printf("session end %s after=%s reason=%s", who, time.Since(start).Round(time.Millisecond), reason)
	}()

	// The key the connection authenticated with (taken by the ssh fork
	// from the connection's permissions, not the last key offered), checked
	// once more.
	key := sess.PublicKey()
	if !s.cfg.AuthorizedKeys.Allowed(key) {
		reason = "no authenticated key"
		wish.Fatalln(sess, "attractor: not authenticated")
		return
	}
	fp := gossh.FingerprintSHA256(key)
	who += " key=" + fp
	if len(sess.RawCommand()) > 0 {
		reason = "command refused"
		wish.Fatalln(sess, "attractor: this server only runs the terminal UI; connect without a command")
		return
	}
	pty, winCh, ok := sess.Pty()
	if !ok {
		reason = "no pty"
		wish.Fatalln(sess, "attractor: the UI needs a terminal; connect with ssh -t")
		return
	}
	select {
	case s.sessions <- struct{}{}:
		defer func() { <-s.sessions }()
	default:
		reason = "server full"
		wish.Fatalf(sess, "attractor: the server is full (%d sessions); try again later\n", cap(s.sessions))
		return
	}
	n := s.active.Add(1)
	defer s.active.Add(-1)
	w, h := clampWindow(pty.Window.Width, pty.Window.Height)
	s.cfg.Log.Printf("session start %s term=%q window=%dx%d sessions=%d", who, pty.Term, w, h, n)

	ctx, cancel := context.WithCancel(sess.Context())
	defer cancel()
	stopAfter := context.AfterFunc(s.base, cancel)
	defer stopAfter()

	ps := &Session{Context: ctx, Width: w, Height: h, Shared: s.cfg.Shared,
		User: sess.User(), RemoteAddr: sess.RemoteAddr().String(), KeyFingerprint: fp, SaveDir: UserSaveDir(key)}
	if s.cfg.RootDir != "" {
		r, err := OpenRoot(s.cfg.RootDir)
		if err != nil {
			reason = "root unavailable"
			s.cfg.Log.Printf("session %s: root directory: %v", who, err)
			wish.Fatalln(sess, "attractor: the file directory is unavailable")
			return
		}
		defer r.Close()
		ps.Root = r
	}
	ps.Renderer = NewRenderer(sess)
	m, err := s.cfg.App(ps)
	if err != nil {
		reason = "app failed"
		s.cfg.Log.Printf("session %s: starting the UI: %v", who, err)
		wish.Fatalln(sess, "attractor: could not start the UI:", err)
		return
	}
	reason = s.run(sess, ctx, cancel, m, winCh, who)
}

// run runs the Bubble Tea program of a session until it quits, the session
// context ends or the user is idle too long, and returns why it ended.
func (s *Server) run(sess ssh.Session, ctx context.Context, cancel context.CancelFunc, m tea.Model, winCh <-chan ssh.Window, who string) string {
	var lastInput atomic.Int64
	lastInput.Store(time.Now().UnixNano())
	var idled atomic.Bool
	pty, _, _ := sess.Pty()
	opts := append(bm.MakeOptions(sess),
		tea.WithAltScreen(),
		tea.WithMouseCellMotion(),
		tea.WithoutSignalHandler(),
		tea.WithEnvironment(append(sess.Environ(), "TERM="+pty.Term)),
		tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
			switch msg.(type) {
			case tea.KeyMsg, tea.MouseMsg:
				lastInput.Store(time.Now().UnixNano())
			}
			return msg
		}))
	p := tea.NewProgram(m, opts...)
	ended := make(chan struct{}) // closed when Run has returned

	var bg sync.WaitGroup
	bg.Add(2)
	// Window sizes (the first is the initial one), clamped.
	go func() {
		defer bg.Done()
		defer s.logPanic("window forwarding " + who)
		for {
			select {
			case <-ctx.Done():
				return
			case win, ok := <-winCh:
				if !ok {
					return
				}
				w, h := clampWindow(win.Width, win.Height)
				p.Send(tea.WindowSizeMsg{Width: w, Height: h})
			}
		}
	}()
	// Idle watchdog, and quitting (then killing) the program when the
	// session context ends.
	go func() {
		defer bg.Done()
		defer s.logPanic("watchdog " + who)
		idle := s.cfg.IdleTimeout
		t := time.NewTimer(idle)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				// Quit blocks while Update is busy: send it aside, and kill
				// the program if it has not quit after a grace period.
				go func() {
					defer s.logPanic("quit " + who)
					p.Quit()
				}()
				k := time.NewTimer(quitGrace)
				defer k.Stop()
				select {
				case <-k.C:
					p.Kill()
				case <-ended:
				}
				return
			case <-t.C:
				since := time.Since(time.Unix(0, lastInput.Load()))
				if since >= idle {
					idled.Store(true)
					cancel()
					continue
				}
				t.Reset(idle - since)
			}
		}
	}()

	_, err := p.Run()
	// The client went away (closed its connection or channel) before the
	// UI quit: the session context ended, not our cancel.
	dropped := sess.Context().Err() != nil
	p.Kill()
	cancel()
	close(ended)
	bg.Wait()
	switch {
	case errors.Is(err, tea.ErrProgramPanic):
		s.panics.Add(1)
		s.cfg.Log.Printf("session %s: the UI panicked (recovered; session closed): %v", who, err)
		wish.Fatalln(sess, "\r\nattractor: internal error; this session was closed")
		return "ui panic"
	case idled.Load():
		wish.Println(sess, "attractor: closed after", s.cfg.IdleTimeout, "without input")
		return "idle"
	case s.base.Err() != nil:
		wish.Println(sess, "attractor: the server is shutting down")
		return "shutdown"
	case dropped:
		return "disconnected"
	case err != nil && !errors.Is(err, tea.ErrProgramKilled):
		s.cfg.Log.Printf("session %s: UI: %v", who, err)
		return "ui error"
	}
	return "quit"
}

// clampWindow bounds a terminal size to [1, MaxWidth] × [1, MaxHeight].
func clampWindow(w, h int) (int, int) {
	return min(max(w, 1), MaxWidth), min(max(h, 1), MaxHeight)
}
