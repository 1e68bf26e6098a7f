# fig-21: usage  gnuplot -c fig-21.gp results/fig-21 OUT.png
# E2 of the WaterSIC/HRQMM-II papers.  Panels eps-0-1, eps-0-01, eps-0-001, eps-1e-06
# hold watersic and gptq-ec (gap vs R), the 0.2546 line (watersic-limit)
# and 0.2546 + closed-form excess (gptq-ec-limit) over the comparison range
# R >= 1/4 log2(1/eps) + 1.  Panel excess: the closed form (dense), GPTQ-EC
# gap - 0.2546, GPTQ-EC gap - WaterSIC gap, WaterSIC gap - 0.2546 (mean
# over the comparison range, error bar = sd over its rates).
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
panels = "eps-0-1 eps-0-01 eps-0-001 eps-1e-06"
epsname = "0.1 0.01 10^{-3} 10^{-6}"
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1800,1050
set multiplot title "fig-21 (the WaterSIC/HRQMM-II papers E2): GPTQ's unbounded gap on two-level spectra ({/Symbol l} = {/Symbol e} on n/2 coordinates, 1 on the rest), n = 64, a = 10^4, Gaussian W; rate = per-column entropy + Miller-Madow"
set xlabel "R (bits/weight, per-column entropy + MM)"
set ylabel "gap ½log_2(D/D_{IT}(R)) (bits)"
set key center right font ",8"
set xrange [1.8:8.2]
do for [i=1:4] {
  set origin (i-1)*0.25, 0.48
  set size 0.25, 0.49
  f = sprintf("%s-%s.tsv", stem, word(panels, i))
  set title sprintf("{/Symbol e} = %s", word(epsname, i))
  set yrange [0:*]
  if (i == 4) {
    set label 1 "WaterSIC's unit-variance columns need R + 5 bits:\n10^4 samples per column cannot measure 10-13 bits\n(entropy estimate too low, so the gap looks too small)" at graph 0.97, graph 0.22 right font ",8"
  } else {
    unset label 1
  }
  plot f index sel("watersic") using 1:2 lt 2 pt 7 title columnheader(2), \
       f index sel("gptq-ec") using 1:2 lt 5 pt 5 title columnheader(2), \
       f index sel("watersic-limit") using 1:2 with lines lt 1 lw 1.5 title columnheader(2), \
       f index sel("gptq-ec-limit") using 1:2 with lines lc rgb "#d62728" dt 2 lw 2 title columnheader(2)
}
unset label 1
set origin 0.2, 0.0
set size 0.6, 0.47
f = stem."-excess.tsv"
set title "GPTQ's high-rate excess over WaterSIC: closed form vs measured"
set xlabel "log_{10}(1/{/Symbol e})"
set ylabel "excess (bits)"
set xrange [0:6.6]
set yrange [-0.3:5]
set key top left font ",9"
plot f index sel("closed-form") using 1:2 with lines lt 1 lw 1.5 title columnheader(2), \
     f index sel("gptq-ec-measured") using 1:2:3 with yerrorbars lt 5 pt 5 ps 1.2 title columnheader(2), \
     f index sel("gptq-ec-minus-watersic") using 1:2:3 with yerrorbars lt 4 pt 9 ps 1.2 title columnheader(2), \
     f index sel("watersic-measured") using 1:2:3 with yerrorbars lt 2 pt 7 ps 1.2 title columnheader(2)
unset multiplot
