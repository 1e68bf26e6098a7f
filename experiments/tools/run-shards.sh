#!/bin/sh
# usage: experiments/tools/run-shards.sh BIN FIG SHARDS CONFIG OUT.h5 [driver flags...]
# Runs figure FIG as SHARDS shards on this machine through GNU parallel
# (as many at once as there are cores, one thread each), then merges them
# into OUT.h5 and removes the shard files.  The job log OUT.joblog lets a rerun of the same command
# (--resume-failed) run only the shards that failed or never ran, and each
# shard resumes from its shard file, so a rerun recomputes only the points
# that were not finished.  `make fig-N SHARDS=k` calls this.
set -u
[ $# -ge 5 ] || { echo "usage: $0 BIN FIG SHARDS CONFIG OUT.h5 [driver flags...]" >&2; exit 2; }
bin=$1 fig=$2 shards=$3 cfg=$4 out=$5
shift 5
case $shards in '' | *[!0-9]* | 0) echo "$0: SHARDS=$shards: want a whole number >= 1" >&2; exit 2 ;; esac
case $out in *.h5) ;; *) echo "$0: $out: want a results file name ending in .h5" >&2; exit 2 ;; esac
command -v parallel >/dev/null || { echo "$0: GNU parallel not found (apt-get install parallel)" >&2; exit 2; }
stem=${out%.h5}
jobs=${JOBS:-$(nproc)}
# Each shard's stderr lines are tagged with its shard number as they come.
parallel --will-cite --joblog "$stem.joblog" --resume-failed --line-buffer -j "$jobs" \
  --tagstring "shard {}/$shards" \
  "$bin/$fig" --config "$cfg" --out "$out" --shard "{}/$shards" --threads 1 "$@" \
  ::: $(seq 1 "$shards")
failed=$?
[ "$failed" -eq 0 ] || echo "$0: $failed shard(s) of $fig failed (see $stem.joblog); run the same command again to resume them" >&2
# The merge lists any missing or failed point by name and then writes nothing.
files=$(seq -f "$stem.shard-%g-of-$shards.h5" 1 "$shards")
"$bin/$fig" --config "$cfg" --out "$out" "$@" --merge $files || exit 1
# Merged: the shards' work is in OUT.h5 (and a later run may use another config).
rm -f $files "$stem.joblog"
