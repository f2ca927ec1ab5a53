package figure

import (
	"fmt"
	"io"
	"math"
	"testing"
	"time"
)

// Extreme ranges and values neither panic nor hang the renderer in any
// format (a fixed range of ±1e308 once made gonum's tick search loop
// forever).
func TestExtremeValues(t *testing.T) {
	cases := map[string]*Panel{
		"huge fixed range": {XMin: -1e308, XMax: 1e308, YMin: -1e308, YMax: 1e308, Points: []Points{{X: []float64{0}, Y: []float64{0}}}},
		"huge data":        {Points: []Points{{X: []float64{-1e308, 1e308}, Y: []float64{-1e308, 1e308}}}},
		"tiny span":        {Points: []Points{{X: []float64{1, 1 + 1e-15}, Y: []float64{1, 1 + 1e-15}}}},
		"denormal":         {Points: []Points{{X: []float64{5e-324, 1e-323}, Y: []float64{0, 5e-324}}}},
		"log huge":         {LogY: true, Lines: []Line{{X: []float64{0, 1}, Y: []float64{1e-300, 1e300}}}},
		"log tiny":         {LogY: true, Lines: []Line{{X: []float64{0, 1}, Y: []float64{1, 1 + 1e-15}}}},
		"equal huge":       {Equal: true, Points: []Points{{X: []float64{-1e300, 1e300}, Y: []float64{0, 1e-300}}}},
		"heat huge":        {Heat: &Heat{X: []float64{-1e308, 1e308}, Y: []float64{0, 1}, Z: []float64{1, 2, 3, 4}, Min: -1e308, Max: 1e308}},
		"circle huge":      {Circles: []Circle{{R: 1e300}}, Points: []Points{{X: []float64{0}, Y: []float64{0}}}},
		"refs only":        {VLines: []Ref{{Value: 1e308}}, HLines: []Ref{{Value: -1e308}}},
		"dash weird":       {Lines: []Line{{Dash: "0 0 -1 NaN", X: []float64{0, 1}, Y: []float64{0, 1}, Width: math.Inf(1)}}},
		"bars extreme": {Bars: []Bar{{Label: "nan", Value: math.NaN(), Text: "x"}, {Label: "inf", Value: math.Inf(1)},
			{Label: "-huge", Value: -1e308}, {Label: "huge", Value: 1e308, Color: "not a colour"}}},
		"heat values": {XTicks: []string{"a", "b"}, YTicks: []string{"only"}, Heat: &Heat{X: []float64{0, 1}, Y: []float64{0},
			Z: []float64{math.NaN(), math.Inf(1)}, Values: true, Format: "%d"}},
		"many categories": {XTicks: make([]string, 5000), Heat: &Heat{X: []float64{0, 1}, Y: []float64{0}, Z: []float64{0.5, 1e300}, Values: true}},
	}
	for name, p := range cases {
		for _, f := range []Format{SVG, PNG, PDF} {
			done := make(chan error, 1)
			go func() {
				defer func() {
					if r := recover(); r != nil {
						done <- fmt.Errorf("panic: %v", r)
					}
				}()
				done <- (&Figure{Panels: []*Panel{p}}).Write(io.Discard, f)
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("%s %s: %v", name, f, err)
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("%s %s: hangs", name, f)
			}
		}
	}
}
