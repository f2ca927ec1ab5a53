package analysis

import (
	"fmt"
	"strings"
)

// SlowLines describes the report's slow manifolds and the drift of its
// slow points in sentences, one per line, for `attractor inspect`'s text
// output: a slow point that drifts to an attractor is a ghost (of a
// vanished fixed point, or a saddle's way out), one that does not within
// the steps simulated holds like an attractor. A slow point with growing
// modes lies near a saddle and is named as such.
func (r *Report) SlowLines() []string {
	var out []string
	for i, m := range r.Manifolds {
		ids := make([]string, len(m.Points))
		for k, p := range m.Points {
			ids[k] = fmt.Sprintf("%d", p)
		}
		al := ""
		if a, ok := m.Alignment.(float64); ok {
			al = fmt.Sprintf("; the flow on it runs along its axis (mean |cos| %.2f)", a)
		}
		if a, ok := m.EigenAlignment.(float64); ok {
			al += fmt.Sprintf("; its points' slow eigenvectors lie along it (mean |cos| %.3f)", a)
		}
		kind := "line attractor"
		if m.Dimension != 1 {
			kind = fmt.Sprintf("%d-D slow manifold", m.Dimension)
		}
		out = append(out, fmt.Sprintf("slow manifold %d: a %s, not isolated points — fixed_points [%s] and %d relaxed slow states along it, extent %.3g (‖Δx‖ along its first principal axis, %.1f %% of the variance); leading eigenvalue %.5g … %.5g (%s)%s",
			i+1, kind, strings.Join(ids, " "), len(m.States), m.Extent, 100*m.Explained[0], m.SlowMin, m.SlowMax, m.Convention, al))
	}
	for i, p := range r.FixedPoints {
		d := p.Drift
		if d == nil {
			continue
		}
		if d.Attractor < 0 {
			moved := ""
			if n := len(d.Moved); n > 0 {
				moved = fmt.Sprintf(", moving %.3g (‖Δx‖/√N) in %d steps", d.Moved[n-1], d.Lengths[n-1])
			}
			out = append(out, fmt.Sprintf("slow point fixed_points[%d] holds: no attractor reached in %d steps%s", i, d.Simulated, moved))
			continue
		}
		to := fmt.Sprintf("attractor %d", d.Attractor+1)
		if a := r.Attractors[d.Attractor]; a.Point >= 0 {
			to += fmt.Sprintf(" (fixed_points[%d])", a.Point)
		}
		when := fmt.Sprintf("%d steps", d.Steps)
		if r.Model.Dt != nil {
			when += fmt.Sprintf(" = %.4g %s", d.Time, r.Model.TimeUnit)
		}
		if p.UnstableDims > 0 {
			out = append(out, fmt.Sprintf("slow point fixed_points[%d] has %d growing mode(s) (a saddle's neighbourhood, not a memory): it leaves for %s after %s", i, p.UnstableDims, to, when))
			continue
		}
		out = append(out, fmt.Sprintf("slow point fixed_points[%d] is a ghost, not an attractor (a slow point with no growing mode, q %s, as a fixed point leaves behind when it vanishes in a saddle-node): a state held there drifts to %s after %s", i, num(p.Q), to, when))
	}
	return out
}

// num formats a JSON number (nil: NaN) with %.3g.
func num(v any) string {
	if f, ok := v.(float64); ok {
		return fmt.Sprintf("%.3g", f)
	}
	return "NaN"
}
