#!/bin/sh
# usage: tests/harness/same_data.sh A.h5 B.h5
# Whether two results files hold the same figure data: the same objects
# (h5ls -r) and every dataset the same, values bit for bit (h5diff A B
# DATASET).  The root's provenance attributes are left out: they differ by
# design (time, threads, merged shards).  Prints the first difference and
# exits 1, or prints how many datasets agree.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 A.h5 B.h5" >&2; exit 2; }
a=$1 b=$2
for f in "$a" "$b"; do
  [ -f "$f" ] || { echo "$f: no such file"; exit 1; }
done
la=$(h5ls -r "$a" | sed 1d) || exit 1
lb=$(h5ls -r "$b" | sed 1d) || exit 1
if [ "$la" != "$lb" ]; then
  echo "$b: other objects than $a:"
  printf '%s\n' "$la" >"$b.objects-a.txt"
  printf '%s\n' "$lb" >"$b.objects-b.txt"
  diff "$b.objects-a.txt" "$b.objects-b.txt" | head -20
  rm -f "$b.objects-a.txt" "$b.objects-b.txt"
  exit 1
fi
sets=$(printf '%s\n' "$la" | awk '$2 == "Dataset" {print $1}')
[ -n "$sets" ] || { echo "$a: no datasets"; exit 1; }
for d in $sets; do
  if ! out=$(h5diff "$a" "$b" "$d" 2>&1); then
    echo "$b: $d differs from $a:"
    printf '%s\n' "$out" | head -20
    exit 1
  fi
done
echo "all $(echo "$sets" | wc -w) datasets identical (h5diff)"
