# fig-2: usage  gnuplot -c fig-2.gp results/fig-2 OUT.png
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
set terminal pngcairo size 1400,600
set multiplot layout 1,2 title "fig-2 (Orr et al. F-S1): 4-bit quantisers for N(0,1)"
set title "density and its cube root"
set logscale y
set xlabel "x"
set ylabel "density"
set key bottom center
cs = curves("density")
plot for [i=1:words(cs)] tsv("density") index sel(word(cs, i)) using 1:2 with lines lt (i+1) lw 2 title columnheader(2)
unset logscale y
set title "codepoints"
set xlabel "index i"
set ylabel "Q_i"
set key top left
f = tsv("codepoints")
# The key's R is the exact (integral) R of each codebook, panel r, curve
# r-exact at x = the codebook's place in the driver's order (its Monte Carlo
# twin, curve r, is within 2 standard errors), printed here with "%.3f":
# the driver's label rounds the Monte Carlo value, 0.2054 for 0.2056.  The
# label's text before " (R = " names the codebook.
rc = position(curves("r"), "r-exact") ? "r-exact" : "r"
header(c) = system(sprintf("awk -F'\t' -v c='# curve=%s;' '$0 == c { getline; print $2; exit }' '%s'", c, f))
name(h) = strstrt(h, " (R = ") ? h[1:strstrt(h, " (R = ") - 1] : h
all = curves("codepoints")
array titles[words(all)]
do for [i=1:words(all)] {
  stats tsv("r") index sel(rc) using ($1 == i - 1 ? $2 : NaN) nooutput
  titles[i] = sprintf("%s (R = %.3f)", name(header(word(all, i))), STATS_max)
}
cs = not_ending(all, "lloyd-max")
plot for [i=1:words(cs)] f index sel(word(cs, i)) using 1:2 with linespoints lt (i+1) pt 7 title titles[position(all, word(cs, i))], \
     f index sel("lloyd-max") using 1:2 with lines lt 4 lw 6 dt 2 title titles[position(all, "lloyd-max")]
unset multiplot
