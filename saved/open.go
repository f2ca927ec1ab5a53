package saved

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"attractor/model"
)

// Format names a file format Open recognises.
type Format string

// File formats, detected by content.
const (
	FormatNative      Format = "attractor .npz"
	FormatNPZ         Format = "NumPy .npz"
	FormatNPY         Format = "NumPy .npy"
	FormatTorch       Format = "PyTorch checkpoint"
	FormatSafetensors Format = "safetensors"
)

// OpenOptions adjust how Open interprets a foreign file.
type OpenOptions struct {
	// Map assigns tensors to roles when the file's names are ambiguous:
	// role → tensor name, for the roles "readout" and "readout_bias".
	Map map[string]string
	// Hyper overrides hyper-parameters a foreign file does not hold (for
	// example "dt", "tau" or "g").
	Hyper Hyper
	// Limits bound the memory spent on the file (zero: DefaultLimits).
	Limits Limits
}

// Detect returns the format of the file's content (not its name).
func Detect(r io.ReaderAt, size int64) (Format, error) {
	head := make([]byte, 16)
	n, err := r.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return "", err
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06")):
		zr, err := zip.NewReader(r, size)
		if err != nil {
			return "", fmt.Errorf("zip archive: %w", err)
		}
		npy := false
		for _, f := range zr.File {
			switch {
			case f.Name == ManifestEntry:
				return FormatNative, nil
			case strings.HasSuffix(f.Name, "/data.pkl") || f.Name == "data.pkl":
				return FormatTorch, nil
			case strings.HasSuffix(f.Name, ".npy"):
				npy = true
			}
		}
		if npy {
			return FormatNPZ, nil
		}
		return "", errors.New("a zip archive holding neither .npy arrays nor a PyTorch data.pkl")
	case bytes.HasPrefix(head, []byte("\x93NUMPY")):
		return FormatNPY, nil
	case len(head) > 0 && head[0] == 0x80:
		return FormatTorch, nil // a pickle: the legacy PyTorch format
	case len(head) >= 9 && head[8] == '{':
		if hl := binary.LittleEndian.Uint64(head[:8]); hl > 0 && hl <= uint64(size-8) {
			return FormatSafetensors, nil
		}
	}
	return "", errors.New("unknown format: not a .npz, .npy, PyTorch (.pt) or safetensors file")
}

// Open reads a network from a file in any supported format, detected by
// content: attractor's native file, a PyTorch state dict (torch.nn.RNN, GRU
// or LSTM, with a readout found by shape), a NumPy .npz (the fixed-point
// problem of the peer script: J, dt, inits), or safetensors with the same
// names as a PyTorch state dict. For foreign files the family is inferred
// from the tensors' names and shapes; when that is ambiguous the error lists
// the candidates and opt.Map resolves it.
func Open(name string, opt *OpenOptions) (*Network, Format, error) {
	if opt == nil {
		opt = &OpenOptions{}
	}
	f, fi, err := OpenRegular(name)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	format, err := Detect(f, fi.Size())
	if err != nil {
		return nil, "", &FileError{File: name, Err: err}
	}
	lim := opt.Limits.orDefault()
	var ts []Tensor
	switch format {
	case FormatNative:
		n, err := lim.DecodeNative(name, f, fi.Size())
		return n, format, err
	case FormatTorch:
		ts, err = lim.ReadTorchFrom(name, f, fi.Size())
	case FormatNPZ:
		ts, err = lim.ReadNPZFrom(name, f, fi.Size())
	case FormatSafetensors:
		var meta map[string]string
		ts, meta, err = lim.ReadSafetensorsFrom(name, f, fi.Size())
		if js, ok := meta["attractor"]; ok && err == nil {
			// Written by Export: the manifest says what the arrays are.
			m, err := parseManifest(name, []byte(js))
			if err != nil {
				return nil, format, err
			}
			n, err := buildNetwork(name, m.Family, ts, m, nil)
			return n, format, err
		}
	case FormatNPY:
		return nil, format, &FileError{File: name, Err: errors.New("a single NumPy array, not a network: save the weights together with np.savez")}
	}
	if err != nil {
		return nil, format, err
	}
	n, err := Infer(name, ts, opt)
	return n, format, err
}

