# fig-5: usage  gnuplot -c fig-5.gp results/fig-5 OUT.png
# Blocks in order: one per row of codepoints (x = value, y = row index),
# then "zero" (the zero codepoints, blue as in the paper).  The row names
# label the y axis (first row on top).
load "experiments/plot/style.gp"
set output ARG2
f = sprintf("%s-codepoints.tsv", ARG1)
set terminal pngcairo size 1000,480
# the number of data blocks (rows + the zero markers), before any range is set
stats f using 1 nooutput
set title "fig-5 (Orr et al. F-S4): 3-bit Normal CRD codepoints per scaling mode (B = 64)"
set xlabel "codepoint value"
unset ylabel
set yrange [4.6:-0.6]
set ytics scale 0 font ",11"
set grid xtics lc rgb "#dddddd"
set grid noytics
set xrange [-2.4:2.4]
set xtics 0.5
set key off
plot for [b=0:STATS_blocks-2] f index b using 1:2:ytic(columnhead(2)) with points pt 7 ps 1.6 lc rgb "#555555" notitle, \
     f index (STATS_blocks-1) using 1:2 with points pt 7 ps 1.9 lc rgb "#1f77b4" notitle
