package saved

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sort"
	"strings"
)

// ReadNPZ reads an .npz file under DefaultLimits. See Limits.ReadNPZFrom.
func ReadNPZ(name string) ([]Tensor, error) { return DefaultLimits.ReadNPZ(name) }

// ReadNPZFrom reads an .npz archive under DefaultLimits. See
// Limits.ReadNPZFrom.
func ReadNPZFrom(name string, r io.ReaderAt, size int64) ([]Tensor, error) {
	return DefaultLimits.ReadNPZFrom(name, r, size)
}

// ReadNPZ opens the file name and reads it as an .npz archive; see
// ReadNPZFrom.
func (l Limits) ReadNPZ(name string) ([]Tensor, error) {
	f, fi, err := OpenRegular(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return l.ReadNPZFrom(name, f, fi.Size())
}

// ReadNPZFrom reads the .npz archive r of size bytes, as numpy.savez and
// numpy.savez_compressed write it: a zip file (entries stored or deflated) of
// .npy files. It returns one tensor per entry whose name ends in ".npy", in
// archive order, named by the entry name without that suffix; names holding
// '/' such as PsychRNN's optimizer slots "W_rec/Adam" are kept as they are,
// for the caller to select. Other entries are not read. name is used in
// errors, which are *FileError naming the archive and the entry.
//
// The archive is refused if it has more than l.MaxEntries entries, if an
// entry declares more than l.MaxEntryBytes uncompressed bytes, or if the
// entries declare more than l.MaxTotalBytes in total; each entry is inflated
// into a buffer of its declared size and refused the moment it inflates
// past it, so a zip bomb costs at most the declared sizes.
func (l Limits) ReadNPZFrom(name string, r io.ReaderAt, size int64) ([]Tensor, error) {
	ts, _, err := l.readNPZ(name, r, size, false)
	return ts, err
}

// DecodeNPZ reads the .npz archive r of size bytes like ReadNPZFrom and also
// returns the raw bytes of every entry whose name does not end in ".npy",
// keyed by its full name, as numpy.load returns them.
func (l Limits) DecodeNPZ(name string, r io.ReaderAt, size int64) ([]Tensor, map[string][]byte, error) {
	return l.readNPZ(name, r, size, true)
}

// readNPZ implements ReadNPZFrom and DecodeNPZ.
func (l Limits) readNPZ(name string, r io.ReaderAt, size int64, wantExtra bool) ([]Tensor, map[string][]byte, error) {
	l = l.orDefault()
	zr, err := l.openZip(name, r, size)
	if err != nil {
		return nil, nil, err
	}
	var ts []Tensor
	var extra map[string][]byte
	if wantExtra {
		extra = map[string][]byte{}
	}
	dec := npyDecoder{lim: l}
	names := map[string]string{}
	for _, f := range zr.File {
		isNPY := strings.HasSuffix(f.Name, ".npy")
		if !isNPY && !wantExtra {
			continue
		}
		// One budget: the entry's bytes while it is decoded, plus the
		// float64 copies of the arrays decoded so far and of this one,
		// checked from the .npy header before the entry is inflated.
		need := int64(f.UncompressedSize64)
		if isNPY {
			// A header that does not parse is reported by decode,
			// after the entry's own checks; only a size is refused here.
			m, err := dec.peek(name+": "+f.Name, f)
			if errors.Is(err, ErrLimit) {
				return nil, nil, err
			}
			need += 8 * m.n
		}
		if left := l.MaxTotalBytes - dec.used; need > left {
			return nil, nil, &FileError{File: name, Field: f.Name, Err: fmt.Errorf(
				"needs %d bytes in memory (%d stored, as float64 %d more), more than the %d left of the %d-byte budget: %w",
				need, f.UncompressedSize64, need-int64(f.UncompressedSize64), left, l.MaxTotalBytes, ErrLimit)}
		}
		b, err := readZipEntry(f, min(l.MaxEntryBytes, l.MaxTotalBytes-dec.used))
		if err != nil {
			return nil, nil, &FileError{File: name, Field: f.Name, Err: err}
		}
		if !isNPY {
			dec.used += int64(len(b))
			extra[f.Name] = b
			continue
		}
		tname := strings.TrimSuffix(f.Name, ".npy")
		if prev, ok := names[tname]; ok {
			return nil, nil, &FileError{File: name, Field: f.Name, Err: fmt.Errorf("same array name as entry %q", prev)}
		}
		names[tname] = f.Name
		t, err := dec.decode(name+": "+f.Name, tname, b)
		if err != nil {
			return nil, nil, err
		}
		ts = append(ts, t)
	}
	return ts, extra, nil
}

// npzDOSDate is 1980-01-01 in MS-DOS date format, the timestamp numpy.savez
// writes on every entry.
const npzDOSDate = 1<<5 | 1

// WriteNPZ writes tensors to the file name as an uncompressed .npz archive,
// atomically (see WriteFileAtomic) with permission 0644. Each tensor becomes
// the entry Name+".npy", a .npy file of little-endian float64 in C order,
// in the order given; then each extra entry is written under its own name
// with its raw bytes, in sorted name order. The bytes are deterministic:
// entries are stored, every timestamp is 1980-01-01 00:00 and nothing random
// is written. numpy.load reads the result; the extra entries appear in its
// files list and read as bytes.
func WriteNPZ(name string, tensors []Tensor, extra map[string][]byte) error {
	var buf bytes.Buffer
	if err := encodeNPZ(&buf, tensors, extra); err != nil {
		return &FileError{File: name, Err: err}
	}
	return WriteFileAtomic(name, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	}, 0o644)
}

