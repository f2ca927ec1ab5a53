package saved

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
)

// zipMaxDeflateRatio bounds how many bytes one compressed byte can inflate
// to. DEFLATE cannot do better than about 1032:1 (a 258-byte match costs at
// least 2 bits), so an entry that declares more is lying about its size.
const zipMaxDeflateRatio = 1032

// openZip opens the zip archive r of size bytes under DefaultLimits. See
// Limits.openZip.
func openZip(name string, r io.ReaderAt, size int64) (*zip.Reader, error) {
	return DefaultLimits.openZip(name, r, size)
}

// openZip opens the zip archive r of size bytes, whose name is used in
// errors. It refuses archives with more than l.MaxEntries entries, with
// duplicate entry names, or with an entry that is encrypted, uses a method
// other than Store or Deflate, lies about its sizes (a stored entry whose
// sizes differ, a compressed size beyond the end of the archive, an
// uncompressed size DEFLATE cannot reach from its compressed size), or
// declares an uncompressed size above l.MaxEntryBytes; and it refuses an
// archive whose declared uncompressed sizes sum to more than l.MaxTotalBytes.
// Entry names are not used as paths, so names with ".." are accepted. Errors
// are *FileError with File = name.
func (l Limits) openZip(name string, r io.ReaderAt, size int64) (*zip.Reader, error) {
	l = l.orDefault()
	if size < 0 {
		return nil, &FileError{File: name, Field: "zip", Err: fmt.Errorf("negative size %d", size)}
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, &FileError{File: name, Field: "zip", Err: err}
	}
	if len(zr.File) > l.MaxEntries {
		return nil, &FileError{File: name, Field: "zip", Err: fmt.Errorf("%d entries, limit %d: %w", len(zr.File), l.MaxEntries, ErrLimit)}
	}
	seen := make(map[string]bool, len(zr.File))
	var total uint64
	for _, f := range zr.File {
		if seen[f.Name] {
			return nil, &FileError{File: name, Field: f.Name, Err: errors.New("duplicate entry name")}
		}
		seen[f.Name] = true
		if err := zipCheckEntry(f, size, l.MaxEntryBytes); err != nil {
			return nil, &FileError{File: name, Field: f.Name, Err: err}
		}
		total += f.UncompressedSize64
		if total > uint64(l.MaxTotalBytes) {
			return nil, &FileError{File: name, Field: f.Name, Err: fmt.Errorf("entries declare more than %d uncompressed bytes in total: %w", l.MaxTotalBytes, ErrLimit)}
		}
	}
	return zr, nil
}

// zipCheckEntry checks the declared method, flags and sizes of f, an entry
// of an archive of archiveSize bytes, against each other, the archive and
// limit.
func zipCheckEntry(f *zip.File, archiveSize, limit int64) error {
	if f.Flags&0x1 != 0 {
		return errors.New("encrypted entry")
	}
	if f.UncompressedSize64 > uint64(limit) {
		return fmt.Errorf("declares %d uncompressed bytes, limit %d: %w", f.UncompressedSize64, limit, ErrLimit)
	}
	off, err := f.DataOffset()
	if err != nil {
		return fmt.Errorf("local header: %w", err)
	}
	if off < 0 || off > archiveSize || f.CompressedSize64 > uint64(archiveSize-off) {
		return fmt.Errorf("declares %d compressed bytes at offset %d, archive has %d bytes", f.CompressedSize64, off, archiveSize)
	}
	switch f.Method {
	case zip.Store:
		if f.CompressedSize64 != f.UncompressedSize64 {
			return fmt.Errorf("stored entry declares %d compressed and %d uncompressed bytes", f.CompressedSize64, f.UncompressedSize64)
		}
	case zip.Deflate:
		if f.UncompressedSize64 > f.CompressedSize64*zipMaxDeflateRatio+1024 {
			return fmt.Errorf("declares %d uncompressed bytes, impossible for %d deflated bytes", f.UncompressedSize64, f.CompressedSize64)
		}
	default:
		return fmt.Errorf("unsupported compression method %d", f.Method)
	}
	return nil
}

// readZipEntry reads the whole entry f, which must have passed openZip, and
// returns an error if it declares or inflates to more than limit bytes. At
// most min(declared size, limit) bytes are allocated and at most that many
// plus one are inflated; the entry must inflate to exactly its declared size
// and match its CRC-32. Errors are not *FileError: callers wrap them with the
// archive and entry names.
func readZipEntry(f *zip.File, limit int64) ([]byte, error) {
	if limit < 0 {
		limit = 0
	}
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("declares %d uncompressed bytes, limit %d: %w", f.UncompressedSize64, limit, ErrLimit)
	}
	switch f.Method {
	case zip.Store, zip.Deflate:
	default:
		return nil, fmt.Errorf("unsupported compression method %d", f.Method)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	n := int64(f.UncompressedSize64)
	buf := make([]byte, n)
	if _, err := io.ReadFull(rc, buf); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("inflates to fewer than the %d bytes it declares", n)
		}
		return nil, err
	}
	// One more read: archive/zip verifies the size and CRC-32 at EOF and
	// reports an error if the entry inflates past its declared size.
	var extra [1]byte
	m, err := io.ReadFull(rc, extra[:])
	switch {
	case m > 0 || err == nil:
		return nil, fmt.Errorf("inflates to more than the %d bytes it declares", n)
	case errors.Is(err, zip.ErrFormat):
		return nil, fmt.Errorf("inflates to more than the %d bytes it declares", n)
	case err != io.EOF:
		return nil, err
	}
	return buf, nil
}
