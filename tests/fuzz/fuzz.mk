# Fuzzing (issue 16): libFuzzer targets for every parser and reader.
#
#   make fuzz                  build every target and run each for
#                              FUZZ_SECONDS (default 60) on its corpus,
#                              FUZZ_JOBS (default: the cores) at a time
#   make fuzz FUZZ_TARGETS=npy one target
#   make fuzz-build            only build them ($(FUZZ_BUILD)/fuzz-NAME)
#   make fuzz-corpus           rewrite the binary seeds of tests/fuzz/corpus/
#
# Each target is tests/fuzz/fuzz_NAME.c, whose entry qrd_fuzz_NAME() the
# Check suite fuzz_regress also calls on every file of
# tests/fuzz/corpus/NAME and tests/fuzz/regress/NAME (make test).  The
# library is compiled again with clang and the same sanitizers
# (-fsanitize=fuzzer-no-link,address,undefined) into $(FUZZ_BUILD); new
# inputs go to $(FUZZ_BUILD)/corpus/NAME, crashing ones to
# $(FUZZ_BUILD)/crashes/NAME/ (copy each into tests/fuzz/regress/NAME once
# it is fixed).  tests/fuzz/run.sh prints executions and crashes per
# target and fails when any target crashed.  clang-14 and its libFuzzer
# runtime are installed as root when missing, like the main deps step.

FUZZ_DEB_PACKAGES := clang-14 libclang-rt-14-dev libomp-14-dev
FUZZ_CC ?= clang-14
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= $(shell nproc)
FUZZ_SAN ?= -fsanitize=address,undefined -fno-sanitize-recover=undefined
# Targets on HDF5 files: every reader operation costs a fork
# (io/h5probe.h), and under ASan the fork and its copy-on-write faults make
# that 50 ms.  They mutate in a build with UBSan only ($(FUZZ_BUILD)/ub/),
# each input rehearsed as a whole (QRD_FUZZ_WHOLE=1, tests/fuzz/fuzz.h),
# and run.sh then replays every input of their corpus through the
# ASan+UBSan build, each operation rehearsed as qrd does.  Targets bind
# their symbols at start (-z now), or each probe's child looks up the HDF5
# functions only it calls again.
FUZZ_UB_TARGETS := curve export h5cov tensor_hdf5
# -fopenmp=libgomp: clang then compiles the OpenMP pragmas serially and
# links GCC's runtime, whose fork is cheap; LLVM's libomp re-registers
# itself in every child (a dlopen, /proc/self/maps, /dev/shm), 8 ms per
# rehearsal of io/h5probe, most of an HDF5 target's time.
FUZZ_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Wno-unknown-pragmas -Wno-pass-failed \
              -fopenmp=libgomp -Isrc $(PKG_CFLAGS) -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) -DQRD_SANITIZED=1
FUZZ_ALL := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_LIB := $(FUZZ_BUILD)/libqrd.a
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_DEPS_STAMP := $(FUZZ_BUILD)/.deps-ok

.PHONY: fuzz-build fuzz-corpus

fuzz: fuzz-build
	FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) \
	  FUZZ_UB_TARGETS="$(FUZZ_UB_TARGETS)" tests/fuzz/run.sh $(FUZZ_TARGETS)

fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz-%)
ifeq ($(FUZZ_SAN),-fsanitize=address,undefined -fno-sanitize-recover=undefined)
	$(if $(filter $(FUZZ_UB_TARGETS),$(FUZZ_TARGETS)),$(MAKE) FUZZ_BUILD=$(FUZZ_BUILD)/ub \
	  FUZZ_SAN='-fsanitize=undefined -fno-sanitize-recover=undefined' \
	  $(patsubst %,$(FUZZ_BUILD)/ub/fuzz-%,$(filter $(FUZZ_UB_TARGETS),$(FUZZ_TARGETS))))
endif

.SECONDARY: $(FUZZ_ALL:%=$(FUZZ_BUILD)/tests/fuzz/fuzz_%.o)

$(FUZZ_DEPS_STAMP):
	@$(call INSTALL_DEBS,$(DEB_PACKAGES) $(FUZZ_DEB_PACKAGES))
	@mkdir -p $(FUZZ_BUILD) && touch $@

# The library with the fuzzers' instrumentation (no libFuzzer main).
$(FUZZ_BUILD)/src/%.o: src/%.c | $(FUZZ_DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/tests/fuzz/harness.o: tests/fuzz/harness.c | $(FUZZ_DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

# A target: its file with LLVMFuzzerTestOneInput switched on.
$(FUZZ_BUILD)/tests/fuzz/fuzz_%.o: tests/fuzz/fuzz_%.c | $(FUZZ_DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -DQRD_FUZZ_LIBFUZZER -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/fuzz-%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_BUILD)/tests/fuzz/harness.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Wl,-z,now -o $@ $^ $(filter-out -fopenmp,$(LDLIBS))

# The binary seeds, written by a program of the ordinary build.
$(BUILD)/fuzz-gen-corpus: tests/fuzz/tools/gen_corpus.c $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

fuzz-corpus: $(BUILD)/fuzz-gen-corpus
	./$(BUILD)/fuzz-gen-corpus

-include $(wildcard $(FUZZ_BUILD)/src/*/*.d $(FUZZ_BUILD)/tests/fuzz/*.d)
