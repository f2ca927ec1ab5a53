package train

import (
	"encoding/json"
	"fmt"

	"attractor/model"
	"attractor/saved"
)

// trainManifest returns the manifest's training record: the method and its
// configuration.
func trainManifest(method string, cfg any) json.RawMessage {
	c, _ := json.Marshal(cfg)
	return json.RawMessage(`{"method":"` + method + `","config":` + string(c) + `}`)
}

// taskManifest returns the manifest's task record.
func taskManifest(name string, cfg any) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"name": name, "config": cfg})
	return b
}

// saveCheckpoint writes n as a native checkpoint with the training state
// beside its parameters: extra arrays, the optimiser's buffers (when opt is
// not nil), the random stream (when rng is not nil) and the units done.
func saveCheckpoint(name string, n *saved.Network, extra []saved.Tensor, opt Optimizer, rng *model.RNG, done int) error {
	n.Extra = append(n.Extra, extra...)
	if opt != nil {
		n.Extra = append(n.Extra, optimizerExtras(opt)...)
	}
	if rng != nil {
		rs, err := rng.MarshalBinary()
		if err != nil {
			return err
		}
		n.Extra = append(n.Extra, bytesTensor("train.rng", rs))
	}
	n.Extra = append(n.Extra, saved.Tensor{Name: "train.done", Shape: []int{1}, DType: saved.Float64, Data: []float64{float64(done)}})
	return saved.WriteNative(name, n)
}

// checkpoint is what loadCheckpoint read.
type checkpoint struct {
	net   *saved.Network
	extra map[string][]float64
	rng   *model.RNG // nil when the checkpoint stores none
	done  int
}

// loadCheckpoint reads a checkpoint written by saveCheckpoint for training
// method, decoding its configuration into cfg.
func loadCheckpoint(name, method string, cfg any) (*checkpoint, error) {
	ck, err := saved.ReadNative(name)
	if err != nil {
		return nil, err
	}
	tr := struct {
		Method string `json:"method"`
		Config any    `json:"config"`
	}{Config: cfg}
	if err := json.Unmarshal(ck.Manifest.Train, &tr); err != nil || tr.Method != method {
		return nil, fmt.Errorf("%s: not a %s checkpoint (train record %s)", name, method, ck.Manifest.Train)
	}
	c := &checkpoint{net: ck, extra: extras(ck)}
	d := c.extra["train.done"]
	if len(d) != 1 || d[0] < 0 || d[0] != float64(int(d[0])) {
		return nil, fmt.Errorf("%s: checkpoint lacks a valid train.done", name)
	}
	c.done = int(d[0])
	if rs := c.extra["train.rng"]; rs != nil {
		c.rng = model.NewRNG(0, 0)
		if err := c.rng.UnmarshalBinary(tensorBytes(rs)); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return c, nil
}

// restoreOptimizer sets opt's buffers from the checkpoint.
func (c *checkpoint) restoreOptimizer(name string, opt Optimizer) error {
	if err := opt.SetState(optimizerState(c.extra)); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
