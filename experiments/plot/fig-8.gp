# fig-8: usage  gnuplot -c fig-8.gp results/fig-8 OUT.png
# multiplier: the shapes (normal, laplace, t-nu-5), their minima <shape>-min,
# and the moment-matching points (n' = 1).  nu: search, moments, search minimum.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
set terminal pngcairo size 1400,600
set multiplot layout 1,2 title "fig-8 (Orr et al. F-S7): moment matching vs scale search, 5-bit RMS CRDs on t[nu=5] data" font ",12"
set logscale xy
set ylabel "R" 
set key top center font ",9"
set ytics (0.07, 0.08, 0.09, 0.1, 0.12, 0.15, 0.2, 0.3, 0.4)
set yrange [0.068:0.48]

f = stem . "-multiplier.tsv"
set title "R vs codepoint multiplier n' (stars: best n')"
set xlabel "multiplier n' (codepoints scaled by n')"
set logscale x 2
set xtics ("0.35" 0.3536, "0.5" 0.5, "0.71" 0.7071, "1" 1, "1.41" 1.4142, "2" 2, "2.83" 2.8284)
set xrange [0.34:2.95]
shapes = not_ending(not_ending(curves("multiplier"), "-min"), "moment-matching")
plot for [i=1:words(shapes)] f index sel(word(shapes, i)) using 1:2 with linespoints lt (i+1) lw 2 pt 7 ps 0.6 title columnheader(2), \
     for [i=1:words(shapes)] f index sel(word(shapes, i) . "-min") using 1:2 with points lt (i+1) pt 3 ps 3 lw 2 notitle, \
     f index sel("moment-matching") using 1:2 with linespoints lc rgb "#80000000" dt 2 lw 4 pt 6 ps 1.5 title columnheader(2), \
     NaN with points lc rgb "black" pt 3 ps 2 lw 2 title "minimum"

f = stem . "-nu.tsv"
set title "CRD-t(nu) shape on t[nu=5] data: best over n' vs n' = 1"
set xlabel "nu of the CRD-t shape"
set logscale x 10
set xtics (3, 4, 5, 7, 10, 20, 30, 50, 100)
set xrange [2.8:110]
plot f index sel("search") using 1:2 with linespoints lt 4 lw 2 pt 7 ps 0.7 title columnheader(2), \
     f index sel("moments") using 1:2 with linespoints lc rgb "#80000000" dt 2 lw 3 pt 6 ps 0.8 title columnheader(2), \
     f index sel("search-min") using 1:2 with points lt 4 pt 3 ps 3 lw 2 title columnheader(2)
unset multiplot
