#!/bin/sh
# EC-15, EC-18 and EC-19 on the trainable networks of the N = 1000 census
# (examples/ghazizadeh-census-n1000.toml): for every network whose
# trainability class is "trainable" and that has no ec.json yet, writes
# beside its net.npz
#   inspect.json  `attractor inspect --json` (origin spectrum, outliers, the
#                 3×3 overlap, the §9 verdict with the authors' classifier)
#   extend.json   `attractor perturb --extend-delay` up to 5× delay 1 (EC-18)
#   noise.json    `attractor perturb --noise paper` (the code's noise, EC-19)
#   gnoise.json   the same with zero-mean Gaussian noise
# then ec.json as a marker. Resumable: re-run it to continue. One network
# at a time, niced; run it between sweep slices, not beside them.
#
#   nice -n 19 scripts/census-ec.sh /work/sweeps/census-n1000
set -eu
dir=${1:?usage: census-ec.sh SWEEP_DIR}
bin=${ATTRACTOR:-/work/sweeps/attractor}
for res in "$dir"/nets/*/*/result.json; do
	d=$(dirname "$res")
	[ -f "$d/ec.json" ] && continue
	grep -q '"class": "untrainable"' "$res" && continue
	grep -q '"status": "ok"' "$res" || continue
	echo "$(date -u +%FT%TZ) $d"
	"$bin" inspect "$d/net.npz" --json > "$d/inspect.json.tmp" && mv "$d/inspect.json.tmp" "$d/inspect.json"
	"$bin" perturb "$d/net.npz" --extend-delay 0,1,2.5,5,7.5,10,15,20,25 --json > "$d/extend.json.tmp" && mv "$d/extend.json.tmp" "$d/extend.json"
	"$bin" perturb "$d/net.npz" --noise paper --json > "$d/noise.json.tmp" && mv "$d/noise.json.tmp" "$d/noise.json"
	"$bin" perturb "$d/net.npz" --noise paper --gaussian --json > "$d/gnoise.json.tmp" && mv "$d/gnoise.json.tmp" "$d/gnoise.json"
	echo '{"done": true}' > "$d/ec.json"
done
