# fig-5: usage  gnuplot -c fig-5.gp results/fig-5 OUT.png
# One curve per row of codepoints (x = value, y = row index) and the curve
# zero (the zero codepoints, blue as in the paper).  The row names label
# the y axis (first row on top).
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
f = tsv("codepoints")
rows = not_ending(curves("codepoints"), "zero")
set terminal pngcairo size 1000,480
set title "fig-5 (Orr et al. F-S4): 3-bit Normal CRD codepoints per scaling mode (B = 64)"
set xlabel "codepoint value"
unset ylabel
set yrange [*:*] reverse
set offsets 0, 0, 0.6, 0.6
set ytics scale 0 font ",11"
set grid xtics lc rgb "#dddddd"
set grid noytics
set xrange [-2.4:2.4]
set xtics 0.5
set key off
# Every row grey, named on the y axis, then the zero codepoints over them in
# blue.
plot for [c in rows] f index sel(c) using 1:2:ytic(columnhead(2)) \
       with points pt 7 ps 1.6 lc rgb "#555555", \
     f index sel("zero") using 1:2 with points pt 7 ps 1.9 lc rgb "#1f77b4"
