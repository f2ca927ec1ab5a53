package sweep

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"attractor/saved"
)

// Files of a sweep directory.
const (
	SpecFile     = "spec.toml"
	ManifestFile = "sweep.json"
	ResultFile   = "result.json"
	NetworkFile  = "net.npz"
	ErrorFile    = "error.json"
	CSVFile      = "results.csv"
)

// Sweep is a sweep directory with its specification.
type Sweep struct {
	Dir  string
	Spec *Spec
	// StaleAfter is how old a claim's heartbeat must be before a worker on
	// another host takes it over (claims of the same host are checked by
	// process id). Default 10 minutes.
	StaleAfter time.Duration
	// Heartbeat is how often a worker refreshes its claims (default 30 s).
	Heartbeat time.Duration
	// OnResume, if set, is called when network i continues from a
	// checkpoint of an interrupted or killed worker after done units.
	OnResume func(i, done int)

	host string
}

// manifest is DIR/sweep.json.
type manifest struct {
	Name     string `json:"name"`
	Task     string `json:"task"`
	Networks int    `json:"networks"`
	Hash     string `json:"hash"`
	Spec     string `json:"spec"` // the original file
}

// ErrOtherSweep is returned by Create when the directory holds a
// different sweep.
var ErrOtherSweep = errors.New("the directory holds a different sweep")

// Create prepares dir for the specification (creating it, and writing
// spec.toml and sweep.json) or, when dir already holds the same sweep
// (same networks, analyses and options; comments may differ), opens it.
func Create(dir string, spec *Spec) (*Sweep, error) {
	if err := os.MkdirAll(filepath.Join(dir, "nets"), 0o755); err != nil {
		return nil, err
	}
	m := manifest{Name: spec.Name, Task: spec.Task, Networks: spec.Len(), Hash: spec.Hash(), Spec: spec.File}
	if b, err := os.ReadFile(filepath.Join(dir, ManifestFile)); err == nil {
		var old manifest
		if err := json.Unmarshal(b, &old); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestFile), err)
		}
		if old.Hash != m.Hash {
			return nil, fmt.Errorf("%s: %w (%d networks of task %s from %s); use another -o DIR", dir, ErrOtherSweep, old.Networks, old.Task, old.Spec)
		}
		return newSweep(dir, spec), nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := saved.WriteFileAtomic(filepath.Join(dir, SpecFile), func(w io.Writer) error {
		_, err := w.Write(spec.Source)
		return err
	}, 0o644); err != nil {
		return nil, err
	}
	if err := writeJSONFile(filepath.Join(dir, ManifestFile), m); err != nil {
		return nil, err
	}
	return newSweep(dir, spec), nil
}

// Open opens an existing sweep directory, re-reading its spec.toml.
func Open(dir string) (*Sweep, error) {
	spec, err := LoadSpec(filepath.Join(dir, SpecFile))
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("%s is not a sweep directory: %w", dir, err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestFile), err)
	}
	if m.Hash != spec.Hash() {
		return nil, fmt.Errorf("%s: spec.toml no longer matches sweep.json (was it edited?)", dir)
	}
	return newSweep(dir, spec), nil
}

func newSweep(dir string, spec *Spec) *Sweep {
	h, _ := os.Hostname()
	return &Sweep{Dir: dir, Spec: spec, StaleAfter: 10 * time.Minute, Heartbeat: 30 * time.Second, host: h}
}

// ID returns network i's name: its index, zero-padded.
func (s *Sweep) ID(i int) string {
	w := max(6, len(strconv.Itoa(s.Spec.Len()-1)))
	return fmt.Sprintf("%0*d", w, i)
}

// NetDir returns network i's directory (sharded by thousands).
func (s *Sweep) NetDir(i int) string {
	return filepath.Join(s.Dir, "nets", fmt.Sprintf("%04d", i/1000), s.ID(i))
}

