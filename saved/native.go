package saved

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"

	"attractor/model"
)

// SchemaVersion is the version of the native file's manifest written by
// this package. Readers accept every version up to it.
const SchemaVersion = 1

// ManifestEntry is the name of the manifest inside a native .npz file. numpy
// lists it among the arrays' names and returns its bytes:
// json.loads(numpy.load("net.npz")["manifest.json"]).
const ManifestEntry = "manifest.json"

// Manifest is the provenance and configuration stored with a network.
type Manifest struct {
	Schema   int            `json:"schema"`
	Family   model.Family   `json:"family"`
	StateVar model.StateVar `json:"state_var"`
	Dims     model.Dims     `json:"dims"`
	// Hyper holds the family's hyper-parameters (time step, τ, gain, …).
	Hyper Hyper `json:"hyper"`
	// Task and Train are the task and training configurations, as the
	// trainer wrote them.
	Task  json.RawMessage `json:"task,omitempty"`
	Train json.RawMessage `json:"train,omitempty"`
	// Seed is the seed of every random draw that made the network.
	Seed *uint64 `json:"seed,omitempty"`
	// History summarises training: loss and accuracy per checkpoint.
	History []HistoryPoint `json:"history,omitempty"`
	// Program is the attractor build that wrote the file.
	Program Program `json:"program"`
	// Source names the file the network was imported from, if any.
	Source string `json:"source,omitempty"`
	// Created is a timestamp, written only when asked for (a file without
	// it is byte-identical for the same network and provenance).
	Created string `json:"created,omitempty"`
	// Notes are free-form remarks, such as the warnings of an import.
	Notes []string `json:"notes,omitempty"`
}

// HistoryPoint is the state of training at one checkpoint.
type HistoryPoint struct {
	Step     int     `json:"step"`
	Loss     float64 `json:"loss"`
	Accuracy float64 `json:"accuracy"`
}

// Program identifies the build of attractor that wrote a file.
type Program struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Go      string `json:"go"`
}

// Network is a network with its manifest, as read from or written to a file.
type Network struct {
	Net      model.Network
	Manifest Manifest
	// Extra are additional named arrays stored beside the parameters, such
	// as training state in a checkpoint or probe states ("inits") of an
	// imported fixed-point problem.
	Extra []Tensor
	// Warnings are problems found on reading that did not stop it, such as
	// non-finite weights (a diverged network is still worth looking at).
	Warnings []string
}

// EndStateName is the extra array that holds the state at the end of
// training: the trainers that run without resetting the state between
// trials or steps (FORCE) write it, and the analyses start from it.
const EndStateName = "train.x"

// EndState returns a copy of n's end-of-training state (the extra array
// EndStateName), or nil if n has none, or none of the network's state size,
// or one that is not finite.
func (n *Network) EndState() []float64 {
	if n.Net == nil {
		return nil
	}
	size := n.Net.Dims().State
	for _, t := range n.Extra {
		if t.Name != EndStateName || len(t.Data) != size {
			continue
		}
		for _, v := range t.Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil
			}
		}
		return append([]float64(nil), t.Data...)
	}
	return nil
}

// WriteNative writes n to name as attractor's native .npz file,
// atomically: a NumPy archive of float64 arrays, one per parameter and per
// extra array, plus the JSON manifest. The family, state variable and sizes
// of the manifest are filled in from the network. The same network and
// manifest give the same bytes.
func WriteNative(name string, n *Network) error {
	ts, extra, err := encodeNative(n)
	if err != nil {
		return &FileError{File: name, Err: err}
	}
	return WriteNPZ(name, ts, extra)
}

// EncodeNative writes n in the native format to w.
func EncodeNative(w io.Writer, n *Network) error {
	ts, extra, err := encodeNative(n)
	if err != nil {
		return err
	}
	return encodeNPZ(w, ts, extra)
}

func encodeNative(n *Network) ([]Tensor, map[string][]byte, error) {
	if n == nil || n.Net == nil {
		return nil, nil, errors.New("no network to write")
	}
	fam := n.Net.Family()
	c, ok := codecs[fam]
	if !ok {
		return nil, nil, fmt.Errorf("family %q has no file codec", fam)
	}
	ts, hyper, err := c.encode(n.Net)
	if err != nil {
		return nil, nil, err
	}
	m := n.Manifest
	m.Schema = SchemaVersion
	m.Family = fam
	m.StateVar = n.Net.StateVar()
	m.Dims = n.Net.Dims()
	m.Hyper = hyper
	seen := map[string]bool{}
	for _, t := range ts {
		seen[t.Name] = true
	}
	for _, t := range n.Extra {
		if seen[t.Name] {
			return nil, nil, fmt.Errorf("extra array %q has the name of a parameter", t.Name)
		}
		seen[t.Name] = true
		ts = append(ts, t)
	}
	js, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return nil, nil, fmt.Errorf("manifest: %w", err)
	}
	return ts, map[string][]byte{ManifestEntry: append(js, '\n')}, nil
}

