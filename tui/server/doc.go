// Package server serves attractor's terminal UI over SSH with wish: every
// session gets its own Bubble Tea program, and nothing one session does can
// reach another session or the files outside one directory.
//
// Authentication is by public key only, against an OpenSSH authorized_keys
// file read at start ([LoadAuthorizedKeys]); a file without keys stops the
// server from starting, and password, keyboard-interactive and "none" are
// never offered. The session trusts only the key the connection
// authenticated with, never the last key offered (the CVE-2024-45337
// pattern). The host key is generated on first start and kept with mode
// 0600 ([LoadHostKey]); a key file others can read is refused.
//
// Each session's UI comes from an [AppFactory] given a [Session]: its
// context (cancelled when the session ends, idles or the server shuts
// down), its own lipgloss renderer ([NewRenderer]), its terminal size, a
// [Root] that opens files under the root directory only (os.OpenRoot: no
// "..", no absolute names, no symbolic link out), and the [Shared] cache
// that runs a heavy analysis once for every session that asks for it
// (deduplicated by content hash and request, bounded by a worker limit; a
// *Shared is the UI's tui.Cache), and SaveDir, the directory under the
// root where the user of that key saves ([UserSaveDir]: "saves/" and 12
// hex digits of the key's SHA-256 hash).
//
// A panic in a session's UI (Update, View, commands) or in its setup is
// recovered, logged and ends that session only. Sessions are capped
// (Config.MaxSessions), close after Config.IdleTimeout without a key press,
// and connections are rate-limited per IP address, capped in number and
// given Config.LoginGrace to authenticate. [Server.Shutdown] asks every UI
// to quit and waits a bounded time. Terminal sizes are clamped to
// MaxWidth × MaxHeight.
package server
