# fig-27: usage  gnuplot -c fig-27.gp results/fig-27 OUT.png
# One panel per weight matrix w<k>: the histogram of w / RMS (points with
# binomial error bars, log y) and the fitted densities (lines, one per
# registered family); then the fitted Student-t nu per tensor.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
attr(name) = system(sprintf("sed -n 's/^# %s: //p' %s.tsv", name, stem))
names = attr("tensors")
mats = starting(listing("--panels"), "w")
N = words(mats)
cols = 4
rows = int((N + 1 + cols - 1) / cols)
set terminal pngcairo enhanced font "DejaVu Sans,9" size 1800, 330 * rows + 60
set multiplot layout rows, cols title "fig-27: weight matrices of a real checkpoint (Universal Sentence Encoder Lite, 7 M parameters), histograms of w / RMS with maximum-likelihood fits"
set logscale y
set format y "10^{%L}"
set yrange [1e-6:2]
set xrange [-8:8]
set xlabel "w / RMS"
set key top right font ",7" samplen 1.5
do for [k=1:N] {
  p = word(mats, k)
  f = tsv(p)
  set title sprintf("%s: %s", p, word(names, k)) noenhanced
  fits = not_starting(curves(p), "histogram")
  plot f index sel("histogram") using 1:($2 > 0 ? $2 : NaN):3 with yerrorbars pt 7 ps 0.3 lc rgb "#333333" title "weights", \
       for [c in fits] f index sel(c) using 1:2 with lines lw 1.5 title c
}
unset logscale y
set format y "%g"
set yrange [*:*]
set xrange [*:*]
set autoscale
set title "fitted Student-t nu per tensor (index as in the panels)"
set xlabel "tensor index k"
set ylabel "nu"
set logscale y
plot tsv("nu") index sel("nu") using 1:2 with linespoints dt 1 pt 7 lc rgb "#d62728" title "nu"
unset multiplot
