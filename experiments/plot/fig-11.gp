# fig-11: usage  gnuplot -c fig-11.gp results/fig-11 OUT.png
# One panel per source (normal, laplace, t-nu-5); curves <element>-absmax
# (block CRD, NF4, SF4, INT4, E2M1, E3M0) and the same <element>-signmax.  Colour marks the element, solid = absmax,
# dashed = signmax.
load "experiments/plot/style.gp"
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1650,820
set output ARG2
stem = ARG1
panels = "normal laplace t-nu-5"
set multiplot layout 1,3 title "fig-11 (Orr et al. F-S10): 4-bit element formats vs block size, bf16 absmax (solid) vs signmax (dashed) scales, b = 4 + 16/B, 2^{24} samples" font ",12"
set logscale x 2
set xrange [6:2700]
set format x "%g"
set xlabel "block size B"
set logscale y
# The range shows the region of interest; points above it (E3M0 at B = 8,
# R·2^b near 9) are clipped and the values of the absmax curves printed at
# the top edge in the curve's colour (E3M0's signmax curve, identical to
# its absmax one in these results, would print the same).  The key, two columns (absmax | signmax), sits below
# each panel, clear of the curves.
top = 6
set yrange [1.5:top]
set ytics (1.5, 1.75, 2, 2.5, 3, 4, 5, 6)
set ylabel "R·2^b"
set bmargin 10
set key vertical maxrows 6 font ",8" spacing 0.9 samplen 2.5
over(b, y) = y > top ? sprintf("↑ %.2f at B = %g (off scale)", y, b) : ""
do for [i=1:3] {
  f = sprintf("%s-%s.tsv", stem, word(panels, i))
  set key at screen (i - 0.45) / 3.0, screen 0.01 center bottom
  set title (i == 1 ? "Normal" : i == 2 ? "Laplace" : "Student-t, {/Symbol n} = 5")
  am = ending(curves(word(panels, i)), "-absmax")
  sm = ending(curves(word(panels, i)), "-signmax")
  plot for [k=1:words(am)] f index sel(word(am, k)) using 1:2:3 with yerrorlines lt (k+1) dt 1 lw 1.5 pt 7 ps 0.5 title columnheader(2), \
       for [k=1:words(sm)] f index sel(word(sm, k)) using 1:2:3 with yerrorlines lt (k+1) dt 2 lw 1.5 pt 6 ps 0.5 title columnheader(2), \
       for [k=1:words(am)] f index sel(word(am, k)) using (2 * $1):(top):(over($1, $2)) with labels left offset 0.3,-0.8 font ",8" tc lt (k+1) notitle
}
unset multiplot
