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
plot for [b=0:*] sprintf("%s-density.tsv", stem) index b using 1:2 with lines lt (b+2) lw 2 title columnheader(2)
unset logscale y
set title "codepoints"
set xlabel "index i"
set ylabel "Q_i"
set key top left
f = sprintf("%s-codepoints.tsv", stem)
plot for [b=0:1] f index b using 1:2 with linespoints lt (b+2) pt 7 title columnheader(2), \
     f index 2 using 1:2 with lines lt 4 lw 6 dt 2 title columnheader(2)
unset multiplot
