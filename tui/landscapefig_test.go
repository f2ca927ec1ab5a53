package tui

import (
	"strings"
	"testing"

	"attractor/inspect"
	"attractor/internal/figure"
)

// The branch panel projects on PC1 of the stable points and leaves out a
// point far beyond them (a marginal point where gates saturate), saying
// so, instead of squeezing the attractors into a line.
func TestLandscapeFigureFarPoint(t *testing.T) {
	pt := func(id int, kind string, x ...float64) inspect.LandscapePoint {
		return inspect.LandscapePoint{ID: id, Kind: kind, X: x}
	}
	res := &inspect.LandscapeResult{Checkpoints: []inspect.LandscapeCheckpoint{
		{Step: 1, Stable: 1, Points: []inspect.LandscapePoint{pt(0, "stable", 0, 0)}},
		{Step: 2, Stable: 2, Points: []inspect.LandscapePoint{pt(1, "stable", -1, 0.1), pt(2, "stable", 1, -0.1), pt(3, "marginal", 40, 0)}},
	}}
	fig, err := LandscapeFigure(res, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	var br *figure.Panel
	for _, p := range fig.Panels {
		if strings.HasPrefix(p.Title, "Fixed points on PC1 of the stable points") {
			br = p
		}
	}
	if br == nil {
		t.Fatal("no branch panel on PC1 of the stable points")
	}
	drawn := 0
	for _, ps := range br.Points {
		for _, y := range ps.Y {
			drawn++
			if y < -2 || y > 2 {
				t.Errorf("%s point drawn at PC1 = %g, far off the stable points' range ±1", ps.Label, y)
			}
		}
	}
	if drawn != 3 || len(br.Notes) != 1 || !strings.Contains(br.Notes[0], "1 points off the scale") {
		t.Errorf("%d points drawn, notes %q; want the 3 stable ones and a note of the one left out", drawn, br.Notes)
	}
}
