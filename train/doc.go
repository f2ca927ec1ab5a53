// Package train fits networks to tasks: FORCE/RLS for continuous-time rate
// networks with output feedback, backpropagation through time with
// PyTorch-exact optimisers for the gradient-trained families, and runs that
// checkpoint, log metrics, stop cleanly and resume to the same bytes. Each
// session reports its post-training evaluation (Results), and the recipes
// of the UI's embedded gallery (GalleryRecipes) are made with these
// trainers.
package train
