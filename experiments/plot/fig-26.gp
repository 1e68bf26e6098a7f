# fig-26: usage  gnuplot -c fig-26.gp results/fig-26 OUT.png
# One panel per covariance: gap to the Gaussian limit vs rate.  Absmax INT
# curves in pairs (solid, <m>-fixed: at log2 levels + side info; dashed,
# open points, <m>-entropy: the same codes at their entropy + side info),
# then the tuned entropy-coded methods <m>-coded, then the reference lines
# it* (limit, +0.2546 and, for Sigma = I, Panter-Dite's +0.7220).  The
# first pair is drawn with large points: for Sigma = I, GPTQ's codes are
# RTN's and the pairs coincide.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
set key autotitle columnhead
attr(name) = system(sprintf("sed -n 's/^# %s: //p' %s.tsv", name, stem))
panels = listing("--panels")
P = words(panels)
# curve b (from 0) of the absmax pairs: <m>-fixed, then <m>-entropy
pair(b) = word(methods, b / 2 + 1) . (b % 2 ? "-entropy" : "-fixed")
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1600,940
set multiplot layout 1,P title sprintf("fig-26 (watersic E8): fixed rate (log-cardinality) vs entropy-coded rates (W iid N(0,1), n = %s, a = %s; side information in every rate)", attr("n"), attr("rows"))
set xlabel "rate R (bits per weight)"
set ylabel "gap ½·log_2(D/D(R)) to the Gaussian limit (bits)"
# keys under the panels at a fixed bottom margin (`set key below` laid
# them over the x label and gave the panels different heights)
set bmargin 13
set key vertical maxcols 1 font ",9" samplen 3
set xrange [1:9]
set yrange [-0.05:*]
do for [p=1:P] {
  f = tsv(word(panels, p))
  cs = curves(word(panels, p))
  methods = ""
  do for [c in ending(cs, "-fixed")] { methods = methods . c[1:strlen(c) - 6] . " " }
  A = 2 * words(methods)
  coded = ending(cs, "-coded")
  lines = starting(cs, "it")
  set title "{/Symbol S} = " . word(attr("sigmas"), p)
  set key at graph 0.5, graph -0.1 center top
  plot for [b=0:A-1] f index sel(pair(b)) using 1:2 with linespoints lt (b / 2 + 2) lw 2 \
         pt (b % 2 ? 6 : 7) ps (b < 2 ? 1.8 : 0.9) dt int(b % 2 ? 2 : 1), \
       for [i=1:words(coded)] f index sel(word(coded, i)) using 1:2 with linespoints lt (A / 2 + i + 1) lw 2 pt 5 ps 0.8, \
       for [i=1:words(lines)] f index sel(word(lines, i)) using 1:2 with lines lc rgb "#000000" lw 1.5 dt int(i)
}
unset multiplot
