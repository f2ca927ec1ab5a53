package saved

import (
	"encoding/json"

	"attractor/model"
	"fmt"
	"path/filepath"
	"strings"
)

// Tensors returns the network's parameters as named tensors, under the
// names its family uses (PyTorch's state-dict names for the torch families
// and the leaky network), followed by its extra arrays.
func Tensors(n *Network) ([]Tensor, error) {
	c, ok := codecs[n.Net.Family()]
	if !ok {
		return nil, fmt.Errorf("family %q has no file codec", n.Net.Family())
	}
	ts, _, err := c.encode(n.Net)
	if err != nil {
		return nil, err
	}
	return append(ts, n.Extra...), nil
}

// Export writes n to name in the format its extension names: .npz (the
// native file, which NumPy reads), .pt (a PyTorch state dict that
// torch.load(weights_only=True) reads, float32 unless dtype says float64;
// a torch family's readout is written as readout.weight and readout.bias)
// or .safetensors (float64, with the manifest as the "attractor" metadata
// entry).
func Export(name string, n *Network, dtype DType) error {
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".npz":
		return WriteNative(name, n)
	case ".pt", ".pth":
		ts, err := Tensors(n)
		if err != nil {
			return &FileError{File: name, Err: err}
		}
		if dtype == "" {
			dtype = Float32
		}
		ts = ts[:len(ts)-len(n.Extra)]
		for i := range ts {
			// A torch family's readout goes under nn.Linear names, so the
			// recurrent module's keys load strictly into torch.nn.RNN/GRU/LSTM.
			switch ts[i].Name {
			case model.ParamWOut:
				ts[i].Name = "readout.weight"
			case model.ParamBOut:
				ts[i].Name = "readout.bias"
			}
		}
		return WriteTorchAs(name, ts, dtype)
	case ".safetensors":
		ts, err := Tensors(n)
		if err != nil {
			return &FileError{File: name, Err: err}
		}
		_, extra, err := encodeNative(n)
		if err != nil {
			return &FileError{File: name, Err: err}
		}
		var m json.RawMessage = extra[ManifestEntry]
		return WriteSafetensors(name, ts, map[string]string{"attractor": string(m)})
	default:
		return &FileError{File: name, Err: fmt.Errorf("unknown extension %q: use .npz, .pt or .safetensors", ext)}
	}
}
