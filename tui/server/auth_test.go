package server

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadAuthorizedKeys(t *testing.T) {
	dir := t.TempDir()
	k1, l1 := testKey(t)
	k2, l2 := testKey(t)
	k3, l3 := testKey(t)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	ak, err := LoadAuthorizedKeys(write("ok", "# comment\n\n"+l1+`from="10.0.0.0/8" `+l2+"  "+l3))
	if err != nil {
		t.Fatal(err)
	}
	if ak.Len() != 2 || !ak.Allowed(k1.PublicKey()) || !ak.Allowed(k3.PublicKey()) {
		t.Errorf("keys without options not accepted: Len %d", ak.Len())
	}
	if ak.Allowed(k2.PublicKey()) || len(ak.Skipped) != 1 || !strings.Contains(ak.Skipped[0], "from=") {
		t.Errorf("a key with from= must be skipped, not accepted without the restriction: %v", ak.Skipped)
	}
	if (*AuthorizedKeys)(nil).Allowed(k1.PublicKey()) || ak.Allowed(nil) {
		t.Error("nil set or nil key allowed")
	}

	for _, tc := range []struct{ name, content, want string }{
		{"empty", "", "cat ~/.ssh/id_ed25519.pub >>"},
		{"comments", "# nobody\n\n", "cat ~/.ssh/id_ed25519.pub >>"},
		{"only-options", `command="/bin/sh" ` + l1, "cat ~/.ssh/id_ed25519.pub >>"},
	} {
		_, err := LoadAuthorizedKeys(write(tc.name, tc.content))
		if !errors.Is(err, ErrNoKeys) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want ErrNoKeys with a hint", tc.name, err)
		}
	}
	if _, err := LoadAuthorizedKeys(filepath.Join(dir, "missing")); !errors.Is(err, ErrNoKeys) || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing file: %v", err)
	}
	_, err = LoadAuthorizedKeys(write("bad", l1+"ssh-ed25519 AAAAnotbase64!!\n"+l3))
	if err == nil || errors.Is(err, ErrNoKeys) || !strings.Contains(err.Error(), "bad:2") {
		t.Errorf("bad line: err = %v, want an error naming line 2", err)
	}
}

func TestLoadHostKey(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state", "host_key")
	s1, created, err := LoadHostKey(file)
	if err != nil || !created {
		t.Fatalf("first start: created=%v err=%v", created, err)
	}
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode %v, want 0600 (%v)", fi.Mode(), err)
	}
	if di, _ := os.Stat(filepath.Dir(file)); di.Mode().Perm() != 0o700 {
		t.Errorf("state directory mode %v, want 0700", di.Mode().Perm())
	}
	s2, created, err := LoadHostKey(file)
	if err != nil || created || string(s2.PublicKey().Marshal()) != string(s1.PublicKey().Marshal()) {
		t.Fatalf("second start: created=%v err=%v, same key %v", created, err, err == nil && string(s2.PublicKey().Marshal()) == string(s1.PublicKey().Marshal()))
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
		if err := os.Chmod(file, mode); err != nil {
			t.Fatal(err)
		}
		if _, _, err := LoadHostKey(file); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %04o: err = %v, want a refusal saying chmod 600", mode, err)
		}
	}
	if err := os.Chmod(file, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadHostKey(file); err != nil {
		t.Errorf("mode 0400: %v", err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(file), "junk"), []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadHostKey(filepath.Join(filepath.Dir(file), "junk")); err == nil {
		t.Error("a junk host key was accepted")
	}
}
