# fig-28: usage  gnuplot -c fig-28.gp results/fig-28 OUT.png
# Left: R 2^b per weight matrix (x = tensor index) for each format, on the
# real weights (solid, error bars) and on a sample of the family fitted to
# each matrix (dashed, same colour).  Right: achieved bits per parameter.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
attr(name) = system(sprintf("sed -n 's/^# %s: //p' %s.tsv", name, stem))
names = attr("tensors")
fmts = curves("real")
F = words(fmts)
colors = "#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f #bcbd22 #17becf"
col(i) = word(colors, (i - 1) % 10 + 1)
N = words(names)
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1800, 820
set multiplot layout 1, 2 title "fig-28: real weights (solid) vs the fitted family's prediction (dashed), about 4 bits per parameter -- Universal Sentence Encoder Lite (7 M parameters)"
set xtics () rotate by 35 right font ",8" noenhanced
do for [k=1:N] { set xtics add (word(names, k) (k - 1)) }
set xrange [-0.5:N - 0.5]
set key outside right top font ",8" samplen 2
set ylabel "R·2^b"
set title "efficiency R·2^b (lower is better)"
plot for [i=1:F] tsv("real") index sel(word(fmts, i)) using 1:2:3 with yerrorlines lc rgb col(i) dt 1 pt 7 ps 0.6 title columnheader(2), \
     for [i=1:F] tsv("predicted") index sel(word(fmts, i)) using 1:2 with lines lc rgb col(i) dt 2 notitle
set title "achieved bits per parameter (real weights)"
set ylabel "bits"
set key off
plot for [i=1:F] tsv("bits") index sel(word(fmts, i)) using 1:2 with linespoints lc rgb col(i) dt 1 pt 7 ps 0.6 title columnheader(2)
unset multiplot