// Result is one network's committed result (result.json). It holds only
// what training determines, so the same network always gives the same
// bytes.
type Result struct {
	Index    int                       `json:"index"`
	ID       string                    `json:"id"`
	Task     string                    `json:"task"`
	Params   map[string]any            `json:"params"`
	Config   map[string]any            `json:"config"`
	Status   string                    `json:"status"` // "ok" or "diverged"
	Message  string                    `json:"message,omitempty"`
	Class    string                    `json:"class,omitempty"`
	Units    int                       `json:"units"`
	Loss     *float64                  `json:"final_loss,omitempty"`
	Accuracy *float64                  `json:"final_accuracy,omitempty"`
	Extra    map[string]float64        `json:"final_extra,omitempty"`
	Analyses map[string]map[string]any `json:"analyses,omitempty"`
	Network  string                    `json:"network"`
	SHA256   string                    `json:"sha256"`
}

// ReadResult reads network i's committed result. With verify it also
// checks the saved network's SHA-256 (or, for a result exported without
// its network, that the PrunedFile names the same SHA-256). It returns fs.ErrNotExist when the
// network has no result and a *CorruptError when the files are damaged.
func (s *Sweep) ReadResult(i int, verify bool) (*Result, error) {
	dir := s.NetDir(i)
	b, err := os.ReadFile(filepath.Join(dir, ResultFile))
	if err != nil {
		return nil, err
	}
	var r Result
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil {
		return nil, &CorruptError{Index: i, Err: err}
	}
	if r.Index != i || r.ID != s.ID(i) {
		return nil, &CorruptError{Index: i, Err: fmt.Errorf("result names network %d (%s)", r.Index, r.ID)}
	}
	if verify {
		nb, err := os.ReadFile(filepath.Join(dir, r.Network))
		if errors.Is(err, fs.ErrNotExist) && prunedMatches(dir, r.SHA256) {
			return &r, nil // exported without its network (see Export)
		}
		if err != nil {
			return nil, &CorruptError{Index: i, Err: err}
		}
		if sum := sha256.Sum256(nb); hex.EncodeToString(sum[:]) != r.SHA256 {
			return nil, &CorruptError{Index: i, Err: fmt.Errorf("%s does not match its SHA-256", r.Network)}
		}
	}
	return &r, nil
}

// CorruptError reports damaged result files.
type CorruptError struct {
	Index int
	Err   error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("network %d: corrupt result: %v", e.Index, e.Err)
}
func (e *CorruptError) Unwrap() error { return e.Err }

// quarantine moves a corrupt result aside so the network is trained again.
func (s *Sweep) quarantine(i int) error {
	dir := s.NetDir(i)
	return os.Rename(filepath.Join(dir, ResultFile), filepath.Join(dir, ResultFile+".corrupt"))
}

// commit writes the network file and then the result, which is linked into
// place so an existing result is never replaced. It reports whether this
// call committed (false: a result already existed).
func (s *Sweep) commit(i int, r *Result, net *saved.Network, c *claim) (bool, error) {
	dir := s.NetDir(i)
	resName := filepath.Join(dir, ResultFile)
	if _, err := os.Lstat(resName); err == nil {
		return false, nil
	}
	if c != nil && !c.valid() {
		return false, fmt.Errorf("network %d: claim %d was taken over by another worker", i, c.gen)
	}
	netName := filepath.Join(dir, NetworkFile)
	var buf bytes.Buffer
	if err := saved.EncodeNative(&buf, net); err != nil {
		return false, err
	}
	if err := saved.WriteFileAtomic(netName, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	}, 0o644); err != nil {
		return false, err
	}
	sum := sha256.Sum256(buf.Bytes())
	r.Network, r.SHA256 = NetworkFile, hex.EncodeToString(sum[:])
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return false, err
	}
	tmp, err := os.CreateTemp(dir, ".result.tmp*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(append(b, '\n'))
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return false, err
	}
	if err := os.Link(tmp.Name(), resName); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, err
	}
	return true, syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// failure is DIR/nets/…/error.json: the last failure of a network, which
// a later run retries.
type failure struct {
	Index int    `json:"index"`
	Error string `json:"error"`
	Host  string `json:"host"`
	PID   int    `json:"pid"`
	Time  string `json:"time"`
}