// Infer builds a network from the named tensors of a foreign file.
func Infer(name string, ts []Tensor, opt *OpenOptions) (*Network, error) {
	if opt == nil {
		opt = &OpenOptions{}
	}
	// Optimiser slots (PsychRNN's "W_rec/Adam") and training state are not
	// weights.
	var kept []Tensor
	var ignored []string
	for _, t := range ts {
		if strings.Contains(t.Name, "/") {
			ignored = append(ignored, t.Name)
			continue
		}
		kept = append(kept, t)
	}
	set := newTensorSet(kept)
	m := Manifest{Source: name}
	// "W_rec/Adam" beside "W_rec" is an optimiser slot, noted; a name with
	// '/' that is not the slot of a kept array may be a weight the file
	// nests ("rnn/weight_hh_l0"), and ignoring it is a warning.
	var stray []string
	for _, k := range ignored {
		if owner, _, _ := strings.Cut(k, "/"); set[owner] == nil {
			stray = append(stray, k)
		}
	}
	if len(ignored) > 0 {
		m.Notes = append(m.Notes, "ignored optimiser/state arrays: "+Printable(strings.Join(ignored, ", ")))
	}
	n, err := inferFamily(name, set, opt, m, ignored)
	if err == nil && len(stray) > 0 {
		n.Warnings = append(n.Warnings, fmt.Sprintf("%s: ignored arrays whose names hold '/' (read as optimiser or state slots): %s; rename them if they are weights",
			Printable(name), Printable(strings.Join(stray, ", "))))
	}
	return n, err
}

// inferFamily builds the network of the family the arrays of set show;
// ignored are the arrays left out, for the error when none is shown.
func inferFamily(name string, set tensorSet, opt *OpenOptions, m Manifest, ignored []string) (*Network, error) {
	hyper := Hyper{}
	for k, v := range opt.Hyper {
		hyper[k] = v
	}
	m.Hyper = hyper
	switch {
	case hasSuffixKey(set, "weight_hh_l0") != "":
		return inferTorch(name, set, opt, m)
	case set["W_rec.weight"] != nil:
		return inferLeaky(name, set, m)
	case set["W_rec"] != nil && set["W_in"] != nil:
		return inferPsychRNN(name, set, m)
	case set["J"] != nil:
		return inferFixedPointProblem(name, set, m)
	}
	names := make([]string, 0, len(set))
	for k, t := range set {
		names = append(names, fmt.Sprintf("%s %v", k, t.Shape))
	}
	sort.Strings(names)
	also := ""
	if len(ignored) > 0 {
		also = "; ignored as optimiser or state slots because their names hold '/': " + strings.Join(ignored, ", ")
	}
	return nil, &FileError{File: name, Err: fmt.Errorf("cannot tell the network family from the arrays %s%s", strings.Join(names, ", "), also)}
}

// hasSuffixKey returns the unique key ending in suffix, or "".
func hasSuffixKey(s tensorSet, suffix string) string {
	found := ""
	for k := range s {
		if k == suffix || strings.HasSuffix(k, "."+suffix) {
			if found != "" {
				return found // several modules: the caller reports it
			}
			found = k
		}
	}
	return found
}

// inferTorch recognises torch.nn.RNN (H rows in weight_hh_l0), GRU (3H) and
// LSTM (4H), and a readout: the single other 2-D tensor with H columns.
func inferTorch(name string, s tensorSet, opt *OpenOptions, m Manifest) (*Network, error) {
	var hh []string
	for k := range s {
		if k == "weight_hh_l0" || strings.HasSuffix(k, ".weight_hh_l0") {
			hh = append(hh, k)
		}
	}
	sort.Strings(hh)
	if len(hh) > 1 {
		return nil, &FileError{File: name, Err: fmt.Errorf("several recurrent modules (%s); export one module's state dict", strings.Join(hh, ", "))}
	}
	prefix := strings.TrimSuffix(hh[0], "weight_hh_l0")
	for k := range s {
		if strings.HasPrefix(k, prefix) && (strings.HasSuffix(k, "_l1") || strings.Contains(k, "_reverse")) {
			return nil, &FileError{File: name, Field: k, Err: errors.New("multi-layer or bidirectional networks are not supported: only one layer, one direction")}
		}
	}
	w := s[hh[0]]
	if len(w.Shape) != 2 {
		return nil, &FileError{File: name, Field: hh[0], Err: fmt.Errorf("shape %v, want a matrix", w.Shape)}
	}
	rows, h := w.Shape[0], w.Shape[1]
	var fam model.Family
	switch rows {
	case h:
		fam = model.FamilyTorchRNN
	case 3 * h:
		fam = model.FamilyGRU
	case 4 * h:
		fam = model.FamilyLSTM
	default:
		return nil, &FileError{File: name, Field: hh[0], Err: fmt.Errorf("%d rows for hidden size %d: not H, 3H or 4H (RNN, GRU, LSTM)", rows, h)}
	}
	out := tensorSet{}
	used := map[string]bool{}
	for _, p := range []string{model.ParamWeightIH, model.ParamWeightHH, model.ParamBiasIH, model.ParamBiasHH} {
		if t, ok := s[prefix+p]; ok {
			out[p] = t
			used[prefix+p] = true
		}
	}
	// The readout: a 2-D tensor with H columns outside the recurrent module.
	ro, err := pickRole(name, s, opt, "readout", func(k string, t *Tensor) bool {
		return !used[k] && len(t.Shape) == 2 && t.Shape[1] == h
	})
	if err != nil {
		return nil, err
	}
	if ro != "" {
		out[model.ParamWOut] = s[ro]
		used[ro] = true
		o := s[ro].Shape[0]
		bias := strings.TrimSuffix(ro, "weight") + "bias"
		br, err := pickRole(name, s, opt, "readout_bias", func(k string, t *Tensor) bool {
			return !used[k] && len(t.Shape) == 1 && t.Shape[0] == o && (k == bias || opt.Map["readout_bias"] == k)
		})
		if err != nil {
			return nil, err
		}
		if br != "" {
			out[model.ParamBOut] = s[br]
			used[br] = true
		}
	}
	var ts []Tensor
	for role, t := range out {
		tt := *t
		tt.Name = role
		ts = append(ts, tt)
	}
	for k, t := range s {
		if !used[k] {
			ts = append(ts, *t)
			m.Notes = append(m.Notes, "kept unrecognised array "+Printable(k))
		}
	}
	sort.Strings(m.Notes)
	return buildNetwork(name, fam, ts, m, nil)
}

