package train

import (
	"fmt"

	"attractor/model"
	"attractor/saved"
)

// forceExtras returns the FORCE trainer's state as extra arrays of a
// checkpoint: the state x, the readouts fed back at the next step, P's
// upper triangles and the step count.
func forceExtras(f *Force) []saved.Tensor {
	vec := func(name string, v []float64) saved.Tensor {
		return saved.Tensor{Name: name, Shape: []int{len(v)}, DType: saved.Float64, Data: v}
	}
	ts := []saved.Tensor{vec(saved.EndStateName, f.x), vec("train.step", []float64{float64(f.step)})}
	if f.po != nil {
		ts = append(ts, vec("train.z_o", f.zo), vec("train.P_o", f.po.Triangle()))
	}
	if f.pd != nil {
		ts = append(ts, vec("train.z_d", f.zd), vec("train.P_d", f.pd.Triangle()))
	}
	return ts
}

// extras indexes a checkpoint's extra arrays by name.
func extras(n *saved.Network) map[string][]float64 {
	ex := map[string][]float64{}
	for _, t := range n.Extra {
		ex[t.Name] = t.Data
	}
	return ex
}

// restoreForce rebuilds a FORCE trainer from a checkpoint's network and
// extra arrays.
func restoreForce(name string, net model.Network, alpha float64, every int, ex map[string][]float64) (*Force, error) {
	ct, ok := net.(*model.CTRNN)
	if !ok {
		return nil, fmt.Errorf("%s: checkpoint holds a %s network, want ctrnn", name, net.Family())
	}
	for _, k := range []string{"train.x", "train.step"} {
		if ex[k] == nil {
			return nil, fmt.Errorf("%s: checkpoint lacks %s", name, k)
		}
	}
	f, err := NewForce(ct, alpha, every, ex["train.x"])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for _, p := range []struct {
		rls     *RLS
		tri, zs string
	}{{f.po, "train.P_o", "train.z_o"}, {f.pd, "train.P_d", "train.z_d"}} {
		if p.rls == nil {
			continue
		}
		if ex[p.tri] == nil || ex[p.zs] == nil {
			return nil, fmt.Errorf("%s: checkpoint lacks %s or %s", name, p.tri, p.zs)
		}
		if err := p.rls.SetTriangle(ex[p.tri]); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := f.Restore(int(ex["train.step"][0]), ex["train.x"], ex["train.z_o"], ex["train.z_d"]); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return f, nil
}

// bytesTensor stores raw bytes (such as an RNG state) as a float64 array,
// one byte per element, so that checkpoints need only one array type.
func bytesTensor(name string, b []byte) saved.Tensor {
	d := make([]float64, len(b))
	for i, v := range b {
		d[i] = float64(v)
	}
	return saved.Tensor{Name: name, Shape: []int{len(d)}, DType: saved.Float64, Data: d}
}

// tensorBytes inverts bytesTensor.
func tensorBytes(d []float64) []byte {
	b := make([]byte, len(d))
	for i, v := range d {
		b[i] = byte(v)
	}
	return b
}
