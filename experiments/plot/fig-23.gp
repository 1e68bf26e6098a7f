# fig-23: usage  gnuplot -c fig-23.gp results/fig-23 OUT.png
# Rows 1..S: one panel n-<N> per size; each curve is a family (its label
# on the x axis), its points the rotations (root attribute `rotations`, one
# colour each), mean +- sd over the draws.  Last row: the panels
# profile-<family>, d_j/GM(lambda) (log y), one curve per rotation with the
# lines hm and am; and panel wishart, the measured excess vs T/n with the
# Bartlett expectations (curves bartlett-*).
load "experiments/plot/style.gp"
set output ARG2
stem = ARG1
# every block starts with its header row: `every ::r::r` then counts data
set key autotitle columnhead
attr(name) = system(sprintf("sed -n 's/^# %s: //p' %s.tsv", name, stem))
sizes = attr("sizes")
draws = attr("draws")
rots = attr("rotations")
profiles = starting(listing("--panels"), "profile-")
S = words(sizes)
R = words(rots)
P = words(profiles)
rows = S + 1
set terminal pngcairo enhanced font "DejaVu Sans,10" size 1900, 445 * rows + 120
set multiplot title "fig-23 (watersic E4): GPTQ's high-rate excess over WaterSIC, ½·log_2(AM(d)/GM(d)), per covariance family and change of basis (no quantisation)"
# bars: 72% of the height, the last row the rest
top = 0.955
bar_h = (top - 0.30) / S
set key top left horizontal font ",9" samplen 1.5
set ylabel "excess (bits)" offset 1,0
set grid ytics
# family labels: Greek letters for rho, eps, beta, "f=" for "frac=",
# at 45 degrees
set xtics rotate by 45 right font ",8" nomirror
subst(s, a, b) = strstrt(s, a) ? s[1:strstrt(s, a) - 1] . b . subst(s[strstrt(s, a) + strlen(a):], a, b) : s
short(s) = subst(subst(subst(subst(s, "rho=", "ρ="), "eps=", "ε="), "beta=", "β="), "frac=", "f=")
set style line 20 lc rgb "#c0c0c0" lw 0.5
do for [s=1:S] {
  p = "n-" . word(sizes, s)
  f = tsv(p)
  fams = not_starting(curves(p), "draws-")
  drawn = starting(curves(p), "draws-")
  F = words(fams)
  fam(name) = sum [k=1:F] (word(fams, k) eq name ? k : 0)
  set lmargin at screen 0.045
  set rmargin at screen 0.975
  set tmargin at screen top - (s - 1) * bar_h - 0.012
  set bmargin at screen top - s * bar_h + 0.062
  set title sprintf("n = %s (draws of random families and rotations: %s)", word(sizes, s), word(draws, s)) offset 0,-0.6
  # one draw has no spread: no bars (and no caps on zero-length ones)
  if (word(draws, s) + 0 > 1) { set bars small } else { set bars 0 }
  set xrange [-0.6:F - 0.4]
  set yrange [-0.05:5]
  set xtics () 
  w = 0.72 / R
  # every draw of the random entries: small open circles beside the mean
  plot for [i=1:F] f index sel(word(fams, i)) every ::0::0 using (i - 1):(0):xtic(short(columnhead(2))) with points ps 0 notitle, \
       for [r=0:R-1] for [i=1:F] f index sel(word(fams, i)) every ::r::r using (i - 1 + (r - (R - 1) / 2.0) * w):2:3 \
         with yerrorbars lt (r + 2) pt 7 ps 0.7 title (i == 1 ? word(rots, r + 1) : ""), \
       for [j=1:words(drawn)] f index sel(word(drawn, j)) \
         using (fam(word(drawn, j)[7:]) - 1 + ($1 - (R - 1) / 2.0) * w + 0.25 * w):2:($1 + 2) \
         with points pt 6 ps 0.35 lc variable notitle
}
unset title
set xtics norotate font ",9" mirror autofreq
set grid xtics ytics
# last row: profiles and Wishart side by side
panels = P + 1
pw = 0.955 / panels
set key horizontal center top font ",8" samplen 2 maxrows 2 width -1
do for [p=1:P] {
  f = tsv(word(profiles, p))
  set lmargin at screen 0.045 + (p - 1) * pw
  set rmargin at screen 0.045 + p * pw - 0.04
  set tmargin at screen 0.255
  set bmargin at screen 0.05
  name = word(profiles, p)[9:]
  set title sprintf("profile: %s, d_j / GM({/Symbol l})", name) offset 0,2.6
  set key at screen 0.045 + (p - 0.5) * pw - 0.02, 0.284
  set logscale y
  set xrange [*:*] noextend
  set yrange [*:*]
  set xlabel "column j (GPTQ processing order)"
  set ylabel "d_j / GM({/Symbol l})"
  plot for [r=1:R] f index sel(word(rots, r)) using 1:2 with lines lt (r + 1) lw 1.2 title columnheader(2), \
       f index sel("hm") using 1:2 with lines lc rgb "#000000" dt 2 lw 2 title columnheader(2), \
       f index sel("am") using 1:2 with lines lc rgb "#000000" dt 4 lw 2 title columnheader(2)
  unset logscale y
}
f = tsv("wishart")
measured = not_starting(curves("wishart"), "bartlett-")
bartlett = starting(curves("wishart"), "bartlett-")
set lmargin at screen 0.045 + P * pw
set rmargin at screen 0.99
set title "Wishart sample covariance (natural order): excess vs T/n" offset 0,0
set logscale xy
set xrange [0.4:20]
set yrange [*:*]
set key inside top right vertical maxrows 8 opaque box
set xlabel "T/n (samples per dimension)"
set ylabel "excess (bits)" offset -2,0
plot for [i=1:words(measured)] f index sel(word(measured, i)) using 1:2:3 with yerrorlines lt (i + 1) pt 7 ps 0.6 title columnheader(2), \
     for [i=1:words(bartlett)] f index sel(word(bartlett, i)) using 1:2 with lines lc rgb "#000000" dt int(i + 1) lw 1.5 title columnheader(2)
unset multiplot
