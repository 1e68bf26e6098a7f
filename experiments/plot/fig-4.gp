# fig-4: usage  gnuplot -c fig-4.gp results/fig-4 OUT.png
# Each distribution has three blocks in order: Monte Carlo (with standard
# errors), exact, model.
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
  plot for [b=0:*:3] f index b using 1:2:3 with yerrorbars lt (b/3+2) pt 7 ps 0.5 title columnheader(2), \
       for [b=1:*:3] f index b using 1:2 with lines lt (b/3+2) lw 1 notitle, \
       for [b=2:*:3] f index b using 1:2 with lines lt (b/3+2) lw 3 dt 2 notitle, \
       NaN with lines lc rgb "black" lw 1 title "exact (integral)", \
       NaN with lines lc rgb "black" lw 3 dt 2 title "model (orr-formats 2.5)"
}
unset multiplot
