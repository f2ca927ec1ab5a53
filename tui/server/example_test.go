package server_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"attractor/tui/server"
)

// ExampleRoot shows a session reading a file under the root and being
// refused one outside it.
func ExampleRoot() {
	dir, _ := os.MkdirTemp("", "root")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "net.npz"), []byte("weights"), 0o644)

	r, err := server.OpenRoot(dir)
	if err != nil {
		panic(err)
	}
	defer r.Close()
	b, err := r.ReadFile("net.npz", 1<<20)
	fmt.Println(string(b), err)
	_, err = r.Open("../../etc/passwd")
	fmt.Println(errors.Is(err, server.ErrBadName))
	// Output:
	// weights <nil>
	// true
}
