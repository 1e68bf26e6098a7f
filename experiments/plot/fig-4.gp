# fig-4: usage  gnuplot -c fig-4.gp results/fig-4 OUT.png
# Each distribution has three curves: Monte Carlo <d> (with standard
# errors), <d>-exact, <d>-model.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
set terminal pngcairo size 1400,600
set multiplot layout 1,2 title "fig-4 (Orr et al. F-S3): mean block absmax vs block size"
set logscale xy 2
set logscale y 10
set xlabel "block size B"
set ylabel "E max_B |X|"
set key top left font ",8"
do for [panel in "light heavy"] {
  f = sprintf("%s-%s.tsv", stem, panel)
  set title (panel eq "light" ? "Normal N(0,1), Laplace (scale 1)" : "Student-t (scale 1)")
  mc = not_ending(not_ending(curves(panel), "-exact"), "-model")
  # the exact lines first, the Monte Carlo points on top as open circles,
  # so the exact line shows through each point it passes
  plot for [i=1:words(mc)] f index sel(word(mc, i) . "-exact") using 1:2 with lines lt (i+1) lw 1.5 notitle, \
       for [i=1:words(mc)] f index sel(word(mc, i) . "-model") using 1:2 with lines lt (i+1) lw 3 dt 2 notitle, \
       for [i=1:words(mc)] f index sel(word(mc, i)) using 1:2:3 with yerrorbars lt (i+1) pt 6 ps 0.9 title columnheader(2), \
       NaN with lines lc rgb "black" lw 1.5 title "exact (integral)", \
       NaN with lines lc rgb "black" lw 3 dt 2 title "closed-form model"
}
unset multiplot
