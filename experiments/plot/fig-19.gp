# fig-19: usage  gnuplot -c fig-19.gp results/fig-19 OUT.png
# Panel entropy: index entropy vs B, one curve per code (config order);
# panel zero: probability of the 0 level's cell (codes with a 0 level);
# panels cells-b<B>: cell probabilities vs index, one curve per code.  The
# plot shows the cells at B = 16, 64, 1024, 4096.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1800,1000
set multiplot layout 2,3 title "fig-19: index use of 4-bit codes under the true law of absmax-normalised N(0,1) blocks (each code designed for its own B; BOF4-S signmax)" font ",12"
set linetype 1 lc rgb "#000000" dt 1
codes = curves("entropy")
# a code's colour, the same in every panel
hue(c) = position(codes, c)
set logscale x 2
set xrange [13:5000]
set xlabel "block size B"
set key bottom left font ",9" samplen 2 spacing 0.9
set title "index entropy H = -{/Symbol S} p_i log_2 p_i (4 bits = equal use)"
set ylabel "H (bits)"
set yrange [2.9:4.05]
plot for [c in codes] tsv("entropy") index sel(c) using 1:2 with linespoints lt hue(c) lw 2 pt 7 ps 0.6 title columnheader(2), \
     4 with lines lc rgb "#888888" dt 3 notitle
set title "probability of the cell of the level 0 (1/16 = equal use)"
set ylabel "P(index of 0)"
set yrange [0:0.23]
set key top left
plot for [c in curves("zero")] tsv("zero") index sel(c) using 1:2 with linespoints lt hue(c) lw 2 pt 7 ps 0.6 title columnheader(2), \
     1.0/16 with lines lc rgb "#888888" dt 3 notitle
unset logscale x
set xrange [-0.5:15.5]
set xtics 1
set xlabel "index i (level c_i ascending)"
set ylabel "P(index = i)"
set yrange [0:0.25]
set key top left
do for [b in "16 64 1024 4096"] {
  set title sprintf("cell probabilities at B = %s (dotted: 1/16)", b)
  p = "cells-b" . b
  plot for [c in curves(p)] tsv(p) index sel(c) using 1:2 with linespoints lt hue(c) lw 1.5 pt 7 ps 0.6 title columnheader(2), \
       1.0/16 with lines lc rgb "#888888" dt 3 notitle
}
unset multiplot