func (s *Sweep) recordFailure(i int, err error) error {
	return writeJSONFile(filepath.Join(s.NetDir(i), ErrorFile), failure{Index: i, Error: err.Error(), Host: s.host,
		PID: os.Getpid(), Time: time.Now().UTC().Format(time.RFC3339)})
}

// claimRecord is the content of a claim file.
type claimRecord struct {
	Host  string `json:"host"`
	PID   int    `json:"pid"`
	Start string `json:"start"` // the process's start time (/proc), against pid reuse
	Token string `json:"token"`
}

// claim is a worker's hold on a network.
type claim struct {
	name  string
	dir   string
	gen   int
	token string
}

// valid reports whether no later generation has taken the claim over.
func (c *claim) valid() bool {
	_, err := os.Lstat(filepath.Join(c.dir, fmt.Sprintf("claim.%d", c.gen+1)))
	return errors.Is(err, fs.ErrNotExist)
}

// release removes the claim.
func (c *claim) release() {
	os.Remove(c.name)
	c.forget()
}

// touch refreshes the claim's heartbeat.
func (c *claim) touch() {
	now := time.Now()
	os.Chtimes(c.name, now, now)
}

var selfStart = procStart(os.Getpid())

// errHeld means another live worker holds the network.
var errHeld = errors.New("claimed by another worker")

// errDone means the network already has a valid result.
var errDone = errors.New("already done")

// claim takes network i: it returns errDone when a valid result exists,
// errHeld when a live worker holds it, and otherwise a claim (taking over
// a stale one with the next generation).
func (s *Sweep) claim(i int) (*claim, error) {
	dir := s.NetDir(i)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for attempt := 0; attempt < 5; attempt++ {
		if _, err := s.ReadResult(i, false); err == nil {
			return nil, errDone
		}
		gen, name := latestClaim(dir)
		if gen > 0 && !s.stale(name) {
			return nil, errHeld
		}
		c := &claim{dir: dir, gen: gen + 1, name: filepath.Join(dir, fmt.Sprintf("claim.%d", gen+1)), token: randToken()}
		// Registered before the file exists, so that another worker of
		// this process never sees our claim as one of a dead worker.
		heldMu.Lock()
		if held[c.name] != "" {
			heldMu.Unlock()
			return nil, errHeld // another worker of this process is creating it
		}
		held[c.name] = c.token
		heldMu.Unlock()
		f, err := os.OpenFile(c.name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			c.forget()
		}
		if errors.Is(err, fs.ErrExist) {
			continue // another worker won this generation; look again
		}
		if err != nil {
			return nil, err
		}
		b, _ := json.Marshal(claimRecord{Host: s.host, PID: os.Getpid(), Start: selfStart, Token: c.token})
		_, werr := f.Write(b)
		cerr := f.Close()
		if err := errors.Join(werr, cerr); err != nil {
			c.release()
			return nil, err
		}
		// A result may have been committed between the check and the claim.
		if _, err := s.ReadResult(i, false); err == nil {
			c.release()
			return nil, errDone
		}
		return c, nil
	}
	return nil, errHeld
}

// latestClaim returns the highest claim generation in dir and its file.
func latestClaim(dir string) (int, string) {
	ents, _ := os.ReadDir(dir)
	best, name := 0, ""
	for _, e := range ents {
		if g, ok := strings.CutPrefix(e.Name(), "claim."); ok {
			if n, err := strconv.Atoi(g); err == nil && n > best {
				best, name = n, filepath.Join(dir, e.Name())
			}
		}
	}
	return best, name
}

// stale reports whether a claim's worker is gone: on this host, its
// process has exited (or the pid was reused); elsewhere, its heartbeat is
// older than StaleAfter. An unreadable claim is stale once its file is
// older than a few seconds (a worker may be between create and write).
func (s *Sweep) stale(name string) bool {
	fi, err := os.Stat(name)
	if err != nil {
		return true
	}
	age := time.Since(fi.ModTime())
	var rec claimRecord
	b, err := os.ReadFile(name)
	if err != nil || json.Unmarshal(b, &rec) != nil {
		return age > 5*time.Second
	}
	if rec.Host == s.host {
		if rec.PID == os.Getpid() && rec.Start == selfStart {
			return !heldHere(name)
		}
		return !processAlive(rec.PID, rec.Start)
	}
	return age > s.StaleAfter
}

