package saved

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"attractor/model"
)

func TestPrintable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"net.npz", "net.npz"},
		{"réseau ϕ.npz", "réseau ϕ.npz"},
		{"a\x1b]0;pwned\x07.npz", `a\x1b]0;pwned\x07.npz`},
		{"\x1b[2J", `\x1b[2J`},
		{"\x1b]52;c;aGk=\x1b\\", `\x1b]52;c;aGk=\x1b\`},
		{"line\nbreak\r\ttab", `line\nbreak\r\ttab`},
		{"del\x7f", `del\x7f`},
		{"c1 \u009b2J", `c1 \u009b2J`},
		{"bidi \u202eevil", `bidi \u202eevil`},
		{"bad \xff utf8", `bad \xff utf8`},
		{`C:\x\new`, `C:\x\new`},
	} {
		got := Printable(tc.in)
		if got != tc.want {
			t.Errorf("Printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if again := Printable(got); again != got {
			t.Errorf("Printable is not idempotent on %q: %q", got, again)
		}
		for _, r := range got {
			if r < 0x20 || r == 0x7f || unsafeRune(r) {
				t.Errorf("Printable(%q) = %q still holds %U", tc.in, got, r)
			}
		}
	}
}

// TestFileErrorPrintable: a file name with escape sequences (a window title,
// a screen clear, an OSC 52 clipboard write, a newline) reaches the terminal
// only as visible text in an error.
func TestFileErrorPrintable(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "x\x1b]0;owned\x07\x1b[2J\x1b]52;c;aGk=\x07\nnet.npz")
	if err := os.WriteFile(name, []byte("not a network"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		func() error { _, _, err := Open(name, nil); return err }(),
		func() error { _, _, err := Open(name+".missing", nil); return err }(),
		&FileError{File: name, Field: "W\x1b[31m", Err: errors.New("bad\x9b")},
	} {
		if err == nil {
			t.Fatal("no error")
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\x1b\x07\n\u009b") {
			t.Errorf("error holds raw control characters: %q", msg)
		}
		if !strings.Contains(msg, `\x1b]0;owned\x07`) && !strings.Contains(msg, `W\x1b[31m`) {
			t.Errorf("error does not show the escapes as text: %q", msg)
		}
	}
}

// npyHeaderBytes returns the prefix and header of a version 1.0 .npy file.
func npyHeaderBytes(descr string, shape string) []byte {
	hdr := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape)
	for (10+len(hdr)+1)%64 != 0 {
		hdr += " "
	}
	hdr += "\n"
	b := []byte("\x93NUMPY\x01\x00")
	b = append(b, byte(len(hdr)), byte(len(hdr)>>8))
	return append(b, hdr...)
}

// TestHugeDeclaredArrayFailsFast is the 1 MB native .npz whose deflated
// J.npy declares a 16000×16000 float32 array (1 GB stored, 2 GB as
// float64): every reader refuses it from the header, naming the file and the
// entry, before inflating or allocating the array.
func TestHugeDeclaredArrayFailsFast(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	body := make([]byte, 1<<20) // incompressible: about 1 MB deflated
	for i := range body {
		body[i] = byte(rng.Uint32())
	}
	head := npyHeaderBytes("<f4", "(16000, 16000)")
	raw := npzDeflate(t, append(head, body...))
	entry := npzEntry{name: "J.npy", method: zip.Deflate, raw: raw, size: uint64(len(head)) + 16000*16000*4}
	man := npzStored(ManifestEntry, []byte(`{"schema": 1, "family": "ctrnn", "hyper": {"dt": 0.1, "tau": 1, "g": 1}}`))
	data := npzBuild(t, entry, man)
	name := filepath.Join(t.TempDir(), "huge.npz")
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	readers := map[string]func() error{
		"Open":       func() error { _, _, err := Open(name, nil); return err },
		"ReadNative": func() error { _, err := ReadNative(name); return err },
		"DecodeNative": func() error {
			_, err := DefaultLimits.DecodeNative("huge.npz", bytes.NewReader(data), int64(len(data)))
			return err
		},
		"ReadNPZ": func() error { _, err := ReadNPZ(name); return err },
	}
	for what, read := range readers {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		err := read()
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
			t.Errorf("%s allocated %d MB before refusing the file", what, alloc>>20)
		}
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "huge.npz") || !strings.Contains(err.Error(), "J.npy") {
			t.Errorf("%s: error %v, want a limit error naming huge.npz and J.npy", what, err)
		}
	}
}

// TestOpenFIFO: a named pipe is refused at once, not waited on.
func TestOpenFIFO(t *testing.T) {
	name := filepath.Join(t.TempDir(), "fifo.pt")
	if err := syscall.Mkfifo(name, 0o644); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	for what, read := range map[string]func() error{
		"Open":       func() error { _, _, err := Open(name, nil); return err },
		"ReadNative": func() error { _, err := ReadNative(name); return err },
		"ReadNPY":    func() error { _, err := ReadNPY(name); return err },
		"ReadTorch":  func() error { _, err := ReadTorch(name); return err },
	} {
		done := make(chan error, 1)
		go func() { done <- read() }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "fifo.pt") || !strings.Contains(err.Error(), "pipe") {
				t.Errorf("%s: error %v, want one naming fifo.pt as a pipe", what, err)
			}
		case <-time.After(3 * time.Second):
			t.Errorf("%s: still blocked on the FIFO after 3 s", what)
			// Unblock the reader: open the writing end and close it.
			if w, err := os.OpenFile(name, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				w.Close()
			}
			<-done
		}
	}
}

// nativeWithManifest returns a native file of net whose manifest is edited
// by edit.
func nativeWithManifest(t *testing.T, net model.Network, edit func(string) string) []byte {
	ts, extra, err := encodeNative(&Network{Net: net})
	if err != nil {
		t.Fatal(err)
	}
	extra[ManifestEntry] = []byte(edit(string(extra[ManifestEntry])))
	var b bytes.Buffer
	if err := encodeNPZ(&b, ts, extra); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestManifestSizesChecked: a manifest that declares sizes the arrays do
// not have is refused, naming the field.
func TestManifestSizesChecked(t *testing.T) {
	net := model.RandomGRU(4, 2, 1, model.NewRNG(1, 0))
	for _, lie := range []string{`"State": 100000`, `"State": -8`, `"Input": 7`} {
		data := nativeWithManifest(t, net, func(m string) string {
			field, _, _ := strings.Cut(lie, ":")
			i := strings.Index(m, field)
			j := i + strings.IndexAny(m[i:], ",\n}")
			return m[:i] + lie + m[j:]
		})
		_, err := DefaultLimits.DecodeNative("lie.npz", bytes.NewReader(data), int64(len(data)))
		if err == nil || !strings.Contains(err.Error(), "lie.npz") || !strings.Contains(err.Error(), "dims") {
			t.Errorf("manifest with %s: error %v, want one naming lie.npz and its dims", lie, err)
		}
	}
	data := nativeWithManifest(t, net, func(m string) string { return m })
	if _, err := DefaultLimits.DecodeNative("true.npz", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Errorf("a true manifest: %v", err)
	}
}

// TestAllNonFiniteRefused: a network whose weights are all Inf or all NaN
// is an error naming the file and the array; one bad weight is a warning.
func TestAllNonFiniteRefused(t *testing.T) {
	for _, v := range []float64{math.Inf(1), math.NaN()} {
		net, _ := model.RandomGhazizadeh(6, 0.5, 1.2, 2, model.NewRNG(3, 0))
		dr, ok := net.J.(*model.DenseRecurrent)
		if !ok {
			t.Fatalf("J is a %T", net.J)
		}
		raw := dr.Matrix().RawMatrix().Data
		for i := range raw {
			raw[i] = v
		}
		name := filepath.Join(t.TempDir(), "blown.npz")
		if err := WriteNative(name, &Network{Net: net}); err != nil {
			t.Fatal(err)
		}
		_, _, err := Open(name, nil)
		if err == nil || !strings.Contains(err.Error(), "blown.npz") || !strings.Contains(err.Error(), "J") || !strings.Contains(err.Error(), "non-finite") {
			t.Errorf("all %v: error %v, want one naming blown.npz and J", v, err)
		}
	}
}

// TestSlashNamesReported: arrays whose names hold '/' are not dropped
// without a word: a stray one is a warning, and when nothing else is left
// the error lists them.
func TestSlashNamesReported(t *testing.T) {
	dir := t.TempDir()
	j := Tensor{Name: "J", Shape: []int{2, 2}, DType: Float64, Data: []float64{0, 1, -1, 0}}
	stray := Tensor{Name: "rnn/W_out", Shape: []int{1, 2}, DType: Float64, Data: []float64{1, 1}}
	slot := Tensor{Name: "J/Adam", Shape: []int{2, 2}, DType: Float64, Data: make([]float64, 4)}
	name := filepath.Join(dir, "nested.npz")
	if err := WriteNPZ(name, []Tensor{j, stray, slot}, nil); err != nil {
		t.Fatal(err)
	}
	n, _, err := Open(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Warnings) != 1 || !strings.Contains(n.Warnings[0], "rnn/W_out") || strings.Contains(n.Warnings[0], "J/Adam") {
		t.Errorf("warnings %q, want one naming rnn/W_out only", n.Warnings)
	}
	only := filepath.Join(dir, "only.npz")
	if err := WriteNPZ(only, []Tensor{{Name: "rnn/weight_hh_l0", Shape: []int{2, 2}, DType: Float64, Data: make([]float64, 4)}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(only, nil); err == nil || !strings.Contains(err.Error(), "rnn/weight_hh_l0") {
		t.Errorf("error %v should name the ignored array", err)
	}
}
