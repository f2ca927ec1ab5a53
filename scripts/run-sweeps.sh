#!/bin/sh
# Runs the long science sweeps of issue 19 one at a time, alternating in
# time slices so that each makes progress, until both are complete. Every
# sweep is resumable: a slice ends with SIGTERM (the network in flight
# keeps its last checkpoint) and the next slice resumes it. Re-running
# this script after a reboot continues where the sweeps stopped; in a
# later session on a fresh machine it starts from what
# scripts/save-sweeps.sh saved under docs/sweeps/*/state/.
#
#   nohup nice -n 19 scripts/run-sweeps.sh > /work/sweeps/run-sweeps.log 2>&1 &
#
# Environment: ATTRACTOR (the binary, default /work/sweeps/attractor),
# SWEEPS (the output directory, default /work/sweeps), SLICE_PHASE and
# SLICE_CENSUS (slice lengths for timeout(1), default 45m and 40m).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${ATTRACTOR:-/work/sweeps/attractor}
out=${SWEEPS:-/work/sweeps}
slice_phase=${SLICE_PHASE:-45m}
slice_census=${SLICE_CENSUS:-40m}
mkdir -p "$out"

# On a fresh machine, start from the progress saved in the repository by
# scripts/save-sweeps.sh (results without their networks).
restore() { # name docname
	if [ ! -d "$out/$1" ] && [ -f "$here/docs/sweeps/$2/state/spec.toml" ]; then
		cp -r "$here/docs/sweeps/$2/state" "$out/$1"
		echo "$(date -u +%FT%TZ) restored $1 from docs/sweeps/$2/state"
	fi
}
restore phase-medium kurtkaya-phase-medium
restore census-n1000 ghazizadeh-census-n1000

run() { # name spec slice
	# A started sweep keeps its own copy of the spec (DIR/spec.toml), so
	# it resumes even without this checkout.
	spec="$out/$1/spec.toml"
	[ -f "$spec" ] || spec="$here/examples/$2"
	echo "$(date -u +%FT%TZ) start $1 for $3"
	timeout -s TERM -k 2m "$3" "$bin" sweep "$spec" -o "$out/$1" --workers 1 >>"$out/$1.log" 2>&1
	rc=$?
	echo "$(date -u +%FT%TZ) stop $1 rc=$rc"
	return $rc
}

while :; do
	t0=$(date +%s)
	run phase-medium kurtkaya-phase-medium.toml "$slice_phase"
	p=$?
	run census-n1000 ghazizadeh-census-n1000.toml "$slice_census"
	c=$?
	if [ $p -eq 0 ] && [ $c -eq 0 ]; then
		echo "$(date -u +%FT%TZ) both sweeps complete"
		exit 0
	fi
	# A failed network is retried by the next slice; but if both slices
	# ended within a minute without finishing, something else is wrong
	# (a bad spec, a full disk): stop rather than spin.
	if [ $(($(date +%s) - t0)) -lt 60 ]; then
		echo "$(date -u +%FT%TZ) both sweeps stopped at once (rc $p, $c); see their logs"
		exit 1
	fi
done
