package analysis

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"attractor/inspect"
)

// TestPerturbCurves runs two of the four experiments on the gallery's GRU
// flip-flop: the curves come in the fixed order, one point per strength,
// each experiment announced to stage before it runs and its progress
// reported; no experiment gives no curve; the same seed gives the same
// curves.
func TestPerturbCurves(t *testing.T) {
	n := openGallery(t, "06-flipflop-gru.npz")
	p, err := ProtocolFor(n, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	trials, err := PerturbTrials(ctx, n.Net, &p)
	if err != nil {
		t.Fatal(err)
	}
	trials = trials[:min(4, len(trials))]
	var labels []string
	reported := map[string]int{}
	stage := func(label string) func(done, total int) {
		labels = append(labels, label)
		return func(done, total int) { reported[label] = done }
	}
	// Kicks listed first in the struct literal still run after noise.
	e := PerturbExperiments{Kicks: []float64{0, 0.5}, Noise: []float64{0, 0.2, 0.4}}
	set := inspect.PerturbSettings{Repeats: 2, Seed: 3}
	curves, err := PerturbCurves(ctx, n.Net, trials, e, set, stage)
	if err != nil {
		t.Fatal(err)
	}
	if len(curves) != 2 || !strings.HasPrefix(curves[0].Experiment, "stimulus-1 noise") || curves[1].Experiment != "state kick at delay start" {
		t.Fatalf("curves %v", curves)
	}
	if len(curves[0].Points) != 3 || len(curves[1].Points) != 2 {
		t.Errorf("%d and %d points, want 3 and 2", len(curves[0].Points), len(curves[1].Points))
	}
	if !reflect.DeepEqual(labels, []string{"noise", "kicks"}) || reported["noise"] == 0 || reported["kicks"] == 0 {
		t.Errorf("stages %v, progress %v", labels, reported)
	}
	again, err := PerturbCurves(ctx, n.Net, trials, e, set, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range curves {
		for j, pt := range curves[i].Points {
			if q := again[i].Points[j]; q.Mean != pt.Mean || q.Failures != pt.Failures {
				t.Errorf("curve %d point %d: %+v, then %+v", i, j, pt, q)
			}
		}
	}
	if none, err := PerturbCurves(ctx, n.Net, trials, PerturbExperiments{}, set, stage); err != nil || len(none) != 0 {
		t.Errorf("no experiment: %v, %v", none, err)
	}
}
