#!/bin/sh
# usage: tests/slurm/run.sh        (the "slurm" test: make test-slurm)
#
# experiments/slurm/submit-figure.sh on a real Slurm: a one-node cluster on
# this machine, without systemd, made and removed by the test.
#   1. Installs what is missing (as root, apt-get: slurmctld slurmd
#      slurm-client munge hdf5-tools).
#   2. Starts its own munged (the key /etc/munge/munge.key, made when
#      missing; the socket in a scratch dir), slurmctld and slurmd (-D, a
#      slurm.conf in the scratch dir: this node with what slurmd -C finds,
#      free ports, no accounting, no cgroups), and waits for the node to be
#      idle.
#   3. Runs fig-17 on a reduced config as one process, then submits it with
#      submit-figure.sh as a 3-task array and its merge, waits for both,
#      checks every task and the merge completed, and compares the merged
#      results file with the single run dataset by dataset (tests/harness/same_data.sh, as
#      tests/harness/shard_check.sh does), and that the export and the plot
#      were made.  Also checks submit-figure.sh's argument errors.
#   4. Stops the daemons it started (on every exit) and prints PASS or FAIL;
#      on failure exits 1 and keeps the scratch dir with the logs.
#
# Environment: BIN (default bin: the programs, built by make), and
# QRD_SLURM_TIMEOUT (default 300: seconds to wait for the jobs).
set -eu

cd "$(dirname "$0")/../.."
BIN=${BIN:-bin}
export BIN
timeout=${QRD_SLURM_TIMEOUT:-300}
PATH=$PATH:/usr/sbin:/sbin
export PATH
fig=fig-17

tmp='' munged_pid='' ctld_pid='' slurmd_pid='' jobs='' passed=0
t_start=$(date +%s)

say() { echo "slurm test: $*"; }
fail() {
  echo "slurm test: FAIL: $*"
  exit 1
}
# seconds since $1 (a date +%s)
since() { echo $(($(date +%s) - $1)); }

