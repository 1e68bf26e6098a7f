# fig-10: usage  gnuplot -c fig-10.gp results/fig-10 OUT.png
# Panels bits-<b> (R vs B) and bits-<b>-achieved (achieved bits vs B).
# Curves of a bits-<b> panel, per source (normal, laplace, t-nu-5):
# <source>-bf16, <source>-e8m0 and their minima <curve>-min.  The achieved-bits
# panels hold the curves alone (bf16, E8M0 per source; equal across
# sources, so only the first source's are drawn).  Colour marks the
# source, solid = bf16 scales, dashed = E8M0, stars = least R.
load "experiments/plot/style.gp"
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1500,1050
set output ARG2
stem = ARG1
set multiplot title "fig-10 (Orr et al. F-S9): R vs block size at a fixed total of b bits per parameter; symmetric block CRD, absmax scaling, 2^{24} samples per source" font ",12"
set logscale x 2
set xrange [6:5200]
set format x "%g"
set xlabel "block size B"
set key font ",8" spacing 0.9
# the source's position for a minimum <source>-<scale>-min, as its curves
source(m) = position(bf, m[1:strlen(m) - 4]) + position(e8, m[1:strlen(m) - 4])
do for [i=1:2] {
  p = i == 1 ? "bits-4" : "bits-8"
  f = sprintf("%s-%s.tsv", stem, p)
  set origin (i - 1) * 0.5, 0.3
  set size 0.5, 0.65
  set title sprintf("b ≈ %d: element bits b − (scale bits)/B", i == 1 ? 4 : 8)
  set logscale y
  set ylabel "R (relative RMS error)"
  if (i == 1) { set yrange [0.09:0.4]; set ytics (0.09, 0.1, 0.11, 0.12, 0.14, 0.16, 0.2, 0.25, 0.3, 0.4) }
  if (i == 2) { set yrange [0.0055:0.017]; set ytics (0.006, 0.007, 0.008, 0.009, 0.01, 0.012, 0.014, 0.017) }
  set key top right vertical
  bf = ending(curves(p), "-bf16")
  e8 = ending(curves(p), "-e8m0")
  mins = ending(curves(p), "-min")
  plot for [k=1:words(bf)] f index sel(word(bf, k)) using 1:2:3 with yerrorlines lt (k+1) lw 1.5 pt 7 ps 0.6 title columnheader(2), \
       for [k=1:words(e8)] f index sel(word(e8, k)) using 1:2:3 with yerrorlines lt (k+1) lw 1.5 dt 2 pt 6 ps 0.6 title columnheader(2), \
       for [m in mins] f index sel(m) using 1:2 with points lt (source(m) + 1) pt 3 ps 2.5 lw 2 title columnheader(2)
  fa = sprintf("%s-%s-achieved.tsv", stem, p)
  set origin (i - 1) * 0.5, 0.0
  set size 0.5, 0.3
  set title sprintf("achieved bits per parameter (target %d)", i == 1 ? 4 : 8)
  unset logscale y
  # headroom above the curves for the key
  if (i == 1) { set yrange [3.94:4.07] } else { set yrange [7.997:8.0045] }
  set ytics auto
  set ylabel "b achieved"
  # the same for every source: the first source's two curves stand for all
  set key top right horizontal
  plot fa index sel(word(bf, 1)) using 1:2 with linespoints lc rgb "black" dt 1 lw 1.2 pt 7 ps 0.5 title "BF16 scales (every source)", \
       fa index sel(word(e8, 1)) using 1:2 with linespoints lc rgb "black" lw 1.2 dt 2 pt 6 ps 0.5 title "E8M0 scales"
}
unset multiplot
