# fig-16: usage  gnuplot -c fig-16.gp results/fig-16 OUT.png
# Panels b<B> (one per block size, in config order): curve histogram, the
# Monte Carlo histogram (boxes with standard errors), and curve exact, the
# exact bin densities (atoms in the end bins); panel "density": the
# continuous part f_B for every B, one curve b<B> each.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
blocks = starting(listing("--panels"), "b")
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1650,950
set multiplot layout 2,3 title "fig-16 (Yoshida F-P1): law of X = W / max_B|W| for N(0,1) weights, Monte Carlo histograms vs the exact law" font ",12"
set xlabel "x = w / max|w|"
set ylabel "density"
set xrange [-1.02:1.02]
set xtics 0.5
set mxtics 5
set key top left Left reverse font ",9" samplen 2
set style fill transparent solid 0.35 noborder
set boxwidth 0.02 absolute
set offsets 0, 0, graph 0.08, 0
do for [i=1:words(blocks)] {
  f = tsv(word(blocks, i))
  set title sprintf("B = %s", word(blocks, i)[2:])
  set yrange [0:*]
  plot f index sel("histogram") using 1:2 with boxes lc rgb "#1f77b4" title "Monte Carlo histogram", \
       f index sel("histogram") using 1:2:3 with yerrorbars lc rgb "#1f77b4" pt -1 notitle, \
       f index sel("exact") using 1:2 with histeps lc rgb "black" lw 1.2 title "exact law (atoms 1/(2B) in end bins)"
}
f = tsv("density")
cs = curves("density")
set title "continuous part f_B(x) (mass 1 - 1/B; atoms at {/Symbol \261}1 left out)"
set ylabel "f_B(x)"
set yrange [0:*]
set key top right Right noreverse
set offsets 0, 0, 0, 0
plot for [i=1:words(cs)] f index sel(word(cs, i)) using 1:2 with lines lt (i+1) lw 2 title columnheader(2)
unset multiplot
