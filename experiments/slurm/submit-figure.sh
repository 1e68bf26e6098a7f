#!/bin/sh
# usage: experiments/slurm/submit-figure.sh fig-N [-n SHARDS] [-c CONFIG] [-o OUT]
#          [-l LOGDIR] [-p PLOT|none] [-- SBATCH-OPTION...]
#
# Runs a figure on a Slurm cluster: a job array of SHARDS tasks (default 4),
# task i computing shard i of SHARDS (the driver takes it from
# SLURM_ARRAY_TASK_ID / _COUNT; src/harness/shard.h) into
# <OUT without .h5>.shard-i-of-SHARDS.h5, then a merge job that starts when
# every task succeeded (--dependency=afterok) and writes OUT from the shard
# files, exports it (OUT's .tsv and one .tsv per panel, as make fig-N does)
# and plots it to PLOT (default plots/<OUT's name>.png; none: no plot;
# skipped with a note when gnuplot is missing).
#
#   CONFIG   default configs/fig-N.cfg
#   OUT      default results/fig-N.h5 (must end in .h5)
#   LOGDIR   the jobs' logs, default results/slurm
#   BIN      (environment) where the programs are, default bin
#   after -- options for both sbatch calls (--partition=..., --time=...,
#            --cpus-per-task=K: each task then runs with --threads K)
#
# Relative paths are taken from the current directory; the jobs run in the
# repository's root (sbatch --chdir), which the nodes must see at the same
# path.  The jobs run copies of BIN/fig-N and BIN/qrd made at submission
# (LOGDIR/fig-N-programs.XXXXXX, removed by a merge that succeeds): shard
# files are only merged by the very program that made them, and rebuilding
# BIN while the jobs wait must not break the merge.  CONFIG is read when
# each job starts: leave it alone until the merge has run.  A task that
# fails leaves the merge pending (DependencyNeverSatisfied; scancel it);
# submitting again with the same SHARDS resumes every shard from its file.
#
# Prints one line on stdout: array=<job id> merge=<job id>.
set -eu

me=submit-figure.sh
die() { echo "$me: $*" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

# An absolute path for $1: as given when absolute, from the current
# directory otherwise.
abspath() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$PWD" "$1" ;;
  esac
}

[ $# -ge 1 ] || die "usage: $me fig-N [-n SHARDS] [-c CONFIG] [-o OUT] [-l LOGDIR] [-p PLOT|none] [-- SBATCH-OPTION...]"
case "$1" in
  -h | --help) sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p;}' "$0"; exit 0 ;;
  fig-[0-9]*) fig=$1 ;;
  *) die "first argument '$1': want a figure name fig-N" ;;
esac
case "${fig#fig-}" in
  *[!0-9]*) die "first argument '$fig': want a figure name fig-N" ;;
esac
shift

shards=4 cfg='' out='' logdir='' plot=''
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; break ;;
    -n | -c | -o | -l | -p)
      [ $# -ge 2 ] || die "option $1 needs a value"
      case "$1" in
        -n) shards=$2 ;;
        -c) cfg=$2 ;;
        -o) out=$2 ;;
        -l) logdir=$2 ;;
        -p) plot=$2 ;;
      esac
      shift 2 ;;
    *) die "unknown argument '$1' (sbatch options go after --)" ;;
  esac
done
# the rest ("$@") are sbatch options

case "$shards" in
  '' | *[!0-9]*) die "-n $shards: want a number of shards from 1 to 100000" ;;
esac
[ "${#shards}" -le 6 ] && [ "$shards" -ge 1 ] && [ "$shards" -le 100000 ] ||
  die "-n $shards: want a number of shards from 1 to 100000"

command -v sbatch >/dev/null 2>&1 || die "sbatch not found (not on a Slurm submit host?)"

bin=${BIN:-bin}
case "$bin" in /*) ;; *) if [ -n "${BIN:-}" ]; then bin=$(abspath "$bin"); else bin=$root/$bin; fi ;; esac
[ -x "$bin/$fig" ] || die "$bin/$fig: no such program (build it with make, or set BIN)"
[ -x "$bin/qrd" ] || die "$bin/qrd: no such program (build it with make, or set BIN)"

if [ -n "$cfg" ]; then cfg=$(abspath "$cfg"); else cfg=$root/configs/$fig.cfg; fi
[ -f "$cfg" ] && [ -r "$cfg" ] || die "config $cfg: no such readable file"

if [ -n "$out" ]; then out=$(abspath "$out"); else out=$root/results/$fig.h5; fi
case "$out" in
  *.h5) ;;
  *) die "-o $out: want a results file name ending in .h5" ;;
esac
mkdir -p "$(dirname "$out")" 2>/dev/null || die "cannot create the directory of $out"

if [ -n "$logdir" ]; then logdir=$(abspath "$logdir"); else logdir=$root/results/slurm; fi
mkdir -p "$logdir" 2>/dev/null || die "cannot create the log directory $logdir"

case "$plot" in
  none) ;;
  '') plot=$root/plots/$(basename "${out%.h5}").png ;;
  *.png) plot=$(abspath "$plot") ;;
  *) die "-p $plot: want a .png file name or none" ;;
esac
if [ "$plot" != none ]; then
  [ -f "$root/experiments/plot/$fig.gp" ] || die "experiments/plot/$fig.gp: no plot script (use -p none)"
  mkdir -p "$(dirname "$plot")" 2>/dev/null || die "cannot create the directory of $plot"
fi


# The programs the jobs run (see above); merge.sbatch removes the copy
# after a merge that succeeds (it holds the file SNAPSHOT).
snap=$(mktemp -d "$logdir/$fig-programs.XXXXXX") || die "cannot make a directory in $logdir"
cp "$bin/$fig" "$bin/qrd" "$snap/" && chmod 0755 "$snap" &&
  echo "copies of $bin/$fig and $bin/qrd for one submission, $(date -u +%FT%TZ)" >"$snap/SNAPSHOT" || {
  rm -rf "$snap"
  die "cannot copy $bin/$fig and $bin/qrd to $snap"
}

# --parsable prints "<id>" or "<id>;<cluster>".
array=$(sbatch --parsable --array="1-$shards" --chdir="$root" --job-name="$fig-shard" \
  --output="$logdir/$fig-shard-%A_%a.log" "$@" \
  "$here/shard.sbatch" "$snap" "$fig" "$cfg" "$out") || {
  rm -rf "$snap"
  die "sbatch of the $shards-task array failed"
}
array=${array%%;*}
case "$array" in
  '' | *[!0-9]*) die "sbatch printed '$array', not a job id" ;;
esac

merge=$(sbatch --parsable --dependency="afterok:$array" --chdir="$root" --job-name="$fig-merge" \
  --output="$logdir/$fig-merge-%j.log" "$@" \
  "$here/merge.sbatch" "$snap" "$fig" "$cfg" "$out" "$shards" "$plot") || {
  scancel "$array" 2>/dev/null || true
  die "sbatch of the merge failed (array $array cancelled; programs left in $snap)"
}
merge=${merge%%;*}

echo "array=$array merge=$merge"
