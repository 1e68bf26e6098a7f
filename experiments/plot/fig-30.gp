# fig-30: usage  gnuplot -c fig-30.gp results/fig-30 OUT.png
# One panel per source: R 2^b against bits for each shipped format (filled:
# plain; open: after a 32-point block Hadamard rotation), the block CRD
# (black star) and the entropy-coded limit (grey line).
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
attr(name) = system(sprintf("sed -n 's/^# %s: //p' %s.tsv", name, stem))
fmts = attr("formats")
F = words(fmts)
srcs = not_starting(not_starting(listing("--panels"), "bits"), "real")
has_real = strstrt(listing("--panels"), "real") > 0
S = words(srcs)
colors = "#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f #bcbd22 #17becf #000080 #808000"
col(i) = word(colors, (i - 1) % 12 + 1)
set terminal pngcairo enhanced font "DejaVu Sans,10" size 2300, 640
set multiplot layout 1, S + has_real title "fig-30: shipped formats (filled: plain; open: 32-point block Hadamard) vs the block CRD and the entropy-coded limit"
set xlabel "bits per parameter b"
set ylabel "R·2^b"
set logscale y
set yrange [1:12]
set xrange [3.9:8.6]
set key bottom right font ",8" samplen 1 maxrows 14 opaque
do for [s=1:S] {
  p = word(srcs, s)
  f = tsv(p)
  set title p noenhanced
  plot for [i=1:F] f index sel(word(fmts, i)) using 1:2:3 with yerrorbars lc rgb col(i) pt 7 ps 1.1 title word(fmts, i), \
       for [i=1:F] f index sel(word(fmts, i) . "-rot") using 1:2:3 with yerrorbars lc rgb col(i) pt 6 ps 1.4 notitle, \
       f index sel("crd") using 1:2 with points lc rgb "black" pt 3 ps 2 title "block CRD", \
       f index sel("limit") using 1:2 with lines lc rgb "#999999" dt 2 lw 2 title "entropy-coded limit"
}
if (has_real) {
  f = tsv("real")
  set title "real weight matrices (plain formats; x = matrix index as in fig-27)"
  set xlabel "matrix index"
  set xrange [-0.5:10.5]
  set yrange [1.4:2.6]
  unset logscale y
  set key off
  plot for [i=1:F] f index sel(word(fmts, i)) using 1:2:3 with yerrorlines lc rgb col(i) pt 7 ps 0.8 title word(fmts, i)
}
unset multiplot
