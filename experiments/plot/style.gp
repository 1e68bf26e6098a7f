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
# Curves are selected by name, never by position, so the order in which a
# driver writes them does not matter: `qrd export --panel` starts each block
# with the comment "# curve=<name>;" and `index sel(name)` picks it (the ';'
# keeps "curve=a;" from matching a curve "a-b").  Scripts set stem (ARG1,
# results/fig-N); names are listed by the qrd binary in $QRD (make sets it;
# an environment variable because `load` hides the script's arguments).
sel(c) = sprintf("curve=%s;", c)
tsv(p) = sprintf("%s-%s.tsv", stem, p)
listing(opt) = system(sprintf("${QRD:-bin/qrd} export %s '%s.h5'", opt, stem))
# Panel and curve names as space-separated words in the driver's order, so
# a curve or panel added by a driver appears in the loops over "every one".
curves(p) = listing("--curves " . p)
# Whether word w ends in x (at_end = 1) or starts with it (at_end = 0).
affix(w, x, at_end) = strlen(w) >= strlen(x) && \
    (at_end ? w[strlen(w) - strlen(x) + 1:] : w[1:strlen(x)]) eq x
ends(w, x) = affix(w, x, 1)
# The words of list s that have affix x (want = 1) or do not (want = 0).
pick(s, x, at_end, want, i) = i > words(s) ? "" : \
    (affix(word(s, i), x, at_end) == want ? word(s, i) . " " : "") . \
    pick(s, x, at_end, want, i + 1)
ending(s, x) = pick(s, x, 1, 1, 1)
not_ending(s, x) = pick(s, x, 1, 0, 1)
starting(s, x) = pick(s, x, 0, 1, 1)
not_starting(s, x) = pick(s, x, 0, 0, 1)
# The position of word w in list s (0: absent).
position(s, w) = find(s, w, 1)
find(s, w, i) = i > words(s) ? 0 : word(s, i) eq w ? i : find(s, w, i + 1)
