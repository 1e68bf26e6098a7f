# fig-9: usage  gnuplot -c fig-9.gp results/fig-9 OUT.png
# Per panel: fixed-length curves <scaling>-fixed (RMS, RMS B=128, Absmax
# B=128), the same <scaling>-compressed, and the flat fixed-limit
# (Panter-Dite) and compressed-limit (2^{2h}/12).  Colour
# marks the scaling, solid = fixed length, dashed = compressed, thick
# translucent dashed = high-rate limits.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
panels = "normal laplace student-t-5"
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1650,680
set multiplot layout 1,3 title "fig-9 (Orr et al. F-S8): efficiency R·2^b vs bits per parameter (sources at scale 1, 2^{24} samples, bf16 scales)"
set xlabel "bits per parameter b (achieved)"
set ylabel "R·2^b"
set xrange [2.4:6.8]
set yrange [1.0:3.2]
set key top left font ",8" spacing 0.9
set style line 11 lc rgb "#90000000" lw 4 dt (8,6)
set style line 12 lc rgb "#90606060" lw 4 dt (3,4)
do for [i=1:3] {
  f = sprintf("%s-%s.tsv", stem, word(panels, i))
  set title (i == 1 ? "Normal" : i == 2 ? "Laplace" : "Student-t, {/Symbol n} = 5")
  fixed = ending(curves(word(panels, i)), "-fixed")
  comp = ending(curves(word(panels, i)), "-compressed")
  plot for [k=1:words(fixed)] f index sel(word(fixed, k)) using 1:2:3 with yerrorlines lt (k+1) pt 7 ps 0.6 title columnheader(2), \
       for [k=1:words(comp)] f index sel(word(comp, k)) using 1:2:3 with yerrorlines lt (k+1) pt 6 ps 0.6 dt 2 title columnheader(2), \
       f index sel("fixed-limit") using 1:2 with lines ls 11 title columnheader(2), \
       f index sel("compressed-limit") using 1:2 with lines ls 12 title columnheader(2)
}
unset multiplot
