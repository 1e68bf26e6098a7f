#!/bin/sh
# usage: tests/slurm/h5same.sh REFERENCE.h5 OTHER.h5 [WORKDIR]
# Whether OTHER holds what REFERENCE holds, as tests/harness/shard_check.sh
# compares a merge with the single run: the same objects (h5ls -r) and
# every dataset, values bit for bit and its attributes (h5diff FILE FILE
# OBJECT; the root's attributes, the provenance, differ by design: time,
# threads, merged shards).  Prints one line; exits 1 on the first
# difference (with the first lines of the diff), 2 on bad use.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 REFERENCE.h5 OTHER.h5 [WORKDIR]" >&2; exit 2; }
ref=$1 other=$2
dir=${3:-$(dirname "$other")}
for f in "$ref" "$other"; do
  [ -f "$f" ] || { echo "h5same: $f: no such file" >&2; exit 2; }
done
h5ls -r "$ref" | sed 1d >"$dir/objects-ref.txt"
h5ls -r "$other" | sed 1d >"$dir/objects-other.txt"
if ! cmp -s "$dir/objects-ref.txt" "$dir/objects-other.txt"; then
  echo "$other: other objects than $ref:"
  diff "$dir/objects-ref.txt" "$dir/objects-other.txt" | head -20
  exit 1
fi
sets=$(awk '$2 == "Dataset" {print $1}' "$dir/objects-ref.txt")
[ -n "$sets" ] || { echo "$ref: no datasets"; exit 1; }
for d in $sets; do
  if ! h5diff "$ref" "$other" "$d" >"$dir/h5diff.txt" 2>&1; then
    echo "$other: $d differs from $ref:"
    head -20 "$dir/h5diff.txt"
    exit 1
  fi
done
echo "all $(echo "$sets" | wc -w) datasets of $(basename "$other") identical to $(basename "$ref") (h5diff)"
