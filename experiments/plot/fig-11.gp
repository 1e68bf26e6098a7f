# fig-11: usage  gnuplot -c fig-11.gp results/fig-11 OUT.png
# One panel per source (normal, laplace, t-nu-5); curves <element>-absmax
# (block CRD, NF4, SF4, INT4, E2M1, E3M0) and the same <element>-signmax.  Colour marks the element, solid = absmax,
# dashed = signmax.
load "experiments/plot/style.gp"
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1650,700
set output ARG2
stem = ARG1
panels = "normal laplace t-nu-5"
set multiplot layout 1,3 title "fig-11 (Orr et al. F-S10): 4-bit element formats vs block size, bf16 absmax (solid) vs signmax (dashed) scales, b = 4 + 16/B, 2^{24} samples" font ",12"
set logscale x 2
set xrange [6:2700]
set format x "%g"
set xlabel "block size B"
set logscale y
set yrange [1.5:10]
set ytics (1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 8, 10)
set ylabel "R·2^b"
set key top right font ",8" spacing 0.9
do for [i=1:3] {
  f = sprintf("%s-%s.tsv", stem, word(panels, i))
  set title (i == 1 ? "Normal" : i == 2 ? "Laplace" : "Student-t, {/Symbol n} = 5")
  am = ending(curves(word(panels, i)), "-absmax")
  sm = ending(curves(word(panels, i)), "-signmax")
  plot for [k=1:words(am)] f index sel(word(am, k)) using 1:2:3 with yerrorlines lt (k+1) dt 1 lw 1.5 pt 7 ps 0.5 title columnheader(2), \
       for [k=1:words(sm)] f index sel(word(sm, k)) using 1:2:3 with yerrorlines lt (k+1) dt 2 lw 1.5 pt 6 ps 0.5 title columnheader(2)
}
unset multiplot
