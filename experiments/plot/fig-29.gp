# fig-29: usage  gnuplot -c fig-29.gp results/fig-29 OUT.png
# GPTQ-EC vs WaterSIC on the 10 linear layers of the Universal Sentence
# Encoder Lite (real Sigma_X and W).  One panel per target rate (gap-r2,
# gap-r3, gap-r4, listed by $QRD), x = layer (index in the config's
# layers list, named on the axis), y = gap to reverse waterfilling.
# Colour = scheme; filled = natural basis, open = Haar-rotated; the GPTQ
# high-rate prediction is a grey cross, WaterSIC's 0.2546 a dashed line.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
panels = listing("--panels")
names = "L0-qkv L0-attn-out L0-dense L0-ffn1 L0-ffn2 L1-qkv L1-attn-out L1-ffn1 L1-ffn2 tanh"
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1800,650
set multiplot layout 1,words(panels) title "fig-29: USE-Lite (7 M-parameter sentence encoder, not an LLM), real Sigma_X (licence-text corpus) and W; R = per-column entropy + Miller-Madow"
set xrange [-0.5:9.5]
set xtics rotate by 45 right font ",8"
set for [i=1:words(names)] xtics add (word(names, i) i - 1)
set yrange [0:*]
set style line 22 lc rgb "#999999" lw 1 dt 2
do for [i=1:words(panels)] {
  p = word(panels, i)
  f = tsv(p)
  set title sprintf("R = %s bits", p[6:])
  set ylabel (i == 1 ? "gap ½log_2(D/D_{IT}(R)) (bits)" : "")
  if (i == 1) { set key top right font ",8" } else { unset key }
  plot f index sel("ecsq") using 1:2 with lines ls 22 title columnheader(2), \
       f index sel("watersic") using 1:2 with points lt 2 pt 7 ps 1.2 title columnheader(2), \
       f index sel("watersic-haar") using 1:2 with points lt 2 pt 6 ps 1.2 title columnheader(2), \
       f index sel("gptq-ec") using 1:2 with points lt 5 pt 5 ps 1.2 title columnheader(2), \
       f index sel("gptq-ec-haar") using 1:2 with points lt 5 pt 4 ps 1.2 title columnheader(2), \
       f index sel("gptq-ec-pred") using 1:2 with points lc rgb "#777777" pt 2 ps 1.2 title columnheader(2)
}
unset multiplot
