#!/bin/sh
# usage: tests/harness/shard_check.sh BIN FIG CONFIG DIR N...
# Runs BIN/FIG on CONFIG as one process into DIR/single.h5, then for each N
# as N shards (one after another) merged into DIR/merged-N.h5, and compares
# each merge with the single run (same_data.sh: the same objects and every
# dataset bit for bit).
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
  if ! same=$("$(dirname "$0")/same_data.sh" "$dir/single.h5" "$dir/merged-$n.h5"); then
    echo "$fig: $n shards: $same"
    exit 1
  fi
  echo "$fig: $n shards: $same to the single run"
done
