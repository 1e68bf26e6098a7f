# fig-22: usage  gnuplot -c fig-22.gp results/fig-22 OUT.png
# E3 of the WaterSIC/HRQMM-II papers.  Per family two panels, <f>-rd (D in dB) and
# <f>-gap (gap to reverse waterfilling).  Curves in <f>-rd:
# waterfilling, waterfilling-shifted, watersic-col, watersic-pooled,
# gptq-ec, gptq-ec-act-order, gptq-ec-haar; <f>-gap has the same without
# waterfilling.  Colour = scheme; WaterSIC at its pooled rate is dashed;
# GPTQ-EC natural has large open squares: act-order equals it whenever
# diag(Sigma) is constant or Sigma is diagonal (the curves coincide).
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
fams = "ar1-rho-0-9 power-beta-2 power-beta-1-haar-1 two-level-eps-0-001 outliers"
names = "'AR(1) {/Symbol r} = 0.9' 'power law {/Symbol b} = 2' 'power law {/Symbol b} = 1, Haar-rotated' 'two-level {/Symbol e} = 10^{-3}' 'outliers: 1% at 1000'"
set terminal pngcairo enhanced font "DejaVu Sans,10" size 2300,1050
set multiplot layout 2,5 title "fig-22 (the WaterSIC/HRQMM-II papers E3): rate-distortion per covariance family, n = 128, a = 10^4, Gaussian W; R = per-column entropy + Miller-Madow (dashed: WaterSIC at pooled entropy + MM)"
set xrange [0:6.8]
set xlabel "R (bits/weight)"
set style line 21 lc rgb "#000000" lw 2 dt 1
# D_IT(R - 0.2546), the high-rate prediction for an entropy-coded scalar
# quantiser, is a reference, not data: thin, dashed, grey, and drawn only
# for R >= ref_from (below, R - 0.2546 -> 0 and its gap spikes).
set style line 22 lc rgb "#999999" lw 1 dt 2
ref_from = 0.5
ref(r, y) = r >= ref_from ? y : NaN
header(f, c) = system(sprintf("awk -F'\t' -v c='# curve=%s;' '$0 == c { getline; print $2; exit }' '%s'", c, f))
reftitle(f) = sprintf("reference %s (R ≥ %g)", header(f, "waterfilling-shifted"), ref_from)
do for [i=1:5] {
  f = sprintf("%s-%s-rd.tsv", stem, word(fams, i))
  set title word(names, i)
  set ylabel (i == 1 ? "D (dB)" : "")
  if (i == 1) { set key top right font ",8" } else { unset key }
  set yrange [*:*]
  plot f index sel("waterfilling") using 1:2 with lines ls 21 title columnheader(2), \
       f index sel("waterfilling-shifted") using 1:(ref($1, $2)) with lines ls 22 title reftitle(f), \
       f index sel("watersic-col") using 1:2 lt 2 pt 7 title columnheader(2), \
       f index sel("watersic-pooled") using 1:2 lt 2 pt 6 dt 2 title columnheader(2), \
       f index sel("gptq-ec") using 1:2 lt 5 pt 4 ps 1.5 title columnheader(2), \
       f index sel("gptq-ec-act-order") using 1:2 lt 3 pt 9 title columnheader(2), \
       f index sel("gptq-ec-haar") using 1:2 lt 4 pt 13 title columnheader(2)
}
do for [i=1:5] {
  f = sprintf("%s-%s-gap.tsv", stem, word(fams, i))
  set title word(names, i)
  set ylabel (i == 1 ? "gap ½log_2(D/D_{IT}(R)) (bits)" : "")
  if (i == 1) { set key top right font ",8" } else { unset key }
  set yrange [0:*]
  plot f index sel("waterfilling-shifted") using 1:(ref($1, $2)) with lines ls 22 title reftitle(f), \
       f index sel("watersic-col") using 1:2 lt 2 pt 7 title columnheader(2), \
       f index sel("watersic-pooled") using 1:2 lt 2 pt 6 dt 2 title columnheader(2), \
       f index sel("gptq-ec") using 1:2 lt 5 pt 4 ps 1.5 title columnheader(2), \
       f index sel("gptq-ec-act-order") using 1:2 lt 3 pt 9 title columnheader(2), \
       f index sel("gptq-ec-haar") using 1:2 lt 4 pt 13 title columnheader(2)
}
unset multiplot