// pickRole returns the single tensor matching ok, the one named by
// opt.Map[role], or "" when none matches; several matches are an error that
// lists them.
func pickRole(name string, s tensorSet, opt *OpenOptions, role string, ok func(string, *Tensor) bool) (string, error) {
	if k, set := opt.Map[role]; set {
		t, exists := s[k]
		if !exists {
			return "", &FileError{File: name, Field: "--map " + role, Err: fmt.Errorf("no tensor called %q", k)}
		}
		if !ok(k, t) {
			return "", &FileError{File: name, Field: "--map " + role, Err: fmt.Errorf("tensor %q with shape %v cannot be the %s", k, t.Shape, role)}
		}
		return k, nil
	}
	var cands []string
	for k, t := range s {
		if ok(k, t) {
			cands = append(cands, k)
		}
	}
	sort.Strings(cands)
	switch len(cands) {
	case 0:
		return "", nil
	case 1:
		return cands[0], nil
	}
	return "", &FileError{File: name, Field: role, Err: fmt.Errorf("ambiguous: candidates %s; choose with --map %s=NAME", strings.Join(cands, ", "), role)}
}

// inferFixedPointProblem reads the peer fixed-point script's problem: the
// continuous-time network dx/dt = −x + J tanh(x) (τ = 1) with Euler step
// dt, and its initial states "inits", kept as an extra array.
func inferFixedPointProblem(name string, s tensorSet, m Manifest) (*Network, error) {
	j, err := s.dense("J", false)
	if err != nil {
		err.(*FileError).File = name
		return nil, err
	}
	dt := 0.1
	if t, ok := s["dt"]; ok {
		if len(t.Data) != 1 {
			return nil, &FileError{File: name, Field: "dt", Err: fmt.Errorf("shape %v, want a scalar", t.Shape)}
		}
		dt = t.Data[0]
	}
	if v, err := m.Hyper.num("dt", dt); err == nil {
		dt = v
	}
	r, c := j.Dims()
	if r != c {
		return nil, &FileError{File: name, Field: "J", Err: fmt.Errorf("shape %d×%d, want square", r, c)}
	}
	ts := []Tensor{matTensor("J", j)}
	var used = map[string]bool{"dt": true}
	if t, ok := s["inits"]; ok {
		if len(t.Shape) != 2 || t.Shape[1] != r {
			return nil, &FileError{File: name, Field: "inits", Err: fmt.Errorf("shape %v, want K×%d", t.Shape, r)}
		}
		ts = append(ts, *t)
	}
	m.Hyper = Hyper{"g": 1.0, "tau": 1.0, "dt": dt}
	return buildNetwork(name, model.FamilyCTRNN, ts, m, used)
}

