package server

import (
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

// TestUserSaveDir: the save directory is "saves/" and the first 12 hex
// digits of the hash the SHA256 fingerprint shows; different keys get
// different directories, the same key the same one.
func TestUserSaveDir(t *testing.T) {
	a, _ := testKey(t)
	b, _ := testKey(t)
	da, db := UserSaveDir(a.PublicKey()), UserSaveDir(b.PublicKey())
	if !regexp.MustCompile(`^saves/[0-9a-f]{12}$`).MatchString(da) {
		t.Fatalf("UserSaveDir = %q, want saves/ and 12 hex digits", da)
	}
	if da == db {
		t.Errorf("two keys share the directory %s", da)
	}
	if again := UserSaveDir(a.PublicKey()); again != da {
		t.Errorf("one key got %s and %s", da, again)
	}
	fp := strings.TrimPrefix(gossh.FingerprintSHA256(a.PublicKey()), "SHA256:")
	sum, err := base64.RawStdEncoding.DecodeString(fp)
	if err != nil {
		t.Fatal(err)
	}
	if want := "saves/" + hex.EncodeToString(sum)[:12]; da != want {
		t.Errorf("UserSaveDir = %s, want %s (from the fingerprint)", da, want)
	}
	if err := CheckName(da); err != nil {
		t.Errorf("the save directory is not a valid root name: %v", err)
	}
}
