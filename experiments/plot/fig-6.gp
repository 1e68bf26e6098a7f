# fig-6: usage  gnuplot -c fig-6.gp results/fig-6 OUT.png
# Per panel: histogram (with binomial standard errors), exact (the law),
# and any other curve (the closed-form model, when the block size
# allows it).  y = fraction of values per bin of width 2/40.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
set terminal pngcairo size 1400,560
set multiplot layout 1,2 title "fig-6 (Orr et al. F-S5): block-normalised N(0,1) values, B = 64, fp32 scales, 2^{24} samples"
set xlabel "normalised value"
set ylabel "fraction per bin"
set xrange [-1.05:1.05]
set yrange [0:*]
set xtics 0.25
set key top left font ",9"
set style fill transparent solid 0.35 noborder
set boxwidth 0.05 absolute
do for [panel in "absmax signmax"] {
  f = sprintf("%s-%s.tsv", stem, panel)
  set title (panel eq "absmax" ? "x / absmax (maximum at +-1)" : "x / signmax (maximum at +1)")
  models = not_ending(not_ending(curves(panel), "histogram"), "exact")
  plot f index sel("histogram") using 1:2 with boxes lc rgb "#1f77b4" title columnheader(2), \
       f index sel("histogram") using 1:2:3 with yerrorbars lc rgb "#1f77b4" pt -1 notitle, \
       for [c in models] f index sel(c) using 1:2 with lines lc rgb "#50d62728" lw 5 dt (6,4) title columnheader(2), \
       f index sel("exact") using 1:2 with linespoints lc rgb "black" lw 1 pt 1 ps 0.8 title columnheader(2)
}
unset multiplot
