#!/bin/sh
# Runs each fuzz target named on the command line ($FUZZ_BUILD/fuzz-NAME)
# for $FUZZ_SECONDS seconds on tests/fuzz/corpus/NAME and
# tests/fuzz/regress/NAME, keeping new inputs in $FUZZ_BUILD/corpus/NAME and
# crashing ones in $FUZZ_BUILD/crashes/NAME/; $FUZZ_JOBS targets at a time
# (default: the number of cores).  The targets of $FUZZ_UB_TARGETS mutate
# in their UBSan-only build ($FUZZ_BUILD/ub/fuzz-NAME) and then every input
# of their corpus runs once through the ASan+UBSan build.  While they mutate,
# QRD_FUZZ_WHOLE=1 rehearses each input as a whole (tests/fuzz/fuzz.h: one
# fork per input, not one per reader operation); the replay runs the
# readers as qrd does, each operation rehearsed on its own.  Then prints one line per target
# (executions, execs/s, corpus size, crashes) and exits 1 when any target
# crashed.  Extra libFuzzer options: FUZZ_OPTIONS.  Called by `make fuzz`
# (tests/fuzz/fuzz.mk).
set -u
build=${FUZZ_BUILD:-build-fuzz}
secs=${FUZZ_SECONDS:-60}

# one target; its summary line goes to $build/fuzz-NAME.tsv
one() {
  t=$1
  bin=$build/fuzz-$t
  line=$build/fuzz-$t.tsv
  [ -x "$bin" ] || { echo "fuzz: $bin not built" >&2; printf '%s\t0\t0\t0\t1\tnot built\n' "$t" >"$line"; return; }
  rm -rf "$build/crashes/$t" # the crashes of this run only
  mkdir -p "$build/corpus/$t" "$build/crashes/$t" "tests/fuzz/corpus/$t"
  log=$build/fuzz-$t.log
  dirs="$build/corpus/$t tests/fuzz/corpus/$t"
  [ -d "tests/fuzz/regress/$t" ] && dirs="$dirs tests/fuzz/regress/$t"
  echo "fuzz: $t for ${secs}s (log $log)" >&2
  # -timeout: an input taking 10 s is a hang; -malloc_limit_mb: no input of
  # a few KB may make a reader allocate more than this;
  # allocator_may_return_null: a size no allocator can give returns NULL,
  # as glibc's malloc does, instead of ending the run;
  # allow_user_segv_handler: the h5probe child (io/h5probe.c) restores the
  # default action of SIGSEGV and SIGBUS to die of libhdf5's crash quietly,
  # which the sanitizers otherwise ignore (their handler would write it up
  # as a crash of the target).
  # shellcheck disable=SC2086
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1:allow_user_segv_handler=1} \
  LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=tests/fuzz/lsan.supp:print_suppressions=0} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:allow_user_segv_handler=1} \
  fuzzer=$bin
  whole=0
  case " ${FUZZ_UB_TARGETS:-} " in *" $t "*) fuzzer=$build/ub/fuzz-$t whole=1 ;; esac
  [ -x "$fuzzer" ] || { echo "fuzz: $fuzzer not built" >&2; printf '%s\t0\t0\t0\t1\tnot built\n' "$t" >"$line"; return; }
  QRD_FUZZ_WHOLE=$whole "$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
    -print_final_stats=1 -artifact_prefix="$build/crashes/$t/" ${FUZZ_OPTIONS:-} \
    $dirs >"$log" 2>&1
  rc=$?
  if [ "$fuzzer" != "$bin" ] && [ "$rc" -eq 0 ]; then
    # mutated under UBSan only: every input kept is run once more under ASan
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1:allow_user_segv_handler=1} \
    LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=tests/fuzz/lsan.supp:print_suppressions=0} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:allow_user_segv_handler=1} \
    "$bin" -runs=0 -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
      -artifact_prefix="$build/crashes/$t/" $dirs >"$log.asan" 2>&1
    rc=$?
    echo "fuzz: $t: corpus replayed under ASan: $(sed -n 's/^Done \([0-9]*\) runs.*/\1 inputs/p' "$log.asan") (log $log.asan)" >&2
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  corpus=$(find "$build/corpus/$t" -type f | wc -l)
  crashes=$(find "$build/crashes/$t" -type f | wc -l)
  [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1 # e.g. an out-of-memory stop
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "${execs:-0}" "${rate:-0}" "$corpus" "$crashes" \
    "$log" >"$line"
}

if [ "${1:-}" = --one ]; then
  one "$2"
  exit 0
fi
mkdir -p "$build"
for t in "$@"; do rm -f "$build/fuzz-$t.tsv"; done
printf '%s\n' "$@" | FUZZ_BUILD=$build FUZZ_SECONDS=$secs \
  xargs -P "${FUZZ_JOBS:-$(nproc)}" -n 1 sh "$0" --one
summary=$build/fuzz-summary.tsv
printf 'target\texecutions\texec_per_sec\tcorpus\tcrashes\tlog\n' >"$summary"
for t in "$@"; do cat "$build/fuzz-$t.tsv" >>"$summary"; done
column -t -s "$(printf '\t')" "$summary" 2>/dev/null || cat "$summary"
if awk -F '\t' 'NR > 1 && $5 != 0 {bad = 1} END {exit !bad}' "$summary"; then
  echo "fuzz: crashes found: see $build/crashes/ and the logs" >&2
  exit 1
fi
