package cli

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"

	"attractor/tui"
	"attractor/tui/server"
)

func init() {
	register(&command{name: "serve",
		args:  "[--addr 127.0.0.1:2222] [--authorized-keys FILE] [--host-key FILE] [--root DIR] [--workers N]",
		short: "serve the terminal UI over SSH to holders of authorized keys",
		run:   runServe})
}

// serveCacheSize is the number of analysis results the server keeps for
// later sessions.
const serveCacheSize = 64

// serveShutdownWait bounds how long SIGTERM waits for sessions to close.
const serveShutdownWait = 10 * time.Second

// runServe runs the SSH server until SIGTERM or SIGINT.
func runServe(env *Env, args []string) error {
	c := commands["serve"]
	fs := newFlags(env, c)
	addr := fs.String("addr", "127.0.0.1:2222", "address to listen on (port 0: any free port)")
	akFile := fs.String("authorized-keys", "", "OpenSSH authorized_keys file of the users allowed in (default ~/.ssh/authorized_keys)")
	hkFile := fs.String("host-key", "", "the server's private host key, generated (mode 0600) if missing (default in the user config dir)")
	root := fs.String("root", "", "directory sessions may open networks from and save into (default: none, the gallery only)")
	maxSessions := fs.Int("max-sessions", 32, "sessions open at once")
	idle := fs.Duration("idle-timeout", 30*time.Minute, "close a session after this long without a key press")
	workers := fs.Int("workers", runtime.NumCPU(), "heavy analyses (fixed points, verdicts) run at once, shared by all sessions")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	if *maxSessions < 1 || *idle <= 0 || *workers < 1 {
		return usageError("--max-sessions, --idle-timeout and --workers must be positive")
	}
	if *akFile == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return fmt.Errorf("no --authorized-keys and no home directory: %w", err)
		}
		*akFile = filepath.Join(home, ".ssh", "authorized_keys")
	}
	if *hkFile == "" {
		p, err := server.DefaultHostKeyPath()
		if err != nil {
			return fmt.Errorf("no --host-key and no config directory: %w", err)
		}
		*hkFile = p
	}
	rootDir := ""
	if *root != "" {
		abs, err := filepath.Abs(*root)
		if err != nil {
			return err
		}
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
			return usageError("--root %s is not a directory", *root)
		}
		rootDir = abs
	}

	keys, err := server.LoadAuthorizedKeys(*akFile)
	if err != nil {
		return err
	}
	for _, s := range keys.Skipped {
		fmt.Fprintln(env.Stderr, "warning:", s)
	}
	hostKey, created, err := server.LoadHostKey(*hkFile)
	if err != nil {
		return err
	}
	gallery := tui.EmbeddedGallery()
	logger := log.New(env.Stderr, "", log.LstdFlags)
	srv, err := server.New(server.Config{
		Addr:           *addr,
		HostKey:        hostKey,
		AuthorizedKeys: keys,
		RootDir:        rootDir,
		App:            serveApp(rootDir, gallery),
		Shared:         server.NewShared(*workers, serveCacheSize),
		MaxSessions:    *maxSessions,
		IdleTimeout:    *idle,
		Log:            logger,
	})
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	state := "existing"
	if created {
		state = "new"
	}
	fmt.Fprintf(env.Stdout, "attractor serve: host key %s (%s, %s)\n", srv.Fingerprint(), state, *hkFile)
	fmt.Fprintf(env.Stdout, "attractor serve: %d authorized key(s) from %s; files: %s\n", keys.Len(), *akFile, serveOrNone(rootDir))
	fmt.Fprintf(env.Stdout, "attractor serve: listening on %s (connect with: ssh -p %s HOST)\n", l.Addr(), servePort(l.Addr()))

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sig)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	select {
	case err := <-served:
		if errors.Is(err, ssh.ErrServerClosed) {
			return nil
		}
		return err
	case s := <-sig:
		fmt.Fprintf(env.Stdout, "attractor serve: %v: closing %d session(s) (waiting up to %v)\n", s, srv.Sessions(), serveShutdownWait)
		ctx, cancel := context.WithTimeout(context.Background(), serveShutdownWait)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			fmt.Fprintf(env.Stdout, "attractor serve: sessions still open after %v were cut\n", serveShutdownWait)
		}
		<-served
		fmt.Fprintln(env.Stdout, "attractor serve: stopped")
		return nil
	}
}

// serveApp returns the factory of the full UI of one SSH session: the
// session's renderer and context, the root directory, the key's own save
// directory under it, the gallery, and the server's shared analyses.
func serveApp(rootDir string, gallery tui.Gallery) server.AppFactory {
	return func(s *server.Session) (tea.Model, error) {
		uc := tui.NewContext(s.Context, s.Renderer)
		uc.Root = rootDir
		uc.SaveDir = s.SaveDir
		if s.Shared != nil {
			uc.Cache = s.Shared
		}
		uc.Gallery = gallery
		if gallery == nil || len(gallery.Entries()) == 0 {
			return nil, errors.New("the gallery is empty")
		}
		return tui.New(uc, "", nil), nil
	}
}

func serveOrNone(dir string) string {
	if dir == "" {
		return "none (gallery only; use --root DIR)"
	}
	return "under " + dir
}

func servePort(a net.Addr) string {
	_, p, err := net.SplitHostPort(a.String())
	if err != nil {
		return "PORT"
	}
	return p
}
