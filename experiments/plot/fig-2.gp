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
cs = not_ending(curves("codepoints"), "lloyd-max")
plot for [i=1:words(cs)] f index sel(word(cs, i)) using 1:2 with linespoints lt (i+1) pt 7 title columnheader(2), \
     f index sel("lloyd-max") using 1:2 with lines lt 4 lw 6 dt 2 title columnheader(2)
unset multiplot
