#!/bin/sh
# make bench — MEMB figures (not pass/fail):
#  - callgrind: exact x86-64 instructions per memb_alloc, per memb_free and per
#    pair at -O2, with 1 and with 10,000 blocks live, for omniheap and for a
#    reference with the upstream algorithm (linear scan);
#  - rdpmc: per-call median and maximum where hardware counters are usable;
#  - Google Benchmark: time per pair for omniheap, the reference and glibc
#    malloc/free, and their ratios measured in the same run.
# Results: a table on stdout and build/bench/memb.csv.
set -eu
cd "$(dirname "$0")/../.."
MAKE=${MAKE:-make}
out=build/bench
mkdir -p "$out"
$MAKE -s --no-print-directory bench-programs
dir=$($MAKE -s --no-print-directory print-config | sed -n 's/^build_dir=//p')
pairs="$dir/bench/memb_pairs"
csv=$out/memb.csv
echo "tool,subject,function,live_blocks,instructions_per_call" > "$csv"

# instructions IMPL LIVE FUNCTION... — exact instructions per iteration.
instructions() {
  impl=$1 live=$2
  shift 2
  toggles=""
  for f in "$@"; do toggles="$toggles --toggle-collect=$f"; done
  n1=1 n2=2001
  for n in $n1 $n2; do
    valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.$n" --collect-atstart=no \
      $toggles "$pairs" "$impl" "$live" "$n" > /dev/null 2>&1
  done
  c1=$(sed -n 's/^summary: //p' "$out/callgrind.$n1")
  c2=$(sed -n 's/^summary: //p' "$out/callgrind.$n2")
  rm -f "$out"/callgrind.*
  awk -v a="$c1" -v b="$c2" -v n=$((n2 - n1)) 'BEGIN { printf "%.1f", (b - a) / n }'
}

if command -v valgrind > /dev/null 2>&1; then
  echo "MEMB, x86-64 instructions per call at -O2 (callgrind, exact; 32-byte blocks, pool of 10,008)"
  printf '%-24s %12s %12s\n' "" "1 live" "10,000 live"
  for impl in omniheap reference; do
    if [ $impl = omniheap ]; then fa=memb_alloc ff=memb_free; else fa=ref_alloc ff=ref_free; fi
    for what in alloc free pair; do
      case $what in alloc) fns=$fa ;; free) fns=$ff ;; pair) fns="$fa $ff" ;; esac
      a=$(instructions $impl 1 $fns)
      b=$(instructions $impl 10000 $fns)
      printf '%-24s %12s %12s\n' "$impl $what" "$a" "$b"
      echo "callgrind,$impl,$what,1,$a" >> "$csv"
      echo "callgrind,$impl,$what,10000,$b" >> "$csv"
    done
  done
else
  echo "callgrind: valgrind not installed (apt-get install valgrind) — skipped"
fi

echo
pmc=$("$dir/bench/memb_pmc")
case $pmc in
  rdpmc,unavailable,*)
    echo "rdpmc per-call counts: unavailable on this machine (perf_event_open: ${pmc#rdpmc,unavailable,})" ;;
  *)
    echo "rdpmc per call (median / max over 20,001 calls):"
    echo "$pmc" | while IFS=, read -r tool fn live median max; do
      printf '  %-12s %6s live: median %s, max %s\n' "$fn" "$live" "$median" "$max"
      echo "rdpmc,omniheap,$fn-median,$live,$median" >> "$csv"
      echo "rdpmc,omniheap,$fn-max,$live,$max" >> "$csv"
    done ;;
esac

echo
echo "Time per alloc+free pair (Google Benchmark, one run; ratios are what to read):"
"$dir/bench/memb_gbench" --benchmark_format=csv 2>/dev/null > "$out/memb_gbench.csv"
awk -F, 'NR > 1 { gsub(/"/, "", $1); t[$1] = $3 }
  END {
    for (live = 1; live <= 10000; live *= 10000) {
      m = t["BM_memb_pair/" live]; r = t["BM_reference_pair/" live]; g = t["BM_malloc_pair/" live]
      printf "  %5d live: omniheap %7.2f ns, reference %9.2f ns, glibc malloc %7.2f ns;", live, m, r, g
      printf "  reference/omniheap %.1fx, malloc/omniheap %.1fx\n", r / m, g / m
    }
  }' "$out/memb_gbench.csv"
awk -F, 'NR > 1 { gsub(/"/, "", $1); print "gbench," $1 ",cpu_time_ns,," $4 }' "$out/memb_gbench.csv" >> "$csv"
echo
echo "written: $csv"
