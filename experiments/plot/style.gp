# Shared style for every qrd figure: PNG via pngcairo (byte-reproducible),
# DejaVu Sans, tab-separated data with a header row per block.
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1500,900 linewidth 1.5
set datafile separator tab
set key noenhanced
set grid lc rgb "#dddddd"
set style data linespoints
set pointsize 0.6
set linetype 1 lc rgb "#000000" dt 2
set linetype 2 lc rgb "#1f77b4"
set linetype 3 lc rgb "#ff7f0e"
set linetype 4 lc rgb "#2ca02c"
set linetype 5 lc rgb "#d62728"
set linetype 6 lc rgb "#9467bd"
set linetype 7 lc rgb "#8c564b"
set linetype 8 lc rgb "#e377c2"
set linetype cycle 8
