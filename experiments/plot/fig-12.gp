# fig-12: usage  gnuplot -c fig-12.gp results/fig-12 OUT.png
# Per panel: rms-e<E> (E2M* .. E5M* under tensor RMS) and the same under
# absmax B=128 (every other curve).  Colour marks the exponent width,
# solid = RMS, dashed = absmax.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
panels = "normal laplace t-nu-5"
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1650,640
set multiplot layout 1,3 title "fig-12 (Orr et al. F-S11): FP ExMy elements, R·2^b vs bits (2^{24} samples, signed E8M7 round-up scales)"
set xlabel "bits per parameter b (achieved)"
set ylabel "R·2^b"
set logscale y 2
set yrange [1:65]
set ytics ("1" 1, "2" 2, "4" 4, "8" 8, "16" 16, "32" 32, "64" 64)
set xrange [2.5:16.5]
set xtics 4
set mxtics 4
set key bottom right font ",8" spacing 0.9 maxrows 4 width 3
do for [i=1:3] {
  f = sprintf("%s-%s.tsv", stem, word(panels, i))
  set title (i == 1 ? "Normal" : i == 2 ? "Laplace" : "Student-t, {/Symbol n} = 5")
  cs = curves(word(panels, i))
  rms = ""
  do for [c in cs] { rms = rms . (c[1:4] eq "rms-" ? c . " " : "") }
  am = ""
  do for [c in cs] { am = am . (c[1:4] eq "rms-" ? "" : c . " ") }
  plot for [k=1:words(rms)] f index sel(word(rms, k)) using 1:2 with linespoints lt (k+1) pt 7 ps 0.5 lw 1.5 title columnheader(2), \
       for [k=1:words(am)] f index sel(word(am, k)) using 1:2 with linespoints lt (k+1) pt 6 ps 0.7 lw 3 dt 2 title columnheader(2)
}
unset multiplot
