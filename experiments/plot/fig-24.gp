# fig-24: usage  gnuplot -c fig-24.gp results/fig-24 OUT.png
# Top: per-column entropies of WaterSIC on diag(2^-k) (points) with the
# high-rate allocation and reverse waterfilling (lines), and their
# difference.  Bottom: 50-bin histograms of the column entropies (boxes)
# and of their high-rate predictions (steps), mean dashed, per rotation.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
set key autotitle columnhead
attr(name) = system(sprintf("sed -n 's/^# %s: //p' %s.tsv", name, stem))
rots = attr("hist_rotations")
H = words(rots)
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1500,1000
set multiplot layout 2,(H > 2 ? H : 2) title sprintf("fig-24 (watersic E5): WaterSIC per-column rates vs the waterfilling allocation (W iid N(0,1), %s, mean rate %s bits; rate = per-column entropy, plug-in + Miller-Madow)", attr("method"), attr("target_rate"))
f = stem . "-columns.tsv"
set title "diagonal {/Symbol S} = diag(2^{-k}), a = " . attr("column_rows") . " rows"
set xlabel "column k  (d_k = {/Symbol l}_k = 2^{-k})"
set ylabel "bits"
set key top right
plot f index sel("measured") using 1:2 with points lt 2 pt 7 ps 1.2, \
     f index sel("high-rate") using 1:2 with lines lt 3 lw 2, \
     f index sel("waterfilling") using 1:2 with lines lt 1 lw 2
f = stem . "-deviation.tsv"
set title "measured minus allocation: above it below ≈ 1–2 bits"
set xlabel "waterfilling allocation R + ½log_2(d_k/GM(d)) (bits)"
set ylabel "H(Z[:,k]) − allocation (bits)"
set key top right
plot f index sel("measured") using 1:2 with linespoints lt 2 pt 7 ps 1.2, 0 with lines lt 1 notitle
do for [j=3:(H > 2 ? H : 2)] { set multiplot next }
set style fill transparent solid 0.45 noborder
set xlabel "H(Z[:,i]) (bits)"
set ylabel "columns per bin"
set key top right
do for [h=1:H] {
  name = word(rots, h)
  f = sprintf("%s-hist-%s.tsv", stem, name)
  set title sprintf("%s, n = %s, rotation: %s", attr("hist_family"), attr("hist_n"), name)
  stats f index sel("measured") using 1 nooutput
  bw = (STATS_max - STATS_min) / (STATS_records - 1)
  set boxwidth bw
  plot f index sel("measured") using 1:2 with boxes lt 2, \
       f index sel("high-rate") using ($1 - bw / 2):2 with steps lt 5 lw 1.5, \
       f index sel("mean") using 1:2 with lines lc rgb "#000000" dt 2 lw 2
}
unset multiplot
