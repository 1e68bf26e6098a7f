#!/bin/sh
# usage: tests/harness/parallel_kill.sh BIN DIR
# A figure (fig-20, WaterSIC/GPTQ points of about a second) as 3 shards
# under GNU parallel (experiments/tools/run-shards.sh, as make fig-N
# SHARDS=3 runs it); shard 2 is killed with SIGKILL once its first point is
# in its file; the run then fails, listing the missing points.  The same
# command again reruns shard 2 alone (the job log's --resume-failed), which
# resumes from its file and computes only the points it had not finished;
# the merge must equal a single-process run (same_data.sh).  Prints what it
# checked; exits 1 on the first failure.
set -u
bin=$1 dir=$2
here=$(dirname "$0")
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$dir"
cfg=$dir/fig-20.cfg
cat >"$cfg" <<'CFG'
seed = 1
family = identity
n = 192
rows = 20000
dists = gaussian
rates = 3 4 5 6
tune = 1
watersic = watersic:lmmse=1,damp=0,drop=0
watersic_no_lmmse = watersic:lmmse=0,damp=0,drop=0
gptq_ec = gptq:percdamp=0
CFG
"$bin/fig-20" --config "$cfg" --out "$dir/single.h5" --quiet --shard off || fail "single run"
rm -f "$dir"/run.*
export JOBS=3
"$here/../../experiments/tools/run-shards.sh" "$bin" fig-20 3 "$cfg" "$dir/run.h5" \
  >"$dir/first.log" 2>&1 &
runner=$!
# Kill shard 2 once its file holds a point, while it computes the next.
t=0
until [ -e "$dir/run.shard-2-of-3.h5" ]; do
  sleep 0.05
  t=$((t + 1))
  [ $t -lt 2400 ] || fail "shard 2 wrote no point in 120 s"
done
pkill -KILL -f -- "--out $dir/run.h5 --shard 2/3" || fail "shard 2 had already finished"
wait $runner && fail "the run with a killed shard succeeded"
grep -q "point .* missing" "$dir/first.log" || fail "the merge did not list the missing points"
[ ! -e "$dir/run.h5" ] || fail "a results file was written from incomplete shards"
done_before=$("$bin/qrd" merge --status "$dir/run.shard-2-of-3.h5" | awk 'NR == 2 {print $4}')
owned=$(grep -c "^shard 2/3.*fig-20: \[" "$dir/first.log")
echo "shard 2 killed after $done_before point(s) were kept ($owned progress lines before the kill)"
"$here/../../experiments/tools/run-shards.sh" "$bin" fig-20 3 "$cfg" "$dir/run.h5" \
  >"$dir/second.log" 2>&1 || { cat "$dir/second.log"; fail "the resumed run failed"; }
grep -q "^shard [13]/3" "$dir/second.log" && fail "finished shards 1 and 3 ran again"
grep -q "shard 2/3: resuming from .*: $done_before points done" "$dir/second.log" ||
  fail "shard 2 did not resume its $done_before points"
again=$(grep -c "^shard 2/3.*fig-20: \[" "$dir/second.log")
total=$(grep -o "shard 2/3: points 0 .. [0-9]*: [0-9]* to compute" "$dir/second.log" | head -1)
echo "resumed: $again point(s) computed again ($total)"
[ $((again + done_before)) -eq 4 ] || fail "shard 2 owns 4 points: $done_before kept + $again computed"
same=$("$here/same_data.sh" "$dir/single.h5" "$dir/run.h5") || fail "$same"
echo "merged after the kill and resume: $same to the single run"
