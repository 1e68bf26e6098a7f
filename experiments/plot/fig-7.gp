# fig-7: usage  gnuplot -c fig-7.gp results/fig-7 OUT.png
# Panels <row>-<column>; curves: three p^alpha shapes (normal, laplace,
# t-nu-7), compressed, lloyd-max, and <shape>-min, compressed-min (minima).  The column's own family is drawn thick.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
set multiplot layout 2,3 title "fig-7 (Orr et al. F-S6): R vs density power alpha, 4 bits, fp32-normalised data" font ",12"
set logscale y
set xrange [-0.05:1.22]
set xlabel "density power α (codepoint density ∝ p^α)" noenhanced
set key font ",8" spacing 0.9
set mytics 1
cols = "normal laplace t-nu-7"
titles = "Normal Laplace t[nu=7]"
do for [row in "rms absmax"] {
  if (row eq "rms") {
    # p^0.001 of a Normal/Laplace blows up (R = 1.6, 42): leave it off the top
    set yrange [0.065:1]
    set ylabel "R (tensor RMS scaling)"
    set ytics (0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1)
    set key top right
  } else {
    set yrange [0.065:0.3]
    set ylabel "R (absmax B = 64)"
    set ytics (0.07, 0.08, 0.09, 0.1, 0.12, 0.15, 0.2, 0.3)
    set key top left
  }
  do for [c=1:3] {
    f = sprintf("%s-%s-%s.tsv", stem, row, word(cols, c))
    set title sprintf("%s-%s: %s data", row, word(cols, c), word(titles, c))
    plot for [k=1:3] f index sel(word(cols, k)) using 1:2 with linespoints lt (k+1) lw (k == c ? 3.5 : 1.2) \
           pt 7 ps (k == c ? 0.8 : 0.5) title columnheader(2), \
         f index sel("compressed") using 1:2 with linespoints lc rgb "black" dt 3 lw 2.5 pt 6 ps 0.8 title columnheader(2), \
         f index sel("lloyd-max") using 1:2 with lines lc rgb "#80808080" dt 2 lw 5 title columnheader(2), \
         for [k=1:3] f index sel(word(cols, k) . "-min") using 1:2 with points lt (k+1) pt 3 ps 3 lw 2 notitle, \
         f index sel("compressed-min") using 1:2 with points lc rgb "black" pt 3 ps 3 lw 2 notitle, \
         NaN with points lc rgb "black" pt 3 ps 2 lw 2 title "minimum"
  }
}
unset multiplot
