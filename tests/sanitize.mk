# make test-sanitize: everything (the library, bin/qrd, every figure driver,
# their test variants and the test runner) built with AddressSanitizer and
# UndefinedBehaviorSanitizer into build-san/ and bin-san/, then the Check
# suites of `make test` (tag slow excluded unless CK_EXCLUDE_TAGS says
# otherwise) run on those programs.  Any sanitizer report, in the runner or
# in any program a test starts, fails the run:
#
#   - every report is written to a file of $(SAN_LOGS) (log_path, one file
#     per reporting process, named after the executable and its pid), so a
#     report inside a program whose stderr a test discards is still seen
#     (gcc 12's UBSan writes only its SUMMARY line, with file:line, there:
#     the runtime error itself and its stack go to the process's stderr);
#     after the suites the recipe prints each report's summary (the error
#     and its first frame in our code, file:line) and fails if there was
#     any, whatever the suites said;
#     (a log holding only ASan's "WARNING: failed to allocate", which
#     allocator_may_return_null=1 prints when a huge malloc returns NULL,
#     is not a report);
#   - a reporting process stops (halt_on_error, -fno-sanitize-recover) with
#     exit status 86 (ASan/LSan) or 87 (UBSan), so the test that ran it
#     fails too (a check of the exit status, of an empty stderr, or
#     Check's "early exit" for the runner's own forked tests).
#
# SAN_LOG=stderr writes the reports to stderr instead, where a test that
# captures stderr prints them in its failure message with the command it
# ran (useful to find which test and command a report came from; reports
# in a discarded stderr are then lost, so it is not the CI mode).
#
# gcc only (libasan, libubsan and libgomp of the same compiler: OpenMP and
# ASan work together there).  -O1 keeps the suites' run time bearable.

SAN_BUILD := build-san
SAN_BIN := bin-san
SAN_CC := gcc
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_LOGS := $(SAN_BUILD)/san-logs
SAN_SUPP := $(SAN_BUILD)/lsan.supp
SAN_LOG ?= files

# LeakSanitizer suppressions: only for memory that a third-party library
# (libgomp, OpenBLAS, HDF5, json-c, GSL) allocates for the life of the
# process and never frees, with no frame of ours in the stack; a leak with a
# frame of src/, experiments/ or tests/ is fixed, never suppressed.  Each
# entry (leak:<library or function>) goes below with the reason.  None is
# needed today: with detect_leaks=1 and no suppressions,
# bin-san/{fig-5 --threads 2, qrd sigma --rotate haar, qrd matq, qrd
# export, qrd eval --format nf4} report no leak inside libgomp's thread
# pool, OpenBLAS's buffers or HDF5's library init (glibc/gcc 12, Debian 12).
define SAN_SUPPRESSIONS
# (no suppressions: see tests/sanitize.mk)
endef
export SAN_SUPPRESSIONS

# ASan/UBSan/LSan options.  allocator_may_return_null=1: a huge malloc
# returns NULL as glibc's does instead of aborting with
# allocation-size-too-big, so the programs' own "cannot allocate" errors
# are what the tests see (a real overflow is still reported);
# allow_user_segv_handler=1: io/h5probe's child restores the default
# action of SIGSEGV to die of a crash of libhdf5 quietly, which the
# sanitizers otherwise ignore.
SAN_LOGOPT = $(if $(filter stderr,$(SAN_LOG)),,:log_path=$(CURDIR)/$(SAN_LOGS)/report:log_exe_name=1)
SAN_ENV = ASAN_OPTIONS=halt_on_error=1:exitcode=86:detect_leaks=1:allocator_may_return_null=1:abort_on_error=0:print_summary=1:allow_user_segv_handler=1$(SAN_LOGOPT) \
          UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=87:print_summary=1:allow_user_segv_handler=1$(SAN_LOGOPT) \
          LSAN_OPTIONS=suppressions=$(CURDIR)/$(SAN_SUPP):print_suppressions=0:exitcode=86 \
          CK_TIMEOUT_MULTIPLIER=$${CK_TIMEOUT_MULTIPLIER-4}

test-sanitize:
	$(MAKE) CC=$(SAN_CC) BUILD=$(SAN_BUILD) BIN=$(SAN_BIN) CFLAGS='-O1 -g $(SAN_FLAGS)' \
	  all $(SAN_BIN)/qrd-tests
	@mkdir -p $(SAN_LOGS) && rm -f $(SAN_LOGS)/report* && printf '%s\n' "$$SAN_SUPPRESSIONS" > $(SAN_SUPP)
	@echo "test-sanitize: suites on $(SAN_BIN)/, reports into $(if $(filter stderr,$(SAN_LOG)),stderr,$(SAN_LOGS)/)" >&2
	@$(SAN_ENV) CK_EXCLUDE_TAGS=$${CK_EXCLUDE_TAGS-slow battery} ./$(SAN_BIN)/qrd-tests; st=$$?; \
	reports=$$(grep -l -E 'ERROR: |SUMMARY: |runtime error:' $(SAN_LOGS)/report* 2>/dev/null); \
	n=$$(echo "$$reports" | grep -c . || true); \
	if [ "$$n" -gt 0 ]; then \
	  echo "test-sanitize: $$n sanitizer report(s) (full text in $(SAN_LOGS)/):" >&2; \
	  for f in $$reports; do \
	    err=$$(grep -m1 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$$f" || grep -m1 SUMMARY "$$f"); \
	    at=$$(grep -m1 -E '#[0-9]+ .* $(CURDIR)/(src|tests|experiments)/' "$$f" | sed 's/^ *//'); \
	    echo "  $$(basename "$$f"): $$err" >&2; \
	    [ -n "$$at" ] && echo "      $$at" >&2; \
	  done; \
	  exit 1; \
	fi; \
	if [ $$st -ne 0 ]; then echo "test-sanitize: the suites failed (exit $$st)" >&2; exit $$st; fi; \
	echo "test-sanitize: no sanitizer reports" >&2
