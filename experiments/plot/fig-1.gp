# fig-1: usage  gnuplot -c fig-1.gp results/fig-1 OUT.png
# Reads results/fig-1-<panel>.tsv written by `qrd export --panel`: one
# column per distribution present (panels <dist>-nmse and <dist>-gap).  Gap
# panels draw the lines <q>-theory thin and translucent in the colour of
# <q>, then the measured curves <q> on top.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
dists = ""
do for [p in ending(listing("--panels"), "-nmse")] { dists = dists . p[1:strlen(p) - 5] . " " }
nd = words(dists)
title(d) = d eq "gaussian" ? "Gaussian" : d eq "laplace" ? "Laplace" : \
           d eq "student-t-nu-5" ? "Student-t(5)" : d
set multiplot layout 2,nd title "fig-1: scalar quantisers vs the rate-distortion bound (unit variance)"
set key top right font ",8"
set logscale y
set format y "10^{%T}"
set xlabel "rate (bits)"
xmax = 8
# entropy-coded points sit at their tuned rate, which may end a few ulps
# above the grid's last value: keep them inside the range (stats and plot
# both drop points outside it)
set xrange [1:xmax + 1e-6]
set ylabel "MSE / variance"
# Curves that nearly coincide with one drawn before them (crd on
# lloyd-max, ecsq on uniform-ec) get larger open markers in both rows.
mark(c) = c eq "ecsq" ? 1.3 : c eq "crd" ? 1.0 : 0.6
do for [d in dists] {
  set title title(d)
  p = d . "-nmse"
  cs = curves(p)
  plot for [i=1:words(cs)] tsv(p) index sel(word(cs, i)) using 1:2 title columnheader(2) lt i ps mark(word(cs, i))
}
unset logscale y
set format y "%g"
set ylabel "rate gap to bound (bits)"
set yrange [0:*]
# The limits are thin translucent lines in the colour of their curve, drawn
# first so the measured curves lie on top; their key entries (NaN) follow
# the curves'.
hexes = "000000 1f77b4 ff7f0e 2ca02c d62728 9467bd 8c564b e377c2"
faint(i) = "#70" . word(hexes, (i - 1) % 8 + 1)
do for [d in dists] {
  set title title(d)
  p = d . "-gap"
  q = not_ending(curves(p), "-theory")
  t = ending(curves(p), "-theory")
  # the exact ECSQ stops short of the rate range: say so at its last point
  unset label 1
  if (position(q, "ecsq")) {
    stats tsv(p) index sel("ecsq") using 1:2 nooutput
    if (STATS_max_x < xmax - 0.01) {
      set label 1 sprintf("exact ECSQ computed up to %g bits", STATS_max_x) \
          at first STATS_max_x, first STATS_max_y offset 1,1.2 left \
          font ",8" textcolor lt (position(q, "ecsq") + 1) front
    }
  }
  plot for [c in t] tsv(p) index sel(c) using 1:2 notitle with lines \
         lc rgb faint(position(q, c[1:strlen(c) - 7]) + 1) lw 2, \
       for [i=1:words(q)] tsv(p) index sel(word(q, i)) using 1:2 title columnheader(2) lt (i+1) lw 1.5 ps mark(word(q, i)), \
       for [c in t] tsv(p) index sel(c) using 1:(NaN) title columnheader(2) with lines \
         lc rgb faint(position(q, c[1:strlen(c) - 7]) + 1) lw 2
}
unset label 1
unset multiplot
