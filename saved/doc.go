// Package saved reads and writes network files: attractor's native .npz
// file, PyTorch checkpoints, NumPy .npy/.npz arrays and safetensors.
//
// Every parser treats its input as hostile: sizes declared by a file are
// checked against the file's real size before anything is allocated, pickles
// are read by a restricted unpickler that executes nothing and accepts only
// the globals torch.load(weights_only=True) accepts, and every error names the
// file and the field at fault. Every reader opens only regular files (a named
// pipe is refused before it is opened, so it cannot block) and reads under
// one memory budget (DefaultLimits) counted from the declared sizes before
// anything is inflated. Names from files and users are shown through
// Printable, which makes escape sequences visible text; the UI, the SSH
// server and the command line all use it. Every write goes to a temporary file in the
// target's directory, is synced, and is renamed into place, so an interrupted
// write never leaves a partial file under the target name.
package saved