// ReadNative reads a native file written by WriteNative.
func ReadNative(name string) (*Network, error) {
	f, fi, err := OpenRegular(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return DefaultLimits.DecodeNative(name, f, fi.Size())
}

// DecodeNative reads a native file from r; name is used in errors.
func (l Limits) DecodeNative(name string, r io.ReaderAt, size int64) (*Network, error) {
	ts, extra, err := l.DecodeNPZ(name, r, size)
	if err != nil {
		return nil, err
	}
	js, ok := extra[ManifestEntry]
	if !ok {
		return nil, &FileError{File: name, Field: ManifestEntry, Err: errors.New("no manifest: not a native attractor file")}
	}
	m, err := parseManifest(name, js)
	if err != nil {
		return nil, err
	}
	return buildNetwork(name, m.Family, ts, m, nil)
}

// parseManifest decodes a manifest and checks its schema version.
func parseManifest(name string, js []byte) (Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return m, &FileError{File: name, Field: ManifestEntry, Err: err}
	}
	if m.Schema < 1 || m.Schema > SchemaVersion {
		return m, &FileError{File: name, Field: ManifestEntry + ": schema", Err: fmt.Errorf("version %d; this build reads 1…%d (a newer attractor wrote it)", m.Schema, SchemaVersion)}
	}
	for k, v := range m.Hyper {
		if num, ok := v.(json.Number); ok {
			f, err := num.Float64()
			if err != nil {
				return m, &FileError{File: name, Field: ManifestEntry + ": hyper." + k, Err: err}
			}
			m.Hyper[k] = f
		}
	}
	return m, nil
}

// buildNetwork decodes the parameters of family fam from ts; the arrays
// that are not parameters become Extra. It reports non-finite weights as
// warnings and loads them anyway.
func buildNetwork(name string, fam model.Family, ts []Tensor, m Manifest, used map[string]bool) (*Network, error) {
	c, ok := codecs[fam]
	if !ok {
		return nil, &FileError{File: name, Field: "family", Err: fmt.Errorf("unknown network family %q", fam)}
	}
	var warnings []string
	for i := range ts {
		if bad, idx := firstNonFinite(ts[i].Data); bad {
			warnings = append(warnings, fmt.Sprintf("%s: tensor %s holds non-finite values (first %v at flat index %d)",
				Printable(name), Printable(ts[i].Name), ts[i].Data[idx], idx))
		}
	}
	set := newTensorSet(ts)
	// Decode with non-finite values replaced, so the constructors accept
	// the network; keep the originals in the parameters afterwards.
	net, err := decodeTolerant(c, set, m.Hyper)
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) && fe.File == "" {
			fe.File = name
			return nil, fe
		}
		return nil, &FileError{File: name, Field: string(fam), Err: err}
	}
	enc, _, err := c.encode(net)
	if err != nil {
		return nil, &FileError{File: name, Err: err}
	}
	if err := checkDims(m.Dims, net.Dims()); err != nil {
		return nil, &FileError{File: name, Field: ManifestEntry + ": dims", Err: err}
	}
	params := map[string]bool{}
	for _, t := range enc {
		params[t.Name] = true
	}
	for _, t := range ts {
		if params[t.Name] && len(t.Data) > 0 && allNonFinite(t.Data) {
			return nil, &FileError{File: name, Field: t.Name, Err: fmt.Errorf(
				"all %d values are non-finite (first %v): a diverged network without any weights left to analyse", len(t.Data), t.Data[0])}
		}
	}
	var extra []Tensor
	for _, t := range ts {
		if !params[t.Name] && !used[t.Name] {
			extra = append(extra, t)
		}
	}
	sort.SliceStable(extra, func(i, j int) bool { return extra[i].Name < extra[j].Name })
	return &Network{Net: net, Manifest: m, Extra: extra, Warnings: warnings}, nil
}

// decodeTolerant decodes with non-finite entries replaced by 0, then puts
// them back into the network's parameters (which share the tensors' data).
func decodeTolerant(c codec, set tensorSet, h Hyper) (model.Network, error) {
	type hole struct {
		data []float64
		i    int
		v    float64
	}
	var holes []hole
	for _, t := range set {
		for i, v := range t.Data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				holes = append(holes, hole{t.Data, i, v})
				t.Data[i] = 0
			}
		}
	}
	net, err := c.decode(set, h)
	for _, h := range holes {
		h.data[h.i] = h.v
	}
	return net, err
}

// checkDims compares the sizes a manifest declares with those of the
// network its arrays make. A manifest without sizes (a foreign file's)
// declares nothing.
func checkDims(declared, actual model.Dims) error {
	if declared == (model.Dims{}) {
		return nil
	}
	for _, d := range []struct {
		what   string
		v, got int
	}{{"State", declared.State, actual.State}, {"Input", declared.Input, actual.Input}, {"Output", declared.Output, actual.Output}} {
		if d.v != d.got {
			return fmt.Errorf("%s is %d, but the arrays make a network of %d", d.what, d.v, d.got)
		}
	}
	return nil
}

// allNonFinite reports whether every value of d is NaN or infinite.
func allNonFinite(d []float64) bool {
	for _, v := range d {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

func firstNonFinite(d []float64) (bool, int) {
	for i, v := range d {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return true, i
		}
	}
	return false, 0
}
