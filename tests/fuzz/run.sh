#!/bin/sh
# Runs each fuzz target named on the command line ($FUZZ_BUILD/fuzz-NAME)
# for $FUZZ_SECONDS seconds on tests/fuzz/corpus/NAME and
# tests/fuzz/regress/NAME, keeping new inputs in $FUZZ_BUILD/corpus/NAME and
# crashing ones in $FUZZ_BUILD/crashes/NAME/; then prints one line per
# target (executions, execs/s, corpus size, crashes) and exits 1 when any
# target crashed.  Extra libFuzzer options: FUZZ_OPTIONS.  Called by
# `make fuzz` (tests/fuzz/fuzz.mk).
set -u
build=${FUZZ_BUILD:-build-fuzz}
secs=${FUZZ_SECONDS:-60}
summary=$build/fuzz-summary.tsv
mkdir -p "$build"
printf 'target\texecutions\texec_per_sec\tcorpus\tcrashes\tlog\n' >"$summary"
failed=0
for t in "$@"; do
  bin=$build/fuzz-$t
  [ -x "$bin" ] || { echo "fuzz: $bin not built" >&2; failed=1; continue; }
  rm -rf "$build/crashes/$t" # the crashes of this run only
  mkdir -p "$build/corpus/$t" "$build/crashes/$t" "tests/fuzz/corpus/$t"
  log=$build/fuzz-$t.log
  dirs="$build/corpus/$t tests/fuzz/corpus/$t"
  [ -d "tests/fuzz/regress/$t" ] && dirs="$dirs tests/fuzz/regress/$t"
  echo "fuzz: $t for ${secs}s (log $log)" >&2
  # -timeout: an input taking 10 s is a hang; -malloc_limit_mb: no input of
  # a few KB may make a reader allocate more than this.
  # shellcheck disable=SC2086
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
  LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=tests/fuzz/lsan.supp:print_suppressions=0} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
    -print_final_stats=1 -artifact_prefix="$build/crashes/$t/" ${FUZZ_OPTIONS:-} \
    $dirs >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  corpus=$(find "$build/corpus/$t" -type f | wc -l)
  crashes=$(find "$build/crashes/$t" -type f | wc -l)
  [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1 # e.g. an out-of-memory stop
  [ "$crashes" -gt 0 ] && failed=1
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "${execs:-0}" "${rate:-0}" "$corpus" "$crashes" \
    "$log" >>"$summary"
done
column -t -s "$(printf '\t')" "$summary" 2>/dev/null || cat "$summary"
if [ "$failed" -ne 0 ]; then
  echo "fuzz: crashes found: see $build/crashes/ and the logs" >&2
  exit 1
fi
