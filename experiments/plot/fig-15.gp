# fig-15: usage  gnuplot -c fig-15.gp results/fig-15 OUT.png
# Panels (experiments/fig-15.c): bits = the flat level (curve target) and
# one curve per tensor type; kl = curves flat, optimal, clamped, rounded and
# the two-point saving marker saving-at-target; saving = optimal, clamped,
# rounded.
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
attr(name) = system(sprintf("sed -n 's/^# %s: //p' %s.tsv", name, stem))
stats_file = attr("stats_file")
synthetic = system(sprintf("grep -c -m1 SYNTHETIC '%s' 2>/dev/null || true", stats_file)) eq "1"
target = attr("target_bits")
min_bits = attr("min_bits")
source = synthetic ? "SYNTHETIC stand-in statistics (".stats_file.", Llama-3.1-8B-shaped; not the paper's data)" \
                   : "statistics: ".stats_file
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1500,1000
set linetype 9 lc rgb "#17becf"
set linetype 10 lc rgb "#bcbd22"
set linetype 11 lc rgb "#7f7f7f"
set multiplot title "fig-15 (Orr et al. 2.2): Fisher-optimal bit allocation, error model MSE_t = {/Symbol s}_t^2 {/Symbol e}^2 2^{-2b_t}\n".source

# top: per-tensor bits by layer and tensor type
f = stem."-bits.tsv"
set size 1, 0.5
set origin 0, 0.45
set title sprintf("optimal element bits per tensor at mean %s bits (continuous, clamped at %s)", target, min_bits)
set xlabel "layer (tensors outside the layers: one step before or after them, by file order)"
set ylabel "b_t (element bits)"
set autoscale xfix
set offsets 0.7, 0.7, 0.3, 0.3
set key outside right top font ",9" spacing 1.1
layers = not_ending(curves("bits"), "target")
plot f index sel("target") using 1:2 with lines lt 1 lw 1.5 title columnheader(2), \
     for [i=1:words(layers)] f index sel(word(layers, i)) using 1:2 with linespoints lt (i+1) pt 7 ps 0.8 title columnheader(2)

# bottom left: predicted KL vs mean bits, saving marked
f = stem."-kl.tsv"
stats f index sel("saving-at-target") using 1 nooutput name "MX"
stats f index sel("saving-at-target") using 2 nooutput name "MY"
set size 0.5, 0.45
set origin 0, 0
set title "predicted KL vs bits per parameter"
set xlabel "mean bits per parameter (achieved)"
set ylabel "predicted D_{KL}"
set offsets 0, 0, 0, 0
set logscale y
set format y "10^{%T}"
set key inside top right font ",9" spacing 1.1
set arrow 1 from MX_max, MY_min to MX_min, MY_min head filled size graph 0.02,20 lw 2 lc rgb "black" front
plot f index sel("flat") using 1:2 with lines lt 1 lw 2 title columnheader(2), \
     f index sel("optimal") using 1:2 with lines lt 2 lw 2 title columnheader(2), \
     f index sel("clamped") using 1:2 with lines lt 3 lw 1.5 title columnheader(2), \
     f index sel("rounded") using 1:2 with points lt 4 pt 7 ps 0.5 title columnheader(2), \
     f index sel("saving-at-target") using 1:2 with points lc rgb "black" pt 6 ps 1.5 title columnheader(2)
unset arrow 1
unset logscale y
set format y "%g"

# bottom right: saving vs target
f = stem."-saving.tsv"
set origin 0.5, 0
set title "saving at equal predicted KL"
set xlabel "target mean bits per parameter"
set ylabel "saving (bits per parameter)"
set yrange [0:*]
set key inside bottom right font ",9"
plot f index sel("optimal") using 1:2 with lines lt 2 lw 2 title columnheader(2), \
     f index sel("clamped") using 1:2 with lines lt 3 lw 1.5 title columnheader(2), \
     f index sel("rounded") using 1:2 with linespoints lt 4 pt 7 ps 0.4 title columnheader(2)
unset multiplot
