package train

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLastPerStep: a step logged again (a resumed run) keeps its last
// record, in order; a record at an earlier step drops the later ones.
func TestLastPerStep(t *testing.T) {
	for _, tc := range []struct {
		in    []Metrics
		steps []int
		loss  []float64
	}{
		{[]Metrics{{Step: 1}, {Step: 2, Loss: 1}, {Step: 2, Loss: 2}, {Step: 3}}, []int{1, 2, 3}, []float64{0, 2, 0}},
		{[]Metrics{{Step: 1}, {Step: 2}, {Step: 3, Loss: 1}, {Step: 2, Loss: 5}, {Step: 3, Loss: 6}}, []int{1, 2, 3}, []float64{0, 5, 6}},
		{nil, nil, nil},
	} {
		got := LastPerStep(tc.in)
		if len(got) != len(tc.steps) {
			t.Fatalf("%+v: %+v", tc.in, got)
		}
		for i, m := range got {
			if m.Step != tc.steps[i] || m.Loss != tc.loss[i] {
				t.Errorf("%+v: record %d is %+v, want step %d loss %v", tc.in, i, m, tc.steps[i], tc.loss[i])
			}
		}
	}
}

// TestMeanLastLoss: the mean of the last k units' losses, a step logged
// twice counting with its later line; a window with no record is an error
// naming the file.
func TestMeanLastLoss(t *testing.T) {
	name := filepath.Join(t.TempDir(), MetricsFile)
	log := `{"step":1,"loss":10}
{"step":2,"loss":1}
{"step":3,"loss":2}
{"step":3,"loss":4}
`
	if err := os.WriteFile(name, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	if m, err := MeanLastLoss(name, 3, 2); err != nil || m != 2.5 {
		t.Errorf("last 2 of 3: %v, %v; want 2.5", m, err)
	}
	if m, err := MeanLastLoss(name, 4, 2); err != nil || m != 4 {
		t.Errorf("last 2 of 4 (step 4 not logged): %v, %v; want 4", m, err)
	}
	if _, err := MeanLastLoss(name, 9, 2); err == nil || !strings.Contains(err.Error(), name) {
		t.Errorf("no records: %v", err)
	}
}
