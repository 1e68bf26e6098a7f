# fig-9: usage  gnuplot -c fig-9.gp results/fig-9 OUT.png
# Per panel the driver writes, in order: three fixed-length curves (RMS,
# RMS B=128, Absmax B=128), the same three "+ compression", then the flat
# fixed-length (Panter-Dite) and compressed (2^{2h}/12) limits.  Colour
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
  plot for [b=0:2] f index b using 1:2:3 with yerrorlines lt (b+2) pt 7 ps 0.6 title columnheader(2), \
       for [b=3:5] f index b using 1:2:3 with yerrorlines lt (b-1) pt 6 ps 0.6 dt 2 title columnheader(2), \
       f index 6 using 1:2 with lines ls 11 title columnheader(2), \
       f index 7 using 1:2 with lines ls 12 title columnheader(2)
}
unset multiplot
