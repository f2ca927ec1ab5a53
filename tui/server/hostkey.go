package server

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// LoadHostKey reads the server's private host key from file; when the file
// does not exist it generates an Ed25519 key and writes it there (mode
// 0600, creating missing directories with mode 0700). It refuses a key
// file that group or others may read or write, since a leaked host key lets
// anyone impersonate the server. created reports whether the key is new.
func LoadHostKey(file string) (signer gossh.Signer, created bool, err error) {
	fi, err := os.Stat(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := writeHostKey(file); err != nil {
			return nil, false, err
		}
		created = true
		if fi, err = os.Stat(file); err != nil {
			return nil, false, err
		}
	case err != nil:
		return nil, false, err
	}
	if !fi.Mode().IsRegular() {
		return nil, false, fmt.Errorf("host key %s is not a regular file", file)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, false, fmt.Errorf("host key %s has mode %04o: it must be readable only by its owner; run  chmod 600 %s  (or remove it to generate a new key)",
			file, perm, file)
	}
	pemBytes, err := os.ReadFile(file)
	if err != nil {
		return nil, false, err
	}
	signer, err = gossh.ParsePrivateKey(pemBytes)
	if err != nil {
		return nil, false, fmt.Errorf("host key %s: %w", file, err)
	}
	return signer, created, nil
}

// writeHostKey generates an Ed25519 key and writes it to file in OpenSSH
// PEM form, failing if the file appeared meanwhile.
func writeHostKey(file string) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	block, err := gossh.MarshalPrivateKey(priv, "attractor serve host key")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("writing host key: %w", err)
	}
	if err := pem.Encode(f, block); err != nil {
		f.Close()
		os.Remove(file)
		return fmt.Errorf("writing host key: %w", err)
	}
	return f.Close()
}

// DefaultHostKeyPath returns where the host key is kept when no path is
// given: attractor/ssh_host_ed25519_key under the user's configuration
// directory.
func DefaultHostKeyPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "attractor", "ssh_host_ed25519_key"), nil
}
