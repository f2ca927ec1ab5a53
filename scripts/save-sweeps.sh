#!/bin/sh
# Saves the progress of the long science sweeps (issue 19) into the
# repository, so that a later session on a fresh machine resumes them:
# each sweep is exported without its networks (`attractor sweep export`:
# spec, manifest, results table and one small result.json per network,
# with a "pruned" marker naming the network's SHA-256) to
# docs/sweeps/NAME/state/, which scripts/run-sweeps.sh copies back before
# it starts. Then commit docs/sweeps.
#
#   scripts/save-sweeps.sh            # after stopping or between slices
#
# Environment: ATTRACTOR (the binary; default: built from this checkout,
# which need not be the binary that trains the sweeps), SWEEPS (the sweep
# directories, default /work/sweeps).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${ATTRACTOR:-}
if [ -z "$bin" ]; then
	bin=$(mktemp -d)/attractor
	(cd "$here" && go build -o "$bin" .)
fi
out=${SWEEPS:-/work/sweeps}
for pair in phase-medium:kurtkaya-phase-medium census-n1000:ghazizadeh-census-n1000; do
	name=${pair%%:*} doc=${pair#*:}
	[ -d "$out/$name" ] || continue
	dest="$here/docs/sweeps/$doc/state"
	tmp="$dest.new"
	rm -rf "$tmp"
	"$bin" sweep export "$out/$name" -o "$tmp"
	rm -rf "$dest"
	mv "$tmp" "$dest"
done
