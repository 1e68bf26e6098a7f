# fig-25: usage  gnuplot -c fig-25.gp results/fig-25 OUT.png
# One panel per covariance: the gap of WaterSIC to the Gaussian limit vs
# the rate reached, one curve watersic-lmmse-<mode> per LMMSE variant
# (clamped, mode 2, drawn dashed with open points over unclamped: they
# coincide when no gain exceeds 1), and the high-rate line 0.2546.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
set key autotitle columnhead
attr(name) = system(sprintf("sed -n 's/^# %s: //p' %s.tsv", name, stem))
panels = listing("--panels")
P = words(panels)
clamped(c) = c eq "watersic-lmmse-2"
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1500,620
set multiplot layout 1,P title sprintf("fig-25 (watersic E6): WaterSIC at low rate, LMMSE gain off / unclamped / clamped (W iid N(0,1), n = %s, a = %s)", attr("n"), attr("rows"))
set xlabel sprintf("rate R (bits per weight, %s)", attr("rate_kind")) noenhanced
set ylabel "gap ½·log_2(D/D(R)) to reverse waterfilling (bits)"
set key top right
set xrange [0:4.2]
do for [p=1:P] {
  f = tsv(word(panels, p))
  ws = not_ending(curves(word(panels, p)), "high-rate")
  set title "{/Symbol S} = " . word(attr("sigmas"), p)
  plot for [c in ws] f index sel(c) using 1:2 with linespoints lt (position(ws, c) + 1) \
         lw (clamped(c) ? 1.5 : 2) pt (clamped(c) ? 6 : 7) ps (clamped(c) ? 1.6 : 1.0) dt int(clamped(c) ? 2 : 1), \
       f index sel("high-rate") using 1:2 with lines lt 1 lw 2
}
unset multiplot
