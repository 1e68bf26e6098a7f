#!/usr/bin/env bash
# usage: experiments/tools/bench-figures.sh BIN [FIGURE...]
#
# Wall time of every figure driver's computation (its default config, the
# machine's threads, --quiet, results to a scratch directory), side by side
# with a baseline build of an earlier commit that this script builds and
# runs in the same invocation, so the ratio holds on a noisy machine:
#
#   BENCH_BASE   the baseline commit (default 0b9f907, the build the figure
#                timings of issue 17 were measured on); "none" skips it
#   BENCH_DIR    where the baseline is unpacked and built
#                (default build-bench; reused while BENCH_BASE is the same)
#
# The two builds run each figure one after the other, the order alternating
# from figure to figure.  Output, tab-separated on stdout:
#   bench  fig-N  <head s>  <base s>  <head/base>
#   bench  total  <head s over the baseline's figures>  <base s>  <ratio>
#   bench  slowest  fig-N  <head s>
#   bench  extra  <head s of figures the baseline does not have>
# Progress goes to stderr.  Exits 1 if a run fails.
set -u -o pipefail
[ $# -ge 1 ] || { echo "usage: $0 BIN [FIGURE...]" >&2; exit 2; }
bin=$1
shift
base=${BENCH_BASE:-0b9f907}
dir=${BENCH_DIR:-build-bench}
figs=${*:-$(ls configs | sed -n 's/^\(fig-[0-9]*\)\.cfg$/\1/p' | sort -t- -k2 -n)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }

if [ "$base" != none ]; then
  rev=$(git rev-parse --verify -q "$base^{commit}") ||
    { echo "$0: BENCH_BASE=$base: not a commit of this repository" >&2; exit 2; }
  src=$dir/base-$rev
  if [ ! -f "$src/.built" ]; then
    echo "bench: building the baseline $base in $src" >&2
    rm -rf "$src" && mkdir -p "$src" && git archive "$rev" | tar -x -C "$src" &&
      make -C "$src" -j"$(nproc)" all \
        $(ls "$src/configs" | sed -n 's/^\(fig-[0-9]*\)\.cfg$/bin\/\1/p') \
        >"$src.build.log" 2>&1 && touch "$src/.built" ||
      { echo "$0: the baseline did not build (log: $src.build.log)" >&2; exit 1; }
  fi
fi

# run PROGRAM_DIR CONFIG_DIR FIG: prints the wall seconds
run() {
  s=$(now)
  "$1/$3" --config "$2/$3.cfg" --out "$tmp/$3.h5" --quiet >"$tmp/out" 2>"$tmp/err" ||
    { echo "$0: $1/$3 failed:" >&2; cat "$tmp/err" >&2; return 1; }
  e=$(now)
  rm -f "$tmp/$3.h5"
  awk -v a="$s" -v b="$e" 'BEGIN {printf "%.3f", b - a}'
}

k=0
for f in $figs; do
  k=$((k + 1))
  if [ "$base" != none ] && [ -f "$src/configs/$f.cfg" ]; then
    if [ $((k % 2)) -eq 1 ]; then
      h=$(run "$bin" configs "$f") || exit 1
      b=$(run "$src/bin" "$src/configs" "$f") || exit 1
    else
      b=$(run "$src/bin" "$src/configs" "$f") || exit 1
      h=$(run "$bin" configs "$f") || exit 1
    fi
  else
    h=$(run "$bin" configs "$f") || exit 1
    b=-
  fi
  echo "bench: $f $h s (baseline $b s)" >&2
  printf 'bench\t%s\t%s\t%s\n' "$f" "$h" "$b"
done | awk -F '\t' -v OFS='\t' '
  { if ($4 == "-") { extra += $3; print $1, $2, $3, "-", "-" }
    else { h += $3; b += $4; print $1, $2, $3, $4, sprintf("%.3f", $3 / $4) }
    if ($3 > worst) { worst = $3; slow = $2 } }
  END { if (b > 0) print "bench", "total", sprintf("%.3f", h), sprintf("%.3f", b), sprintf("%.3f", h / b)
        print "bench", "slowest", slow, sprintf("%.3f", worst)
        if (extra > 0) print "bench", "extra", sprintf("%.3f", extra) }'
