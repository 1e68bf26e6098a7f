# fig-13: usage  gnuplot -c fig-13.gp results/fig-13 OUT.png
# Panels bits-4 and bits-8; curves crd-b<B> and int-b<B> for B = 32,
# 64, 128 (R / R(m = 0)) and their one-point minima <curve>-min.
# Colour marks the block size, solid = CRD, dashed = INT, stars = minima.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1400,680
set multiplot layout 1,2 title "fig-13 (Orr et al. F-S12): scale mantissa bits at a fixed total, Student-t {/Symbol n} = 5, absmax, 2^{24} samples, R averaged over 11 rescalings f ∈ [1, 2]"
set xlabel "scale mantissa bits m (signed E7Mm scale rounded up, 8 + m bits: \"E8M[m]\")"
set ylabel "R / R(m = 0)"
set xrange [-0.5:23.5]
set xtics 2
set yrange [0.65:1.35]
set key below font ",9" maxrows 3 width 2
set bmargin 8
set arrow 1 from 7, graph 0 to 7, graph 1 nohead lc rgb "#888888" lw 1
set label 1 "bfloat16" at 7.2, graph 0.04 font ",8" tc rgb "#444444"
do for [b in "4 8"] {
  f = sprintf("%s-bits-%s.tsv", stem, b)
  set title sprintf("b ≈ %s bits per parameter", b)
  cs = not_ending(curves("bits-" . b), "-min")
  crd = ""
  do for [c in cs] { crd = crd . (c[1:4] eq "crd-" ? c . " " : "") }
  int = ""
  do for [c in cs] { int = int . (c[1:4] eq "int-" ? c . " " : "") }
  plot for [i=1:words(crd)] f index sel(word(crd, i)) using 1:2 with linespoints lt (i+1) pt 7 ps 0.5 lw 2 title columnheader(2), \
       for [i=1:words(int)] f index sel(word(int, i)) using 1:2 with linespoints lt (i+1) pt 6 ps 0.5 lw 2 dt 2 title columnheader(2), \
       for [i=1:words(crd)] f index sel(word(crd, i) . "-min") using 1:2 with points lt (i+1) pt 3 ps 2.5 lw 2 notitle, \
       for [i=1:words(int)] f index sel(word(int, i) . "-min") using 1:2 with points lt (i+1) pt 3 ps 2.5 lw 2 notitle, \
       NaN with points lc rgb "black" pt 3 ps 2 lw 2 title "minimum"
}
unset multiplot