# Stops pid $1 (a daemon this test started): TERM, then KILL after 10 s.
stop() {
  [ -n "$1" ] || return 0
  kill -TERM "$1" 2>/dev/null || return 0
  i=0
  while kill -0 "$1" 2>/dev/null && [ $i -lt 20 ]; do
    sleep 0.5
    i=$((i + 1))
  done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

cleanup() {
  st=$?
  set +e
  trap - EXIT INT TERM
  if [ -n "$jobs" ] && [ -n "$ctld_pid" ]; then
    # jobs still queued or running (a time-out, an interrupt) end first
    scancel $jobs 2>/dev/null
    i=0
    while [ -n "$(squeue -h -j "$(echo $jobs | tr ' ' ,)" 2>/dev/null)" ] && [ $i -lt 30 ]; do
      sleep 0.5
      i=$((i + 1))
    done | sed 's/; $//'
  fi
  stop "$slurmd_pid"
  stop "$ctld_pid"
  stop "$munged_pid"
  if [ -n "$tmp" ]; then
    if [ "$passed" = 1 ]; then
      rm -rf "$tmp"
    else
      for f in "$tmp"/slurmctld.log "$tmp"/slurmd.log "$tmp"/munge/munged.log "$tmp"/logs/*.log; do
        [ -s "$f" ] || continue
        echo "---- last lines of $f"
        tail -n 15 "$f"
      done
      echo "slurm test: logs and files kept in $tmp"
    fi
  fi
  if [ "$passed" = 1 ]; then
    echo "slurm test: PASS ($(since "$t_start") s)"
  else
    [ "$st" -ne 0 ] || st=1
    echo "slurm test: FAIL ($(since "$t_start") s)"
  fi
  exit "$st"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- 1. what the test needs ----
[ -x "$BIN/$fig" ] && [ -x "$BIN/qrd" ] || fail "$BIN/$fig or $BIN/qrd missing: build first (make, or set BIN)"

tmp=$(mktemp -d /tmp/qrd-slurm.XXXXXX)
# munged runs as munge and needs to reach its directory
chmod 0755 "$tmp"
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/logs" "$tmp/munge"

need="slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client squeue:slurm-client
      scontrol:slurm-client sinfo:slurm-client scancel:slurm-client munged:munge
      mungekey:munge munge:munge unmunge:munge h5ls:hdf5-tools h5diff:hdf5-tools"
missing=
for cp in $need; do
  command -v "${cp%%:*}" >/dev/null 2>&1 && continue
  case " $missing " in *" ${cp#*:} "*) ;; *) missing="$missing ${cp#*:}" ;; esac
done
if [ -n "$missing" ]; then
  [ "$(id -u)" = 0 ] || fail "missing Debian packages:$missing (run as root: apt-get install$missing)"
  say "installing$missing"
  t=$(date +%s)
  # Without systemd, the packages' init scripts may start a munged (and a
  # slurmctld / slurmd when /etc/slurm/slurm.conf exists): left alone and
  # not used, this test's daemons have their own socket and ports.  Waits
  # for another apt-get or make deps to finish.
  { apt-get -o DPkg::Lock::Timeout=300 update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
      --no-install-recommends $missing; } >"$tmp/apt.log" 2>&1 ||
    fail "apt-get install$missing failed: $(tail -n 5 "$tmp/apt.log" | tr '\n' ' ')"
  say "installed in $(since "$t") s"
fi
[ "$(id -u)" = 0 ] || fail "run as root (the test starts slurmd and munged)"
getent passwd munge >/dev/null || fail "no user munge (the munge package makes it)"


# ---- 2. munge and a one-node Slurm ----
t=$(date +%s)
key=/etc/munge/munge.key
if [ ! -s "$key" ]; then
  say "making the munge key $key"
  mkdir -p /etc/munge
  mungekey --create --keyfile="$key" || fail "mungekey --create --keyfile=$key failed"
fi
# what munged insists on: the key its own, readable by nobody else
chown munge:munge /etc/munge "$key"
chmod 0700 /etc/munge
chmod 0400 "$key"
chown munge:munge "$tmp/munge"
chmod 0755 "$tmp/munge"
sock=$tmp/munge/munge.socket
setpriv --reuid=munge --regid=munge --init-groups \
  munged --foreground --key-file="$key" --socket="$sock" --pid-file="$tmp/munge/munged.pid" \
  --log-file="$tmp/munge/munged.log" --seed-file="$tmp/munge/munged.seed" \
  >"$tmp/munge/munged.out" 2>&1 &
munged_pid=$!
i=0
until munge --socket="$sock" -n 2>/dev/null | unmunge --socket="$sock" >/dev/null 2>&1; do
  kill -0 "$munged_pid" 2>/dev/null || fail "munged exited: $(tail -n 3 "$tmp/munge/munged.out" | tr '\n' ' ')"
  [ $i -lt 40 ] || fail "munged does not answer on $sock after 20 s"
  sleep 0.5
  i=$((i + 1))
done

# Two free TCP ports (listening sockets in /proc/net/tcp*, hex) from 16817 on.
port_used() {
  hex=$(printf '%04X' "$1")
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
    awk -v h="$hex" '$4 == "0A" { split($2, a, ":"); if (a[2] == h) f = 1 } END { exit !f }'
}
p=16817
while port_used $p || port_used $((p + 1)); do p=$((p + 2)); done
cport=$p dport=$((p + 1))

host=$(hostname -s)
# this node as slurmd finds it (CPUs, sockets, cores, threads, memory)
node=$(slurmd -C 2>/dev/null | sed -n '1s/^NodeName=[^ ]* //p')
case "$node" in
  *CPUs=*RealMemory=*) ;;
  *) node="CPUs=$(nproc) RealMemory=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)" ;;
esac
conf=$tmp/slurm.conf
cat >"$conf" <<EOF
# a one-node cluster for tests/slurm/run.sh
ClusterName=qrdtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$cport
SlurmdPort=$dport
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
# finished jobs stay in scontrol show job for the checks
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 $node State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
SLURM_CONF=$conf
export SLURM_CONF
# nothing of an enclosing Slurm job (this test run as one) leaks into ours
for v in $(env | sed -n 's/^\(SLURM_[A-Za-z0-9_]*\)=.*/\1/p; s/^\(SBATCH_[A-Za-z0-9_]*\)=.*/\1/p'); do
  [ "$v" = SLURM_CONF ] || unset "$v"
done

slurmctld -D -f "$conf" >"$tmp/slurmctld.out" 2>&1 &
ctld_pid=$!
i=0
until scontrol ping 2>/dev/null | grep -q 'is UP'; do
  kill -0 "$ctld_pid" 2>/dev/null || fail "slurmctld exited: $(tail -n 3 "$tmp/slurmctld.log" "$tmp/slurmctld.out" 2>/dev/null | tr '\n' ' ')"
  [ $i -lt 60 ] || fail "slurmctld not up after 30 s"
  sleep 0.5
  i=$((i + 1))
done
slurmd -D -f "$conf" -N "$host" >"$tmp/slurmd.out" 2>&1 &
slurmd_pid=$!
i=0
while :; do
  state=$(sinfo -h -n "$host" -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  kill -0 "$slurmd_pid" 2>/dev/null || fail "slurmd exited: $(tail -n 3 "$tmp/slurmd.log" "$tmp/slurmd.out" 2>/dev/null | tr '\n' ' ')"
  [ $i -lt 120 ] || fail "node $host is '$state', not idle, after 60 s: $(scontrol show node "$host" | grep -o 'Reason=.*')"
  sleep 0.5
  i=$((i + 1))
done
say "munged, slurmctld (port $cport), slurmd (port $dport) up, node $host idle: $(since "$t") s ($node)"

# ---- 3a. submit-figure.sh's argument errors (nothing submitted) ----
# each: exit 2, nothing on stdout, one line on stderr naming the script
bad() {
  if BIN=$BIN experiments/slurm/submit-figure.sh "$@" >"$tmp/bad.out" 2>"$tmp/bad.err"; then
    fail "submit-figure.sh $*: succeeded, want an error"
  else
    st=$?
  fi
  [ "$st" = 2 ] || fail "submit-figure.sh $*: exit status $st, want 2"
  [ ! -s "$tmp/bad.out" ] || fail "submit-figure.sh $*: printed on stdout: $(head -n 2 "$tmp/bad.out")"
  [ "$(wc -l <"$tmp/bad.err")" = 1 ] && grep -q '^submit-figure.sh: ' "$tmp/bad.err" ||
    fail "submit-figure.sh $*: want one error line, got: $(cat "$tmp/bad.err")"
}
bad
bad fig-x
bad fig-17 -n 0
bad fig-17 -n 3x
bad fig-17 -n
bad fig-17 -c "$tmp/none.cfg"
bad fig-17 -o "$tmp/out.txt"
bad fig-17 -p "$tmp/plot.pdf"
bad fig-17 --shards 3
bad fig-9999
[ -z "$(squeue -h 2>/dev/null)" ] || fail "an argument error submitted a job: $(squeue -h)"
say "submit-figure.sh: 10 argument errors rejected, one line each"

# ---- 3b. one process, then the array and its merge ----
cfg=$tmp/$fig.cfg
cat >"$cfg" <<EOF
# fig-17 reduced for tests/slurm/run.sh
seed = 1
block_min = 16
block_max = 256
codes = nf4 af4-exact bof4
EOF
t=$(date +%s)
"$BIN/$fig" --config "$cfg" --out "$tmp/single.h5" --quiet --shard off >"$tmp/single.out" 2>&1 ||
  fail "$BIN/$fig --config $cfg (one process) failed: $(tail -n 3 "$tmp/single.out" | tr '\n' ' ')"
say "$fig one process: $(since "$t") s"

t=$(date +%s)
ids=$(experiments/slurm/submit-figure.sh "$fig" -n 3 -c "$cfg" -o "$tmp/merged.h5" -l "$tmp/logs" \
  -p "$tmp/$fig.png" 2>"$tmp/submit.err") || fail "submit-figure.sh failed: $(cat "$tmp/submit.err")"
array=$(echo "$ids" | sed -n 's/^array=\([0-9][0-9]*\) merge=[0-9][0-9]*$/\1/p')
merge=$(echo "$ids" | sed -n 's/^array=[0-9][0-9]* merge=\([0-9][0-9]*\)$/\1/p')
[ -n "$array" ] && [ -n "$merge" ] || fail "submit-figure.sh printed '$ids', want 'array=<id> merge=<id>'"
jobs="$array $merge"
say "submitted: $ids"

# "task 1 COMPLETED 0:0, task 2 FAILED 1:0 (log), ..." for the array's tasks
task_states() {
  scontrol -o show job "$array" 2>/dev/null |
    sed -n 's/.* ArrayTaskId=\([^ ]*\) .* JobState=\([^ ]*\) .* ExitCode=\([^ ]*\) .*/task \1 \2 \3/p' |
    sort -n -k 2 | while read -r _ id st ec; do
      case "$st" in
        COMPLETED) printf 'task %s %s %s; ' "$id" "$st" "$ec" ;;
        *) printf 'task %s %s %s (%s); ' "$id" "$st" "$ec" "$tmp/logs/$fig-shard-${array}_$id.log" ;;
      esac
    done | sed 's/; $//'
}
while :; do
  q=$(squeue -h -j "$array,$merge" -o '%i %T %r' 2>/dev/null || true)
  [ -z "$q" ] && break
  if echo "$q" | grep -q DependencyNeverSatisfied; then
    fail "a task of array $array failed, the merge will never run: $(task_states)"
  fi
  [ "$(since "$t")" -lt "$timeout" ] || fail "jobs not finished after $timeout s (QRD_SLURM_TIMEOUT): $(echo "$q" | paste -sd ';' -)"
  sleep 1
done
elapsed=$(since "$t")

# every task and the merge COMPLETED with exit code 0:0
tasks=$(scontrol -o show job "$array") || fail "scontrol show job $array: no such job"
n=$(echo "$tasks" | grep -c 'JobState=COMPLETED .*ExitCode=0:0' || true)
[ "$n" = 3 ] || fail "array $array: $n of 3 tasks completed with exit code 0: $(task_states)"
mj=$(scontrol -o show job "$merge") || fail "scontrol show job $merge: no such job"
echo "$mj" | grep -q 'JobState=COMPLETED .*ExitCode=0:0' ||
  fail "merge $merge did not complete: $(echo "$mj" | grep -o 'JobState=[A-Z_]*\|Reason=[^ ]*\|ExitCode=[0-9:]*' | paste -sd ' ' -)"
say "array $array (3 tasks) and merge $merge completed: $elapsed s from submission"

for i in 1 2 3; do
  [ -s "$tmp/merged.shard-$i-of-3.h5" ] || fail "no shard file $tmp/merged.shard-$i-of-3.h5"
done
[ -s "$tmp/merged.h5" ] || fail "the merge made no $tmp/merged.h5"
ls "$tmp/logs/$fig-shard-${array}_"*.log "$tmp/logs/$fig-merge-$merge.log" >/dev/null 2>&1 ||
  fail "job logs missing in $tmp/logs: $(ls "$tmp/logs" | paste -sd ' ' -)"
grep -q 'merge' "$tmp/logs/$fig-merge-$merge.log" || fail "merge log $tmp/logs/$fig-merge-$merge.log says nothing"
# the jobs' copy of the programs, removed by the merge
left=$(ls -d "$tmp/logs/$fig-programs."* 2>/dev/null || true)
[ -z "$left" ] || fail "the merge left the programs' copy $left"

# ---- 3c. the merge against the single run, the export and the plot ----
same=$(tests/harness/same_data.sh "$tmp/single.h5" "$tmp/merged.h5") || fail "$same"
say "$same"
"$BIN/qrd" export "$tmp/single.h5" >"$tmp/single.tsv" || fail "qrd export $tmp/single.h5 failed"
[ -s "$tmp/merged.tsv" ] || fail "the merge job exported no $tmp/merged.tsv"
# the comment lines (provenance: time, threads, merged shards) differ by design
grep -v '^#' "$tmp/single.tsv" >"$tmp/single-data.tsv"
grep -v '^#' "$tmp/merged.tsv" >"$tmp/merged-data.tsv"
[ -s "$tmp/single-data.tsv" ] || fail "qrd export $tmp/single.h5: no rows"
cmp -s "$tmp/single-data.tsv" "$tmp/merged-data.tsv" ||
  fail "$tmp/merged.tsv's rows differ from the single run's export: $(diff "$tmp/single-data.tsv" "$tmp/merged-data.tsv" | head -n 4 | tr '\n' ' ')"
if command -v gnuplot >/dev/null 2>&1; then
  [ -s "$tmp/$fig.png" ] || fail "the merge job made no plot $tmp/$fig.png"
  say "merge job's export: the single run's $(wc -l <"$tmp/merged-data.tsv") rows; plot $(wc -c <"$tmp/$fig.png") bytes"
else
  say "merge job's export: the single run's $(wc -l <"$tmp/merged-data.tsv") rows; no gnuplot, no plot"
fi

passed=1
