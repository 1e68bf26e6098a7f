# fig-17: usage  gnuplot -c fig-17.gp results/fig-17 OUT.png
# One panel per code, each with 16 curves c0 .. c15 (level i vs B).  The
# plot overlays pairs: NF4 vs AF4-pub (Yoshida F-P2 across B), AF4-pub vs
# AF4-exact (0 as cell boundary vs as level, Yoshida (NF4 vs AF4)), and the
# L1-of-X optimum vs the weight-domain MSE optima BOF4 and BOF4-S.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1800,760
set multiplot layout 1,3 title "fig-17: 4-bit codebook levels vs the block size B they are designed for (N(0,1) weights, absmax blocks; BOF4-S signmax)" font ",12"
set logscale x 2
set xrange [13:5000]
set yrange [-1.08:1.08]
set ytics 0.1
set xlabel "design block size B"
set ylabel "level c_i"
# the keys sit under the panels (fixed bottom margin, one key per panel):
# inside, they covered the level -1
set bmargin 6.5
set key horizontal box font ",9" samplen 2 maxcols 2
keyat(i) = sprintf("set key at screen %.4f, screen 0.012 center bottom", (i - 0.47) / 3.0)
# the level curves of each code's panel; the key names a code once, at its
# first level
nf4 = curves("nf4")
pub = curves("af4-pub")
exact = curves("af4-exact")
bof4s = curves("bof4s")
bof4 = curves("bof4")
eval keyat(1)
set title "NF4 (QLoRA, one table for every B) vs AF4-pub (Yoshida)"
plot for [i=1:words(nf4)] tsv("nf4") index sel(word(nf4, i)) using 1:2 with lines lc rgb "black" dt 2 lw 1.2 title (i == 1 ? "NF4" : ""), \
     for [i=1:words(pub)] tsv("af4-pub") index sel(word(pub, i)) using 1:2 with linespoints lc rgb "#1f77b4" dt 1 pt 7 ps 0.5 lw 1.5 title (i == 1 ? "AF4-pub" : "")
eval keyat(2)
set title "AF4-pub (0 a cell boundary) vs AF4-exact (true L1 optimum)"
plot for [i=1:words(pub)] tsv("af4-pub") index sel(word(pub, i)) using 1:2 with linespoints lc rgb "#1f77b4" dt 1 pt 7 ps 0.5 lw 1.5 title (i == 1 ? "AF4-pub" : ""), \
     for [i=1:words(exact)] tsv("af4-exact") index sel(word(exact, i)) using 1:2 with linespoints lc rgb "#ff7f0e" pt 6 ps 0.6 lw 1.5 dt 2 title (i == 1 ? "AF4-exact" : "")
eval keyat(3)
set title "L1 of X (AF4-exact) vs weight-domain MSE (BOF4, BOF4-S)"
plot for [i=1:words(exact)] tsv("af4-exact") index sel(word(exact, i)) using 1:2 with lines lc rgb "#ff7f0e" lw 1.5 dt 2 title (i == 1 ? "AF4-exact" : ""), \
     for [i=1:words(bof4s)] tsv("bof4s") index sel(word(bof4s, i)) using 1:2 with linespoints lc rgb "#d62728" dt 1 pt 5 ps 0.7 lw 2.5 title (i == 1 ? "BOF4-S (MSE, signmax; positive half = BOF4's)" : ""), \
     for [i=1:words(bof4)] tsv("bof4") index sel(word(bof4, i)) using 1:2 with linespoints lc rgb "#2ca02c" dt 1 pt 7 ps 0.4 lw 1.2 title (i == 1 ? "BOF4 (MSE)" : "")
unset multiplot
