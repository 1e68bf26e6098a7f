# fig-1: usage  gnuplot -c fig-1.gp results/fig-1 OUT.png
# Reads results/fig-1-<panel>.tsv written by `qrd export --panel`.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
dists = "gaussian laplace student-t-nu-5"
titles = "Gaussian Laplace Student-t(5)"
nq = 5   # measured curves come first in each gap panel, then the theory lines
set multiplot layout 2,3 title "fig-1: scalar quantisers vs the rate-distortion bound (unit variance)"
set key top right font ",8"
set logscale y
set format y "10^{%T}"
set xlabel "rate (bits)"
set xrange [1:8]
set ylabel "MSE / variance"
do for [i=1:3] {
  set title word(titles, i)
  plot for [b=0:*] sprintf("%s-%s-nmse.tsv", stem, word(dists, i)) index b using 1:2 title columnheader(2) lt (b+1)
}
unset logscale y
set format y "%g"
set ylabel "rate gap to bound (bits)"
set yrange [0:*]
do for [i=1:3] {
  set title word(titles, i)
  plot for [b=0:*] sprintf("%s-%s-gap.tsv", stem, word(dists, i)) index b using 1:2 title columnheader(2) lt (b < nq ? b+2 : b-nq+3) lw (b < nq ? 1.5 : 4) ps (b < nq ? 0.6 : 0)
}
unset multiplot
