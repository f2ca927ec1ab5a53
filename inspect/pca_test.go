package inspect

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"attractor/model"
)

// pcaRotatedCross returns the four points (±3, 0) and (0, ±1) of a plane
// rotated by θ and embedded in the first two of n coordinates, shifted by
// the offset (1, 2, …, n). Their covariance (normalised by M−1 = 3) has
// eigenvalues 2·9/3 = 6 along u = (cos θ, sin θ, 0, …) and 2/3 along
// v = (−sin θ, cos θ, 0, …), and the mean is the offset.
func pcaRotatedCross(theta float64, n, repeat int) (data [][]float64, u, v []float64) {
	c, s := math.Cos(theta), math.Sin(theta)
	u = make([]float64, n)
	v = make([]float64, n)
	u[0], u[1] = c, s
	v[0], v[1] = -s, c
	for range repeat {
		for _, p := range [][2]float64{{3, 0}, {-3, 0}, {0, 1}, {0, -1}} {
			x := make([]float64, n)
			for j := range x {
				x[j] = float64(j+1) + p[0]*u[j] + p[1]*v[j]
			}
			data = append(data, x)
		}
	}
	return data, u, v
}

func pcaAbsDot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return math.Abs(s)
}

func TestPCARotatedCross(t *testing.T) {
	for _, tc := range []struct {
		name      string
		n, repeat int
	}{
		{"svd M=4 N=5", 5, 1},     // M ≤ N: SVD of the data
		{"eigen M=40 N=3", 3, 10}, // M > N: EigenSym of the covariance
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, u, v := pcaRotatedCross(0.7, tc.n, tc.repeat)
			m := float64(len(data))
			// With each point repeated, the sum of squares grows by repeat
			// and the normaliser is M−1.
			wantVar := []float64{18 * float64(tc.repeat) / (m - 1), 2 * float64(tc.repeat) / (m - 1)}
			p, err := PCA(data, 2)
			if err != nil {
				t.Fatal(err)
			}
			for j, mu := range p.Mean {
				if math.Abs(mu-float64(j+1)) > 1e-12 {
					t.Errorf("mean[%d] = %v, want %d", j, mu, j+1)
				}
			}
			for c, want := range wantVar {
				if math.Abs(p.Variance[c]-want) > 1e-10*want {
					t.Errorf("variance[%d] = %v, want %v", c, p.Variance[c], want)
				}
			}
			if d := pcaAbsDot(p.Components[0], u); math.Abs(d-1) > 1e-10 {
				t.Errorf("|PC1·u| = %v, want 1", d)
			}
			if d := pcaAbsDot(p.Components[1], v); math.Abs(d-1) > 1e-10 {
				t.Errorf("|PC2·v| = %v, want 1", d)
			}
			if got, want := p.TotalVariance, wantVar[0]+wantVar[1]; math.Abs(got-want) > 1e-10*want {
				t.Errorf("total variance = %v, want %v", got, want)
			}
			if r := p.ExplainedRatio(0); math.Abs(r-0.9) > 1e-12 {
				t.Errorf("explained ratio of PC1 = %v, want 9/10", r)
			}
		})
	}
}

// The components and variances agree with gonum's stat.PC, an independent
// implementation (SVD of the weighted, centred data), up to sign.
func TestPCAAgreesWithStatPC(t *testing.T) {
	rng := model.NewRNG(3, 0)
	const m, n, k = 60, 8, 3
	data := make([][]float64, m)
	x := mat.NewDense(m, n, nil)
	for i := range data {
		data[i] = make([]float64, n)
		for j := range data[i] {
			// Anisotropic: coordinate j has standard deviation j+1.
			data[i][j] = float64(j+1)*rng.Norm() + 0.5*float64(j)
			x.Set(i, j, data[i][j])
		}
	}
	var pc stat.PC
	if !pc.PrincipalComponents(x, nil) {
		t.Fatal("stat.PC failed")
	}
	var vecs mat.Dense
	pc.VectorsTo(&vecs)
	vars := pc.VarsTo(nil)
	p, err := PCA(data, k)
	if err != nil {
		t.Fatal(err)
	}
	for c := range k {
		if math.Abs(p.Variance[c]-vars[c]) > 1e-9*vars[c] {
			t.Errorf("variance[%d] = %v, stat.PC %v", c, p.Variance[c], vars[c])
		}
		if d := pcaAbsDot(p.Components[c], mat.Col(nil, c, &vecs)); math.Abs(d-1) > 1e-9 {
			t.Errorf("|component %d · stat.PC's| = %v, want 1", c, d)
		}
	}
}