// inferPsychRNN reads PsychRNN's weight layout (W_in, W_rec, W_out, b_rec,
// b_out, init_state) as its Basic model,
//
//	x ← (1 − α) x + α (W_rec φ(x) + W_in u + b_rec),  y = W_out φ(x) + b_out,  φ = ReLU,
//
// which is a CTRNN with τ = 1, dt = α, J = W_rec, g = 1. α = dt/τ is not in
// the file: PsychRNN's default 10/100 = 0.1 is assumed unless the hyper
// override "dt" gives it. Dale's-law or connectivity masks are not in the
// weight file either; the weights are taken as they are.
func inferPsychRNN(name string, s tensorSet, m Manifest) (*Network, error) {
	wrec, err := s.dense("W_rec", false)
	if err != nil {
		err.(*FileError).File = name
		return nil, err
	}
	n, c := wrec.Dims()
	if n != c {
		return nil, &FileError{File: name, Field: "W_rec", Err: fmt.Errorf("shape %d×%d, want square", n, c)}
	}
	ts := []Tensor{matTensor("J", wrec)}
	used := map[string]bool{"W_rec": true}
	if t := s["W_in"]; t != nil {
		if len(t.Shape) != 2 || t.Shape[0] != n {
			return nil, &FileError{File: name, Field: "W_in", Err: fmt.Errorf("shape %v, want %d×inputs", t.Shape, n)}
		}
		tt := *t
		tt.Name = "W_in"
		ts = append(ts, tt)
		used["W_in"] = true
	}
	if t := s["W_out"]; t != nil {
		wout, err := s.dense("W_out", false)
		if err != nil || t.Shape[1] != n {
			return nil, &FileError{File: name, Field: "W_out", Err: fmt.Errorf("shape %v, want outputs×%d", t.Shape, n)}
		}
		ts = append(ts, matTensor("W_o", wout.T()))
		used["W_out"] = true
		if b := s["b_out"]; b != nil {
			if len(b.Shape) != 1 || b.Shape[0] != t.Shape[0] {
				return nil, &FileError{File: name, Field: "b_out", Err: fmt.Errorf("shape %v, want %d", b.Shape, t.Shape[0])}
			}
			ts = append(ts, vecTensor("b_o", b.Data))
			used["b_out"] = true
		}
	}
	if b := s["b_rec"]; b != nil {
		if len(b.Shape) != 1 || b.Shape[0] != n {
			return nil, &FileError{File: name, Field: "b_rec", Err: fmt.Errorf("shape %v, want %d", b.Shape, n)}
		}
		ts = append(ts, vecTensor("b", b.Data))
		used["b_rec"] = true
	}
	for k, t := range s {
		if !used[k] {
			ts = append(ts, *t) // init_state and anything else: extra arrays
		}
	}
	dt, err := m.Hyper.num("dt", 0.1)
	if err != nil {
		return nil, &FileError{File: name, Err: err}
	}
	if _, given := m.Hyper["dt"]; !given {
		m.Notes = append(m.Notes, "PsychRNN file: α = dt/τ is not stored; assumed PsychRNN's default 0.1 (override with --hyper dt=…)")
	}
	m.Hyper = Hyper{"g": 1.0, "tau": 1.0, "dt": dt, "phi": "relu"}
	return buildNetwork(name, model.FamilyCTRNN, ts, m, nil)
}

// inferLeaky reads the nn.Linear layout of the leaky rate network of the
// delayed cue-discrimination sweeps (W_in, W_rec, W_out as nn.Linear
// modules). The step a = dt/τ is not in the file: Kurtkaya et al.'s
// dt = 5 ms, τ = 10 ms (a = 0.5) is assumed unless the hyper overrides
// "dt"/"tau" give it; the readout is the sigmoid of the reference code.
func inferLeaky(name string, s tensorSet, m Manifest) (*Network, error) {
	var ts []Tensor
	used := map[string]bool{}
	for _, k := range []string{"W_in.weight", "W_in.bias", "W_rec.weight", "W_rec.bias", "W_out.weight", "W_out.bias"} {
		if t, ok := s[k]; ok {
			ts = append(ts, *t)
			used[k] = true
		}
	}
	for k, t := range s {
		if !used[k] {
			ts = append(ts, *t)
			m.Notes = append(m.Notes, "kept unrecognised array "+Printable(k))
		}
	}
	_, dtGiven := m.Hyper["dt"]
	_, tauGiven := m.Hyper["tau"]
	if !dtGiven && !tauGiven {
		m.Notes = append(m.Notes, "leaky network: dt/τ is not stored; assumed dt = 5 ms, τ = 10 ms (a = 0.5, Kurtkaya et al.); override with --hyper dt=…,tau=…")
	}
	sort.Strings(m.Notes)
	return buildNetwork(name, model.FamilyLeaky, ts, m, nil)
}
