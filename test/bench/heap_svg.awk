# Hand-written SVG charts of the heap benchmark CSVs (test/bench/run.sh).
#
#   awk -F, -v chart=mixed -f heap_svg.awk build/bench/heap_mixed.csv > heap_mixed.svg
#     bars per subject: instructions per operation (total - noop), median
#     and p99 instructions per alloc and per free; dashed line: the target
#   awk -F, -v chart=worst -f heap_svg.awk build/bench/heap_worst.csv > heap_worst.svg
#     largest single alloc and free on the fragmenting workload against the
#     region size (log scale), one line per subject; dashed lines: targets
function esc(s) { gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); return s }
function text(x, y, s, anchor, size, extra) {
  printf "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\"%s>%s</text>\n", x, y, anchor, size, extra, esc(s)
}
function log10(v) { return log(v) / log(10) }
BEGIN {
  nsub = split("engine sys_heap heapmem glibc", subj, " ")
  split("#1f77b4 #2ca02c #ff7f0e #7f7f7f", colour, " ")
  nreg = split("4096 65536 1048576 16777216", reg, " ")
  split("4 KiB,64 KiB,1 MiB,16 MiB", regname, ",")
}
chart == "mixed" && FNR == 2 { ops_main = $2 }  # the first rows are the main run's
chart == "mixed" && FNR > 1 && $2 == ops_main && $1 != "noop" {
  v[$1, 1] = $4; v[$1, 2] = $6; v[$1, 3] = $11; v[$1, 4] = $7; v[$1, 5] = $12
}
chart == "worst" && FNR > 1 && $3 == "frag:*" { m[$1, $2, $4] = $8 }
END {
  if (chart == "mixed") {
    nser = split("per op (net),alloc median,free median,alloc p99,free p99", sername, ",")
    split("#1f77b4 #9ecae1 #c6dbef #fd8d3c #fdd0a2", sercol, " ")
    W = 760; H = 420; L = 60; R = 20; T = 50; B = 90
    top = 0
    for (i = 1; i <= nsub; i++) for (j = 1; j <= nser; j++) if (v[subj[i], j] + 0 > top) top = v[subj[i], j] + 0
    if (top < 40) top = 40
    step = top > 400 ? 100 : top > 200 ? 50 : 20
    top = (int(top / step) + 1) * step
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\">\n", W, H
    printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
    text(W / 2, 24, "Mixed workload: x86-64 instructions (callgrind), " ops_main " operations, 1 MiB region", "middle", 14, "")
    ph = H - T - B; pw = W - L - R
    for (y = 0; y <= top; y += step) {
      yy = T + ph - ph * y / top
      printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", L, yy, W - R, yy
      text(L - 6, yy + 4, y, "end", 11, "")
    }
    gw = pw / nsub; bw = gw * 0.8 / nser
    for (i = 1; i <= nsub; i++) {
      x0 = L + (i - 1) * gw + gw * 0.1
      for (j = 1; j <= nser; j++) {
        val = v[subj[i], j]
        if (val == "") continue
        bh = ph * val / top
        printf "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n", x0 + (j - 1) * bw, T + ph - bh, bw - 2, bh, sercol[j]
        text(x0 + (j - 0.5) * bw - 1, T + ph - bh - 3, sprintf("%.0f", val), "middle", 9, "")
      }
      text(L + (i - 0.5) * gw, T + ph + 16, subj[i], "middle", 12, "")
    }
    yy = T + ph - ph * 40 / top
    printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"red\" stroke-dasharray=\"6,4\"/>\n", L, yy, W - R, yy
    for (j = 1; j <= nser; j++) {
      lx = L + (j - 1) * (pw / (nser + 1))
      printf "<rect x=\"%.1f\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", lx, H - 40, sercol[j]
      text(lx + 16, H - 30, sername[j], "start", 11, "")
    }
    lx = L + nser * (pw / (nser + 1))
    printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"red\" stroke-dasharray=\"6,4\"/>\n", lx, H - 34, lx + 14, H - 34
    text(lx + 18, H - 30, "target per op (40)", "start", 11, "")
    print "</svg>"
  } else {
    W = 860; H = 420; T = 50; B = 80; pw = 330; ph = H - T - B
    lo = 1; hi = 8  # log10 range of the y axis
    for (k in m) if (m[k] > 0 && log10(m[k]) > hi - 0.2) hi = int(log10(m[k])) + 1
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\">\n", W, H
    printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
    text(W / 2, 24, "Largest single call on the fragmenting workload (x86-64 instructions, callgrind; log scale)", "middle", 14, "")
    for (panel = 1; panel <= 2; panel++) {
      op = panel == 1 ? "alloc" : "free"; target = panel == 1 ? 100 : 80
      L = panel == 1 ? 70 : 500
      text(L + pw / 2, T - 8, "largest " op, "middle", 12, "")
      for (e = lo; e <= hi; e++) {
        yy = T + ph - ph * (e - lo) / (hi - lo)
        printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", L, yy, L + pw, yy
        text(L - 6, yy + 4, "1e" e, "end", 10, "")
      }
      for (r = 1; r <= nreg; r++) text(L + (r - 0.5) * pw / nreg, T + ph + 16, regname[r], "middle", 11, "")
      yy = T + ph - ph * (log10(target) - lo) / (hi - lo)
      printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"red\" stroke-dasharray=\"6,4\"/>\n", L, yy, L + pw, yy
      text(L + 4, yy + 13, "target " target, "start", 10, " fill=\"red\"")
      for (i = 1; i <= nsub; i++) {
        path = ""
        for (r = 1; r <= nreg; r++) {
          val = m[subj[i], reg[r], op]
          if (val == "" || val <= 0) continue
          x = L + (r - 0.5) * pw / nreg; y = T + ph - ph * (log10(val) - lo) / (hi - lo)
          path = path (path == "" ? "M" : " L") sprintf("%.1f %.1f", x, y)
          printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", x, y, colour[i]
        }
        if (path != "") printf "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n", path, colour[i]
      }
    }
    for (i = 1; i <= nsub; i++) {
      lx = 70 + (i - 1) * 150
      printf "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", lx, H - 36, colour[i]
      text(lx + 16, H - 26, subj[i], "start", 11, "")
    }
    print "</svg>"
  }
}
