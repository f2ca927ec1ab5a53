package train

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

// checkMetrics returns an error naming the first non-finite figure of m.
func checkMetrics(m Metrics) error {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	switch {
	case bad(m.Loss):
		return fmt.Errorf("loss is %v", m.Loss)
	case bad(m.GradNorm):
		return fmt.Errorf("grad_norm is %v (loss %v)", m.GradNorm, m.Loss)
	case bad(m.Accuracy):
		return fmt.Errorf("accuracy is %v (loss %v)", m.Accuracy, m.Loss)
	}
	keys := make([]string, 0, len(m.Extra))
	for k := range m.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if bad(m.Extra[k]) {
			return fmt.Errorf("%s is %v (loss %v)", k, m.Extra[k], m.Loss)
		}
	}
	return nil
}

// resumeMarker is the line Run writes to a metrics log it continues: the
// steps logged after it replace those above it from step Resume + 1 on.
type resumeMarker struct {
	Resume int `json:"resume"`
}

// prepareLog makes the metrics log f ready to append to: a last line cut
// short by a crash is removed, and a log that already holds lines gets a
// resume marker for step start, so readers drop the steps the run repeats.
func prepareLog(f *os.File, start int) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	if size == 0 {
		return nil
	}
	// Find the end of the last complete line.
	end := size
	buf := make([]byte, 4096)
	for end > 0 {
		off := max(0, end-int64(len(buf)))
		n, err := f.ReadAt(buf[:end-off], off)
		if err != nil && err != io.EOF {
			return err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			end = off + int64(i) + 1
			break
		}
		end = off
	}
	if end != size {
		if err := f.Truncate(end); err != nil {
			return err
		}
	}
	if end == 0 {
		return nil
	}
	b, _ := json.Marshal(resumeMarker{Resume: start})
	_, err = f.Write(append(b, '\n'))
	return err
}

// parseMetricsLine decodes one line of a metrics log: a unit's metrics, or
// a resume marker, whose step it returns (−1 for metrics).
func parseMetricsLine(line []byte) (Metrics, int, error) {
	var probe struct {
		Resume *int `json:"resume"`
	}
	if bytes.Contains(line, []byte(`"resume"`)) {
		if err := json.Unmarshal(line, &probe); err == nil && probe.Resume != nil {
			if *probe.Resume < 0 {
				return Metrics{}, 0, fmt.Errorf("resume marker for step %d", *probe.Resume)
			}
			return Metrics{}, *probe.Resume, nil
		}
	}
	var m Metrics
	if err := json.Unmarshal(line, &m); err != nil {
		return Metrics{}, 0, err
	}
	return m, -1, nil
}
