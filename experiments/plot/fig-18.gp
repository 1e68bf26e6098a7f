# fig-18: usage  gnuplot -c fig-18.gp results/fig-18 OUT.png
# Panels l1 and r: per code <c> two curves, <c> the exact value (line) and
# <c>-mc the Monte Carlo estimate (points with standard errors); panels
# l1-rel and r-rel: curve <c>, the exact value over the first code's (NF4).
# Codes in config order, one colour each.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1650,1050
set multiplot layout 2,2 title "fig-18: expected error of 4-bit codes vs block size B, N(0,1) weights, each code designed for its own B (exact: lines; Monte Carlo: points)" font ",12"
set logscale x 2
set xrange [13:5000]
set xlabel "block size B"
set key top left font ",9" samplen 2 spacing 0.9 opaque
set linetype 1 lc rgb "#000000" dt 1
codes = not_ending(curves("l1"), "-mc")
# a code's colour, the same in every panel
hue(c) = position(codes, c)
set title "L1 of normalised values, E|X - Q(X)| (AF4's criterion)"
set key bottom left
set ylabel "E|X - Q(X)|"
plot for [c in codes] tsv("l1") index sel(c) using 1:2 with lines lt hue(c) lw 2 title columnheader(2), \
     for [c in codes] tsv("l1") index sel(c . "-mc") using 1:2:3 with yerrorbars lt hue(c) pt 7 ps 0.6 notitle
set key top left
set title "weight-domain R = sqrt(E(W - Ŵ)^2) / {/Symbol s} (BOF4's criterion)"
set ylabel "R"
plot for [c in codes] tsv("r") index sel(c) using 1:2 with lines lt hue(c) lw 2 title columnheader(2), \
     for [c in codes] tsv("r") index sel(c . "-mc") using 1:2:3 with yerrorbars lt hue(c) pt 7 ps 0.6 notitle
set yrange [0.8:1.14]
set key bottom center horizontal maxcols 4 width -2
set ytics 0.02
set title "E|X - Q(X)| relative to NF4 (INT4 and uniform run off the top)"
set ylabel "E|X - Q(X)| / NF4's"
plot for [c in curves("l1-rel")] tsv("l1-rel") index sel(c) using 1:2 with linespoints lt hue(c) lw 2 pt 7 ps 0.6 title columnheader(2)
set title "R relative to NF4 (INT4 and uniform run off the top)"
set ylabel "R / NF4's"
plot for [c in curves("r-rel")] tsv("r-rel") index sel(c) using 1:2 with linespoints lt hue(c) lw 2 pt 7 ps 0.6 title columnheader(2)
unset multiplot