// The sign convention: every component's largest-magnitude entry is
// positive, whatever the order of the states.
func TestPCASignConvention(t *testing.T) {
	data, _, _ := pcaRotatedCross(2.5, 4, 3) // θ in the second quadrant: u has a negative entry
	p1, err := PCA(data, 2)
	if err != nil {
		t.Fatal(err)
	}
	rev := make([][]float64, len(data))
	for i := range data {
		rev[i] = data[len(data)-1-i]
	}
	p2, err := PCA(rev, 2)
	if err != nil {
		t.Fatal(err)
	}
	for c := range 2 {
		u := p1.Components[c]
		big := 0
		for j := range u {
			if math.Abs(u[j]) > math.Abs(u[big]) {
				big = j
			}
		}
		if u[big] <= 0 {
			t.Errorf("component %d's largest entry %v is not positive", c, u[big])
		}
		for j := range u {
			if math.Abs(u[j]-p2.Components[c][j]) > 1e-12 {
				t.Errorf("component %d differs with the states reversed: %v vs %v", c, u, p2.Components[c])
				break
			}
		}
	}
}

func TestPCAProject(t *testing.T) {
	data, _, _ := pcaRotatedCross(0.3, 6, 1)
	p, err := PCA(data, 2)
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]float64, 2)
	if got := p.Project(dst, p.Mean); math.Abs(got[0])+math.Abs(got[1]) > 1e-12 {
		t.Errorf("projection of the mean = %v, want 0", got)
	}
	// The projected data have the component variances.
	var s0, s1 float64
	for _, x := range data {
		y := p.Project(dst, x)
		s0 += y[0] * y[0]
		s1 += y[1] * y[1]
	}
	m := float64(len(data) - 1)
	if math.Abs(s0/m-p.Variance[0]) > 1e-10 || math.Abs(s1/m-p.Variance[1]) > 1e-10 {
		t.Errorf("projected variances %v, %v; want %v", s0/m, s1/m, p.Variance)
	}
	// The point (3, 0) of the rotated plane lies 3 from the mean along PC1.
	if y := p.Project(dst, data[0]); math.Abs(math.Abs(y[0])-3) > 1e-12 || math.Abs(y[1]) > 1e-12 {
		t.Errorf("projection of the first state = %v, want (±3, 0)", y)
	}
	if a := testing.AllocsPerRun(100, func() { p.Project(dst, data[1]) }); a != 0 {
		t.Errorf("Project allocates %v times", a)
	}
	if got := p.Project(nil, data[0]); len(got) != 2 {
		t.Errorf("Project(nil, x) has length %d, want 2", len(got))
	}
	bad := append([]float64(nil), data[0]...)
	bad[2] = math.NaN()
	if y := p.Project(dst, bad); !math.IsNaN(y[0]) {
		t.Errorf("projection of a NaN state = %v, want NaN", y)
	}
}

func TestPCAErrors(t *testing.T) {
	good := [][]float64{{1, 2}, {3, 4}, {5, 7}}
	for _, tc := range []struct {
		name string
		data [][]float64
		k    int
	}{
		{"no states", nil, 1},
		{"one state", good[:1], 1},
		{"ragged", [][]float64{{1, 2}, {3}}, 1},
		{"empty states", [][]float64{{}, {}}, 1},
		{"k zero", good, 0},
		{"NaN", [][]float64{{1, 2}, {math.NaN(), 4}}, 1},
		{"Inf", [][]float64{{1, math.Inf(1)}, {3, 4}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := PCA(tc.data, tc.k); !errors.Is(err, ErrPCAData) {
				t.Errorf("error %v, want ErrPCAData", err)
			}
		})
	}
	p, err := PCA(good, 5) // k is capped at min(M, N) = 2
	if err != nil {
		t.Fatal(err)
	}
	if p.K() != 2 {
		t.Errorf("K() = %d, want 2", p.K())
	}
}

// Four states on a line: all the variance is along PC1.
func ExamplePCA() {
	data := [][]float64{{0, 0}, {1, 1}, {2, 2}, {3, 3}}
	p, err := PCA(data, 1)
	if err != nil {
		panic(err)
	}
	fmt.Printf("PC1 = (%.3f, %.3f), variance %.3f, explained %.0f%%\n",
		p.Components[0][0], p.Components[0][1], p.Variance[0], 100*p.ExplainedRatio(0))
	fmt.Printf("(3, 3) projects to %.3f\n", p.Project(nil, []float64{3, 3})[0])
	// Output:
	// PC1 = (0.707, 0.707), variance 3.333, explained 100%
	// (3, 3) projects to 2.121
}
