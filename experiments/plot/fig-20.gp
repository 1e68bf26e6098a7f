# fig-20: usage  gnuplot -c fig-20.gp results/fig-20 OUT.png
# E1 of the WaterSIC/HRQMM-II papers.  Per panel, for each law <w> of W (gaussian,
# laplace) the curves <w>-watersic (with LMMSE), <w>-watersic-no-lmmse and
# <w>-gptq-ec; in "gap" the 0.2546 line ecsq and the edges accept-lower and
# accept-upper of the acceptance band, in "constant" one 2^{2h}/12 line
# <w>-limit per law.
# Colour = method, solid/filled = Gaussian, dashed/open = Laplace.  For
# Sigma = I GPTQ-EC and WaterSIC without LMMSE give identical codes (E7),
# so their curves coincide (GPTQ-EC drawn with large open squares).
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1500,640
set multiplot layout 1,2 title "fig-20 (the WaterSIC/HRQMM-II papers E1): high-rate constants, {/Symbol S} = I, n = 64, a = 10^4 rows; rate = per-column entropy + Miller-Madow"
set xlabel "R (bits/weight, per-column entropy + Miller-Madow)"
set xrange [1.8:6.2]
set key top right font ",9"

f = stem."-gap.tsv"
set title "Gap to the Shannon lower bound, 1/2 log_2(D/D_{SLB}(R))"
set ylabel "gap (bits)"
set yrange [0.2:0.34]
plot f index sel("gaussian-watersic") using 1:2 lt 2 pt 7 title columnheader(2), \
     f index sel("gaussian-watersic-no-lmmse") using 1:2 lt 3 pt 5 title columnheader(2), \
     f index sel("gaussian-gptq-ec") using 1:2 lt 4 pt 4 ps 1.6 title columnheader(2), \
     f index sel("laplace-watersic") using 1:2 lt 2 pt 6 dt 2 title columnheader(2), \
     f index sel("laplace-watersic-no-lmmse") using 1:2 lt 3 pt 4 dt 2 title columnheader(2), \
     f index sel("laplace-gptq-ec") using 1:2 lt 4 pt 12 ps 1.6 dt 2 title columnheader(2), \
     f index sel("ecsq") using 1:2 with lines lt 1 lw 2 title columnheader(2), \
     f index sel("accept-lower") using 1:2 with lines lc rgb "#999999" dt 3 title "0.2546 ± 0.02 (acceptance, R ≥ 3)", \
     f index sel("accept-upper") using 1:2 with lines lc rgb "#999999" dt 3 notitle

f = stem."-constant.tsv"
set title "D·2^{2R} → 2^{2h}/12 (= 2{/Symbol p}e/12 = 1.4233 for Gaussian W)"
set ylabel "D·2^{2R}"
set yrange [1.15:1.6]
plot f index sel("gaussian-watersic") using 1:2 lt 2 pt 7 title columnheader(2), \
     f index sel("gaussian-watersic-no-lmmse") using 1:2 lt 3 pt 5 title columnheader(2), \
     f index sel("gaussian-gptq-ec") using 1:2 lt 4 pt 4 ps 1.6 title columnheader(2), \
     f index sel("laplace-watersic") using 1:2 lt 2 pt 6 dt 2 title columnheader(2), \
     f index sel("laplace-watersic-no-lmmse") using 1:2 lt 3 pt 4 dt 2 title columnheader(2), \
     f index sel("laplace-gptq-ec") using 1:2 lt 4 pt 12 ps 1.6 dt 2 title columnheader(2), \
     f index sel("gaussian-limit") using 1:2 with lines lt 1 lw 2 title columnheader(2), \
     f index sel("laplace-limit") using 1:2 with lines lc rgb "#555555" dt 4 lw 2 title columnheader(2)
unset multiplot
