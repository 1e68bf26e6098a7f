#!/bin/sh
# usage: tests/harness/shard_check.sh BIN FIG CONFIG DIR N...
# Runs BIN/FIG on CONFIG as one process into DIR/single.h5, then for each N
# as N shards (one after another) merged into DIR/merged-N.h5, and compares
# each merge with the single run: the same objects (h5ls -r) and every
# dataset, values bit for bit and its attributes (h5diff FILE FILE OBJECT;
# the root's provenance differs by design: time, threads, merged shards).
# Prints one line per N; exits 1 on the first difference.
set -eu
bin=$1 fig=$2 cfg=$3 dir=$4
shift 4
mkdir -p "$dir"
"$bin/$fig" --config "$cfg" --out "$dir/single.h5" --quiet --shard off
for n in "$@"; do
  rm -f "$dir/merged-$n".*
  i=1
  while [ "$i" -le "$n" ]; do
    "$bin/$fig" --config "$cfg" --out "$dir/merged-$n.h5" --quiet --shard "$i/$n" --threads 1
    i=$((i + 1))
  done
  "$bin/$fig" --config "$cfg" --out "$dir/merged-$n.h5" --quiet --merge "$dir/merged-$n".shard-*-of-"$n".h5
  h5ls -r "$dir/single.h5" | sed 1d >"$dir/objects-single.txt"
  h5ls -r "$dir/merged-$n.h5" | sed 1d >"$dir/objects-$n.txt"
  if ! cmp -s "$dir/objects-single.txt" "$dir/objects-$n.txt"; then
    echo "$fig: $n shards: other objects than the single run:"
    diff "$dir/objects-single.txt" "$dir/objects-$n.txt" | head -20
    exit 1
  fi
  sets=$(awk '$2 == "Dataset" {print $1}' "$dir/objects-single.txt")
  for d in $sets; do
    if ! h5diff "$dir/single.h5" "$dir/merged-$n.h5" "$d" >"$dir/h5diff-$n.txt" 2>&1; then
      echo "$fig: $n shards: $d differs from the single run:"
      head -20 "$dir/h5diff-$n.txt"
      exit 1
    fi
  done
  echo "$fig: $n shards: all $(echo "$sets" | wc -w) datasets identical to the single run (h5diff)"
done