// encodeNPZ writes the archive WriteNPZ describes to w.
func encodeNPZ(w io.Writer, tensors []Tensor, extra map[string][]byte) error {
	type entry struct {
		name string
		data []byte
	}
	entries := make([]entry, 0, len(tensors)+len(extra))
	seen := map[string]bool{}
	for i := range tensors {
		b, err := npyEncode(&tensors[i])
		if err != nil {
			return err
		}
		n := tensors[i].Name + ".npy"
		if seen[n] {
			return fmt.Errorf("duplicate tensor name %q", tensors[i].Name)
		}
		seen[n] = true
		entries = append(entries, entry{n, b})
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "" || seen[k] {
			return fmt.Errorf("extra entry name %q is empty or already used", k)
		}
		seen[k] = true
		entries = append(entries, entry{k, extra[k]})
	}
	zw := zip.NewWriter(w)
	for _, e := range entries {
		fh := &zip.FileHeader{
			Name:               e.name,
			Method:             zip.Store,
			CRC32:              crc32.ChecksumIEEE(e.data),
			CompressedSize64:   uint64(len(e.data)),
			UncompressedSize64: uint64(len(e.data)),
			ModifiedDate:       npzDOSDate,
		}
		fh.SetMode(0o600)
		ew, err := zw.CreateRaw(fh)
		if err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
		if _, err := ew.Write(e.data); err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
	}
	return zw.Close()
}

// npyPeekBytes is how much of a .npy entry peek inflates to read its
// header: numpy pads headers to 64 bytes and writes longer ones only for
// arrays of very many dimensions or very long structured types.
const npyPeekBytes = 4096

// peek inflates the first bytes of the .npy entry f of an archive and
// returns what its header declares, checked against d's limits and the
// entry's declared size, without inflating the data. file names the entry
// in errors.
func (d *npyDecoder) peek(file string, f *zip.File) (npyMeta, error) {
	rc, err := f.Open()
	if err != nil {
		return npyMeta{}, &FileError{File: file, Err: err}
	}
	defer rc.Close()
	want := int64(npyPeekBytes)
	if int64(f.UncompressedSize64) < want {
		want = int64(f.UncompressedSize64)
	}
	head := make([]byte, want)
	n, err := io.ReadFull(rc, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return npyMeta{}, &FileError{File: file, Err: err}
	}
	head = head[:n]
	if len(head) >= 12 && head[6] >= 2 {
		// A version 2 or 3 header may be longer than the peek.
		if hl := int64(binary.LittleEndian.Uint32(head[8:12])); hl+12 > int64(len(head)) && hl <= d.lim.MaxHeaderBytes && hl+12 <= int64(f.UncompressedSize64) {
			rest := make([]byte, hl+12-int64(len(head)))
			m, _ := io.ReadFull(rc, rest)
			head = append(head, rest[:m]...)
		}
	}
	return d.header(file, head, int64(f.UncompressedSize64))
}
