// Package train fits networks to tasks: FORCE/RLS for continuous-time rate
// networks with output feedback, backpropagation through time with
// PyTorch-exact optimisers for the gradient-trained families, and runs that
// checkpoint, log metrics, stop cleanly and resume to the same bytes.
package train
