# fig-3: usage  gnuplot -c fig-3.gp results/fig-3 OUT.png
# Reads results/fig-3-{rms,absmax-b64,legend}.tsv.  In the step panels each
# distribution <d> has two curves, <d>-crd and <d>-lm (Lloyd-Max).  The
# legend panel has four (crd-rms, lm-rms, crd-absmax, lm-absmax) with x the
# distribution's index in the config (normal, laplace, t7 by default);
# RMS purple, absmax brown, CRD filled, Lloyd-Max open.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
# opaque colours of lt 2..4 (style.gp) and their translucent twins for the
# thick dashed Lloyd-Max references ("#AARRGGBB", AA = transparency)
solid = "#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd"
ghost = "#701f77b4 #70ff7f0e #702ca02c #70d62728 #709467bd"
set terminal pngcairo size 1800,620
set multiplot layout 1,3 title "fig-3 (Orr et al. F-S2): 4-bit codepoint steps, CRD (markers) vs Lloyd-Max (thick dashed), unit-variance sources"
set xlabel "codepoint index i"
set ylabel "Q_{i+1} - Q_i"
set xrange [-0.5:14.5]
set xtics 0,2,14
set key top center font ",9" maxrows 3
do for [panel in "rms absmax-b64"] {
  f = sprintf("%s-%s.tsv", stem, panel)
  if (panel eq "rms") {
    set title "RMS (raw data)"
    set yrange [0:2.1]
  } else {
    set title "Absmax B = 64 (bf16 scales)"
    set yrange [0:0.27]
  }
  crd = ending(curves(panel), "-crd")
  lm = ending(curves(panel), "-lm")
  plot for [i=1:words(crd)] f index sel(word(crd, i)) using 1:2 with linespoints lc rgb word(solid, i) pt 7 ps 0.8 lw 1.5 dt 1 title columnheader(2), \
       for [i=1:words(lm)] f index sel(word(lm, i)) using 1:2 with lines lc rgb word(ghost, i) lw 6 dt 2 title columnheader(2)
}
set title "R on the evaluation sample (error bars: jackknife SE)"
set xlabel "source"
set ylabel "R"
set xrange [-0.5:2.5]
set yrange [0.08:0.13]
set xtics ("normal" 0, "laplace" 1, "t(nu=7)" 2)
set key top left font ",9" maxrows 4
f = sprintf("%s-legend.tsv", stem)
cs = curves("legend")
plot for [i=1:words(cs)] f index sel(word(cs, i)) using ($1 + (i - 2.5) * 0.08):2:3 with yerrorbars \
       lt (ends(word(cs, i), "-rms") ? 6 : 7) dt 1 pt (word(cs, i)[1:3] eq "lm-" ? 6 : 7) ps 1.2 title columnheader(2)
unset multiplot
