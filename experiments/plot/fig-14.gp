# fig-14: usage  gnuplot -c fig-14.gp results/fig-14 OUT.png
# Per panel: the uniform grid coded by the
# ideal code length (optimal), by Huffman and by bzip2, and the
# fixed-length absmax B=128 block CRD (grey dashed, as the reference).
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
panels = "normal laplace t-nu-5"
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1650,620
set multiplot layout 1,3 title "fig-14 (Orr et al. F-S13): ideal code length vs Huffman vs bzip2, tensor RMS + uniform grid (sources at scale 1, 2^{20} samples, bf16 scales)"
set xlabel "bits per parameter b (achieved)"
set ylabel "R·2^b"
set xrange [2.8:6.3]
set xtics 1
set yrange [1.0:2.6]
set key top left font ",9"
set style line 11 lc rgb "#666666" lw 2 dt 2 pt 7 ps 0.8
do for [i=1:3] {
  f = sprintf("%s-%s.tsv", stem, word(panels, i))
  set title (i == 1 ? "Normal" : i == 2 ? "Laplace" : "Student-t, {/Symbol n} = 5")
  plot f index sel("optimal") using 1:2:3 with yerrorlines lt 2 pt 13 ps 1.0 title columnheader(2), \
       f index sel("huffman") using 1:2:3 with yerrorlines lt 3 pt 9 ps 1.0 title columnheader(2), \
       f index sel("bzip2") using 1:2:3 with yerrorlines lt 4 pt 5 ps 0.9 title columnheader(2), \
       f index sel("absmax-b128-fixed") using 1:2:3 with yerrorlines ls 11 title columnheader(2)
}
unset multiplot
