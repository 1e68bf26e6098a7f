# Figure rules: configs/fig-N.cfg -> bin/fig-N -> results/fig-N.h5 ->
# results/fig-N.tsv (+ one TSV per panel) -> plots/fig-N.png.
# Each figure has a driver experiments/fig-N.c and a gnuplot script
# experiments/plot/fig-N.gp that loads experiments/plot/style.gp.

figures: $(FIGURES)

$(FIGURES): fig-%: plots/fig-%.png

.SECONDARY:

results/fig-%.h5: configs/fig-%.cfg bin/fig-%
	@mkdir -p results
	./bin/fig-$* --config $< --out $@ $(QRD_FLAGS)

results/fig-%.tsv: results/fig-%.h5 bin/qrd
	./bin/qrd export $< > $@.tmp && mv $@.tmp $@
	for p in $$(./bin/qrd export --panels $<); do \
	  ./bin/qrd export --panel $$p $< > results/fig-$*-$$p.tsv.tmp && \
	  mv results/fig-$*-$$p.tsv.tmp results/fig-$*-$$p.tsv || exit 1; \
	done

plots/fig-%.png: results/fig-%.tsv experiments/plot/fig-%.gp experiments/plot/style.gp
	@mkdir -p plots
	gnuplot -c experiments/plot/fig-$*.gp results/fig-$* $@.tmp && mv $@.tmp $@

# Wall time of each figure's computation (the driver alone, 2 threads by
# default), one line per figure and a total; results go to a scratch dir.
bench: $(FIGURES:%=bin/%)
	@tmp=$$(mktemp -d); \
	for f in $(FIGURES); do \
	  s=$$(date +%s.%N); ./bin/$$f --config configs/$$f.cfg --out $$tmp/$$f.h5 --quiet || exit 1; \
	  echo "$$f $$s $$(date +%s.%N)"; \
	done | awk '{t = $$3 - $$2; sum += t; printf "bench\t%s\t%.2f s\n", $$1, t} \
	            END {printf "bench\ttotal\t%.2f s\n", sum}'; rm -rf $$tmp