// processAlive reports whether process pid runs and, when start is known,
// started at that time (so a reused pid is not mistaken for the worker).
func processAlive(pid int, start string) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return !errors.Is(err, fs.ErrNotExist) || start == ""
	}
	st, ok := procStatFields(b)
	if !ok {
		return true
	}
	if st[0] == "Z" || st[0] == "X" {
		return false
	}
	return start == "" || st[19] == start
}

// procStart returns the start time of a process (field 22 of
// /proc/PID/stat), or "" where /proc is missing.
func procStart(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	st, ok := procStatFields(b)
	if !ok {
		return ""
	}
	return st[19]
}

// procStatFields returns the fields of /proc/PID/stat after the command
// name: state first.
func procStatFields(b []byte) ([]string, bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil, false
	}
	f := strings.Fields(string(b[i+1:]))
	return f, len(f) >= 20
}

// held is the set of claim files this process holds.
var (
	heldMu sync.Mutex
	held   = map[string]string{} // claim file → token of its holder here
)

func heldHere(name string) bool {
	heldMu.Lock()
	defer heldMu.Unlock()
	return held[name] != ""
}

// forget drops a claim from the held set if this claim still owns it.
func (c *claim) forget() {
	heldMu.Lock()
	if held[c.name] == c.token {
		delete(held, c.name)
	}
	heldMu.Unlock()
}

func randToken() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// State is the state of every network of a sweep, from its files.
type State struct {
	Total, Done, Failed, Running, Corrupt int
	Classes                               map[string]int
	FailedIndex                           []int
	// Times are the modification times of the result files, for rates.
	Times []time.Time
}

// Scan reads the state of every network from the sweep directory (results
// are parsed, not verified by checksum).
func (s *Sweep) Scan() State {
	st := State{Total: s.Spec.Len(), Classes: map[string]int{}}
	for i := 0; i < st.Total; i++ {
		dir := s.NetDir(i)
		r, err := s.ReadResult(i, false)
		switch {
		case err == nil:
			st.Done++
			st.Classes[r.Class]++
			if fi, err := os.Stat(filepath.Join(dir, ResultFile)); err == nil {
				st.Times = append(st.Times, fi.ModTime())
			}
			continue
		case errors.As(err, new(*CorruptError)):
			st.Corrupt++
		}
		if g, name := latestClaim(dir); g > 0 && !s.stale(name) {
			st.Running++
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, ErrorFile)); err == nil {
			st.Failed++
			st.FailedIndex = append(st.FailedIndex, i)
		}
	}
	sort.Slice(st.Times, func(a, b int) bool { return st.Times[a].Before(st.Times[b]) })
	return st
}

// Rate returns the rate at which results arrive, in networks per hour over
// the last 200 results (from the first to the last of their times), and
// the seconds left at that rate for the networks without one, rounded; both
// are 0 with fewer than two results or no time between them.
func (st State) Rate() (perHour, etaSeconds float64) {
	n := len(st.Times)
	if n < 2 {
		return 0, 0
	}
	k := min(n, 200)
	span := st.Times[n-1].Sub(st.Times[n-k])
	if span <= 0 {
		return 0, 0
	}
	perHour = float64(k-1) / span.Hours()
	return perHour, math.Round(float64(st.Total-st.Done) / perHour * 3600)
}

// Results returns every committed result in index order and the indices
// of the networks without one.
func (s *Sweep) Results() ([]*Result, []int) {
	var out []*Result
	var missing []int
	for i := 0; i < s.Spec.Len(); i++ {
		r, err := s.ReadResult(i, false)
		if err != nil {
			missing = append(missing, i)
			continue
		}
		out = append(out, r)
	}
	return out, missing
}

func writeJSONFile(name string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return saved.WriteFileAtomic(name, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	}, 0o644)
}
