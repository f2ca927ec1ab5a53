package model

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// fdJacobian returns the central finite-difference Jacobian of f at x with
// step eps (EC-32: ε = 1e-6), where f writes into its first argument.
func fdJacobian(f func(dst, x []float64), x []float64, m int, eps float64) *mat.Dense {
	n := len(x)
	jac := mat.NewDense(m, n, nil)
	xp := append([]float64(nil), x...)
	fp := make([]float64, m)
	fm := make([]float64, m)
	for j := 0; j < n; j++ {
		xp[j] = x[j] + eps
		f(fp, xp)
		xp[j] = x[j] - eps
		f(fm, xp)
		xp[j] = x[j]
		for i := 0; i < m; i++ {
			jac.Set(i, j, (fp[i]-fm[i])/(2*eps))
		}
	}
	return jac
}

// relFrobenius returns ‖a − b‖_F / max(‖b‖_F, 1e-12).
func relFrobenius(a, b *mat.Dense) float64 {
	var d mat.Dense
	d.Sub(a, b)
	return mat.Norm(&d, 2) / math.Max(mat.Norm(b, 2), 1e-12)
}

// checkJacobians asserts EC-32 for net at (x, u): the analytic state and
// input Jacobians of Step, and of Velocity when net is a Flow, equal central
// finite differences (ε = 1e-6) to 1e-5 relative Frobenius error.
func checkJacobians(t *testing.T, net Network, x, u []float64) {
	t.Helper()
	const eps, tol = 1e-6, 1e-5
	d := net.Dims()
	got := mat.NewDense(d.State, d.State, nil)
	net.Jacobian(got, x, u)
	want := fdJacobian(func(dst, s []float64) { net.Step(dst, s, u) }, x, d.State, eps)
	if e := relFrobenius(got, want); e > tol {
		t.Errorf("%s: state Jacobian differs from finite differences by %.3g (relative Frobenius)", net.Family(), e)
	}
	if d.Input > 0 {
		uu := u
		if uu == nil {
			uu = make([]float64, d.Input)
		}
		gotU := mat.NewDense(d.State, d.Input, nil)
		net.InputJacobian(gotU, x, uu)
		wantU := fdJacobian(func(dst, v []float64) { net.Step(dst, x, v) }, uu, d.State, eps)
		if e := relFrobenius(gotU, wantU); e > tol {
			t.Errorf("%s: input Jacobian differs from finite differences by %.3g", net.Family(), e)
		}
	}
	if fl, ok := net.(Flow); ok {
		gotV := mat.NewDense(d.State, d.State, nil)
		fl.VelocityJacobian(gotV, x, u)
		wantV := fdJacobian(func(dst, s []float64) { fl.Velocity(dst, s, u) }, x, d.State, eps)
		if e := relFrobenius(gotV, wantV); e > tol {
			t.Errorf("%s: velocity Jacobian differs from finite differences by %.3g", net.Family(), e)
		}
		// Step must be the Euler step of Velocity.
		step := make([]float64, d.State)
		vel := make([]float64, d.State)
		net.Step(step, x, u)
		fl.Velocity(vel, x, u)
		for i := range step {
			if want := x[i] + fl.Dt()*vel[i]; !relClose(step[i], want, 1e-12) {
				t.Fatalf("%s: Step[%d] = %v, want Euler step %v", net.Family(), i, step[i], want)
			}
		}
	}
}
