package server

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"attractor/saved"
)

// ErrNoKeys is returned (wrapped) by [LoadAuthorizedKeys] when the file
// holds no usable public key: the server refuses to start rather than run
// open or locked.
var ErrNoKeys = errors.New("no authorized public keys")

// AuthorizedKeys is the set of public keys allowed to log in, read once
// from an OpenSSH authorized_keys file.
type AuthorizedKeys struct {
	keys map[string]string // key.Marshal() → comment
	// Skipped describes the lines that were not used: keys with options
	// (from=, command=, ...), which this server cannot honour, so it does
	// not accept those keys at all rather than accept them without the
	// restriction.
	Skipped []string
}

// LoadAuthorizedKeys reads an authorized_keys file. Blank lines and
// comments are ignored; a line that does not parse is an error naming it
// (OpenSSH would skip it, but a typo that silently locks a key out is
// worse at startup than a clear message). A file without any usable key is
// an error wrapping ErrNoKeys that says how to add one.
func LoadAuthorizedKeys(file string) (*AuthorizedKeys, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s does not exist; %s", ErrNoKeys, file, addKeyHint(file))
	}
	if err != nil {
		return nil, err
	}
	return parseAuthorizedKeys(file, data)
}

// parseAuthorizedKeys parses the content of the authorized_keys file file.
func parseAuthorizedKeys(file string, data []byte) (*AuthorizedKeys, error) {
	ak := &AuthorizedKeys{keys: map[string]string{}}
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		key, comment, options, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			// The parser's message may quote the line (an unknown key
			// type): shown through saved.Printable.
			return nil, fmt.Errorf("%s:%d: %s", saved.Printable(file), i+1, saved.Printable(err.Error()))
		}
		if len(options) > 0 {
			ak.Skipped = append(ak.Skipped, fmt.Sprintf("%s:%d: key %s has options %s, which attractor serve does not support; key not accepted (remove the options to accept it without them)",
				file, i+1, gossh.FingerprintSHA256(key), saved.Printable(strings.Join(options, ","))))
			continue
		}
		ak.keys[string(key.Marshal())] = comment
	}
	if len(ak.keys) == 0 {
		skipped := ""
		for _, sk := range ak.Skipped {
			skipped += "\n  skipped " + sk
		}
		return nil, fmt.Errorf("%w in %s%s\n%s", ErrNoKeys, file, skipped, addKeyHint(file))
	}
	return ak, nil
}

// addKeyHint tells the operator how to allow a key.
func addKeyHint(file string) string {
	return fmt.Sprintf("add the public key of each user, one per line, for example with\n"+
		"    cat ~/.ssh/id_ed25519.pub >> %s\n"+
		"(create one with ssh-keygen -t ed25519 if needed) and start again", file)
}

// Len returns the number of accepted keys.
func (a *AuthorizedKeys) Len() int { return len(a.keys) }

// Allowed reports whether key is one of the accepted keys.
func (a *AuthorizedKeys) Allowed(key gossh.PublicKey) bool {
	if a == nil || key == nil {
		return false
	}
	_, ok := a.keys[string(key.Marshal())]
	return ok
}
