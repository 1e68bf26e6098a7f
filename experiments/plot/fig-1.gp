# fig-1: usage  gnuplot -c fig-1.gp results/fig-1 OUT.png
# Reads results/fig-1-<panel>.tsv written by `qrd export --panel`: one
# column per distribution present (panels <dist>-nmse and <dist>-gap).  Gap
# panels draw the measured curves <q>, then the lines <q>-theory thick in
# the colour of <q>.
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
set xrange [1:8]
set ylabel "MSE / variance"
do for [d in dists] {
  set title title(d)
  p = d . "-nmse"
  cs = curves(p)
  plot for [i=1:words(cs)] tsv(p) index sel(word(cs, i)) using 1:2 title columnheader(2) lt i
}
unset logscale y
set format y "%g"
set ylabel "rate gap to bound (bits)"
set yrange [0:*]
do for [d in dists] {
  set title title(d)
  p = d . "-gap"
  q = not_ending(curves(p), "-theory")
  t = ending(curves(p), "-theory")
  plot for [i=1:words(q)] tsv(p) index sel(word(q, i)) using 1:2 title columnheader(2) lt (i+1) lw 1.5 ps 0.6, \
       for [c in t] tsv(p) index sel(c) using 1:2 title columnheader(2) lt (position(q, c[1:strlen(c) - 7]) + 1) lw 4 ps 0
}
unset multiplot
