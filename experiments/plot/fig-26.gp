# fig-26: usage  gnuplot -c fig-26.gp results/fig-26 OUT.png
# One panel per covariance: gap to the Gaussian limit vs rate.  Absmax INT
# curves in pairs (solid: at log2 levels + side info; dashed, open points:
# the same codes at their entropy + side info), then the tuned
# entropy-coded methods, then the reference lines (limit, +0.2546 and, for
# Sigma = I, Panter-Dite's +0.7220).  The first pair is drawn with large
# points: for Sigma = I, GPTQ's codes are RTN's and the pairs coincide.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
set key autotitle columnhead
attr(name) = system(sprintf("sed -n 's/^# %s: //p' %s.tsv", name, stem))
panels = system(sprintf("./bin/qrd export --panels %s.h5", stem))
P = words(panels)
# curves of a panel file, and those of them that are absmax pairs / lines
blocks(file) = int(system(sprintf("grep -c '^x\t' %s", file)))
count(file, pat) = int(system(sprintf("grep '^x\t' %s | grep -c '%s'", file, pat)))
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1600,820
set multiplot layout 1,P title sprintf("fig-26 (watersic E8): fixed rate (log-cardinality) vs entropy-coded rates (W iid N(0,1), n = %s, a = %s; side information in every rate)", attr("n"), attr("rows"))
set xlabel "rate R (bits per weight)"
set ylabel "gap ½·log_2(D/D(R)) to the Gaussian limit (bits)"
set key below horizontal maxcols 1 font ",9"
set xrange [1:9]
set yrange [-0.05:*]
do for [p=1:P] {
  f = sprintf("%s-%s.tsv", stem, word(panels, p))
  B = blocks(f)
  A = count(f, "absmax INT")
  L = count(f, "limit")
  set title "{/Symbol S} = " . word(attr("sigmas"), p)
  plot for [b=0:A-1] f index b using 1:2 with linespoints lt (b / 2 + 2) lw 2 \
         pt (b % 2 ? 6 : 7) ps (b < 2 ? 1.8 : 0.9) dt int(b % 2 ? 2 : 1), \
       for [b=A:B-L-1] f index b using 1:2 with linespoints lt (b - A / 2 + 2) lw 2 pt 5 ps 0.8, \
       for [b=B-L:B-1] f index b using 1:2 with lines lc rgb "#000000" lw 1.5 dt int(b - B + L + 1)
}
unset multiplot
