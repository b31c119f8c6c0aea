#!/bin/sh
# make bench — figures, not pass/fail. Parts (BENCH_PARTS="memb heap k_heap emh memman observe"):
#
# MEMB
#  - callgrind: exact x86-64 instructions per memb_alloc, per memb_free and per
#    pair at -O2, with 1 and with 10,000 blocks live, for omniheap and for a
#    reference with the upstream algorithm (linear scan);
#  - rdpmc: per-call median and maximum where hardware counters are usable;
#  - Google Benchmark: time per pair for omniheap, the reference and glibc
#    malloc/free, and their ratios measured in the same run.
#  Results: a table on stdout and build/bench/memb.csv.
#
# Heaps (issue 3): the SegregatedFit engine called directly, sys_heap and
# heapmem on it, and glibc malloc as the reference, all measured in this run
# with the workloads of issue 3 ("Targets"); the drivers are
# test/bench/heap_*.cpp (heap_subjects.hpp describes the subjects).
#  1. mixed: 10^7 operations (OPS), p = 1/2, always an allocation at 0 live and
#     a free at 2048 live, sizes log-uniform 8..512 B, the freed block uniform
#     among the live ones, 1 MiB region. Instructions per operation = (callgrind
#     total of heap_mixed SUBJECT - total of heap_mixed noop) / OPS: the same
#     program, the same operation sequence, the allocator calls replaced by
#     functions that do nothing (alloc returns a fixed pointer: 2 instructions,
#     free: 1). The difference also contains what the call sites of the API
#     cost (e.g. passing the heap pointer). The same run is repeated with
#     CHECK_OPS = 10^6 operations: the figure is not stable at 10^6 (the
#     number of live blocks is a reflected random walk; after 10^6 operations
#     it has not reached 2048 — it peaks at 925 with seed 1 — so the heap is
#     in other states than over 10^7), and 10^7 stays the figure.
#  2. worst case: heap_worst at regions of 4 KiB, 64 KiB, 1 MiB and 16 MiB:
#     the issue's fragmenting workload (its phases and the "near full" rule
#     are defined in heap_worst.cpp; MIX_OPS mix operations), and Deliver 5's
#     adversarial ones (many small free fragments, then large requests; frees
#     that merge both neighbours); the largest count of any single alloc and
#     free, failed allocations included.
#  3. Monte Carlo utilisation at the first failure (heap_montecarlo: Knuth-
#     style, 128 KiB region, H solved for an expected live demand of 1.5x the
#     region; the long-churn variant; seeds 1..SEEDS), 32-bit and 64-bit.
#  4. space: 16- and 100-byte requests until the first failure, 64 KiB region.
#  5. overhead per block: chunk bytes - requested, mean over the mixed sizes.
#  6. code size on Cortex-M4 (-Os, --gc-sections): flash of a program that
#     calls sys_heap_init/alloc/free minus the same program without the calls
#     (test/bench/size/), default build and OMNIHEAP_CONF_SYS_HEAP_HEADERS=1;
#     and the engine alone.
#  Plus Google Benchmark: time per mixed operation, net of the noop baseline,
#  and the ratios to glibc.
#
# Per-call counts (medians, p99, maxima) — method. Hardware counters
# (perf_event_open + rdpmc, heap_pmc) are used where the machine offers them,
# as a cross-check; where it does not (e.g. perf_event_open: ENOENT in a VM),
# the figures come from callgrind alone, which is exact and deterministic:
# the drivers call the allocator through 512 distinct noinline call sites per
# operation (alloc_site<S, i>, free_site<S, i>) and ask callgrind for a dump
# (CALLGRIND_DUMP_STATS_AT, --combine-dumps=yes) before any site would be used
# a second time. Callgrind keeps, for every call arc, the inclusive cost of
# the calls made through it, so in each dump the arc of a site carries the
# instruction count of exactly one allocator call: from its first
# instruction to its ret, callees included, with no measurement overhead
# (the caller's call instruction and argument set-up are not in it).
# test/bench/cg_percall.cpp collects those counts per phase. In the mixed
# workload every 32nd operation goes through a site (312,500 samples of
# 10^7); in the worst-case workloads every call of the measured phases does.
# Checked once against single-step counting on the CPU itself (trap flag set
# around each call, one SIGTRAP per instruction executed below the caller's
# stack pointer): the same counts, once the 2 instructions of the sequence
# that clears the flag are taken off. Single-stepping is not used here
# because it costs about 7 us per instruction on this machine; a callgrind
# dump per call costs about 10 ms per call; lackey's instruction trace
# carries no call boundaries and is much slower still.
#
# k_heap, contended: alloc/free pairs per second on one shared k_heap
# (k_heap_alloc(K_NO_WAIT) / k_heap_free) and with glibc malloc/free, 1 and 2
# threads each, same workload (sizes 16..256 B, 16 live blocks per thread,
# the oldest freed), KHEAP_SECONDS (1) per run, median of KHEAP_REPS (3) runs;
# the ratios k_heap/glibc and 2T/1T of this run are the figures. Driver:
# test/bench/k_heap_contended.c. Results: a table and build/bench/k_heap_contended.csv.
#
# emh (emh_malloc):
#  - callgrind: exact x86-64 instructions per free+alloc pair at -O2 (10^5
#    pairs minus none, ring of 16 blocks of 16..127 B, 64 KiB region) for
#    sys_heap_alloc/free (the engine through its thinnest API, no lock),
#    emh_malloc/emh_free (lock + tag word), k_heap_alloc/free (lock, no tag)
#    and glibc; the emh overhead over sys_heap as a difference and a ratio.
#    Driver: test/bench/api_pairs.c. Results: build/bench/emh_pairs.csv.
#  - contended: emh_malloc/emh_free pairs per second, 1 thread on heap 0,
#    2 threads on separate heaps (0 and 1), 2 threads on one shared heap (0),
#    and the machine's own 2T/1T with no allocator (the ceiling for separate
#    heaps); k_heap_contended's workload, EMH_SECONDS (0.2) per run, median
#    of EMH_REPS (9) runs; the ratios of this run are the figures. Driver:
#    test/bench/emh_contended.c. Results: build/bench/emh_contended.csv.
#
# Knobs (environment): OPS (10000000), CHECK_OPS (1000000; 0 skips), MIX_OPS
# (50000: operations of the fragmenting mix), SEEDS (20), JOBS (parallel
# callgrind runs and make jobs; default: the number of CPUs), BENCH_PARTS.
# Results: tables on stdout; CSV files and SVG charts in build/bench/.
set -eu
cd "$(dirname "$0")/../.."
MAKE=${MAKE:-make}
out=build/bench
mkdir -p "$out"
started=$(date +%s)
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
BENCH_PARTS=${BENCH_PARTS:-memb heap k_heap emh memman observe}
mk() { $MAKE -s --no-print-directory "$@"; }
dir=$(mk print-config | sed -n 's/^build_dir=//p')

# ---- MEMB ---------------------------------------------------------------------------
memb_part() {
mk -j"$JOBS" "$dir/bench/memb_pairs" "$dir/bench/memb_pmc" "$dir/bench/memb_gbench"
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
}

# ---- heaps ----------------------------------------------------------------------------
OPS=${OPS:-10000000}
CHECK_OPS=${CHECK_OPS:-1000000}
MIX_OPS=${MIX_OPS:-50000}
SEEDS=${SEEDS:-20}
SUBJECTS="engine sys_heap heapmem glibc"
REGIONS="4096 65536 1048576 16777216"
lib=build/bench/lib
cg=$out/cg

# Programs of a library build whose heapmem arena is ARENA bytes (heapmem's
# arena is a build-time constant): hm TARGET ARENA PROGRAM...
hm_dir() { echo "$lib/hm$2/$1/bench"; }
hm() {
  t=$1 a=$2
  shift 2
  d=$(hm_dir "$t" "$a")
  progs=""
  for p in "$@"; do progs="$progs $d/$p"; done
  mk TARGET="$t" BUILD="$lib/hm$a" DEFS="-DOMNIHEAP_CONF_HEAPMEM_ARENA_SIZE=$a" $progs
}

# Number with thousands separators.
th() { echo "$1" | awk '{ s = $1; r = ""; while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) } print s r }'; }

heap_part() {
if ! command -v valgrind > /dev/null 2>&1; then
  echo "heaps: valgrind not installed (apt-get install valgrind) — instruction counts skipped"
fi
echo
echo "Building the heap benchmark programs (one library per heapmem arena size; 32-bit: TARGET=host32)..."
mk -j"$JOBS" "$dir/bench/cg_percall"
# Independent builds (separate BUILD directories), JOBS at a time.
pids=""
n=0
build_failed=0
for spec in "host 4096 heap_worst" "host 65536 heap_worst heap_space" "host 131072 heap_montecarlo" \
  "host 1048576 heap_mixed heap_worst heap_gbench heap_pmc" "host 16777216 heap_worst" \
  "host32 65536 heap_space" "host32 131072 heap_montecarlo"; do
  # shellcheck disable=SC2086
  hm $spec > "$out/build-$n.log" 2>&1 &
  pids="$pids $!"
  n=$((n + 1))
  if [ $((n % JOBS)) -eq 0 ]; then
    for p in $pids; do wait "$p" || build_failed=1; done
    pids=""
  fi
done
for p in $pids; do wait "$p" || build_failed=1; done
if [ $build_failed -ne 0 ]; then
  cat "$out"/build-*.log >&2
  echo "make bench: a heap benchmark build failed (32-bit builds need gcc-multilib and g++-multilib)" >&2
  exit 1
fi
rm -f "$out"/build-*.log
m1=$(hm_dir host 1048576)

# Times first, on a quiet machine (Google Benchmark).
# Five repetitions, interleaved; the table reads the medians.
"$m1/heap_gbench" --benchmark_format=csv --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true \
  --benchmark_report_aggregates_only=true 2>/dev/null > "$out/heap_gbench.csv" || true
pmc=$("$m1/heap_pmc" 2>/dev/null || echo "rdpmc,unavailable,heap_pmc failed")

# Callgrind runs, JOBS at a time, longest first.
rm -rf "$cg"
mkdir -p "$cg"
{
  for s in noop $SUBJECTS; do echo "$cg mixed-$s-$OPS all $m1/heap_mixed $s $OPS 32"; done
  for s in $SUBJECTS; do echo "$cg worst-$s-16777216 sites $(hm_dir host 16777216)/heap_worst $s 16777216 $MIX_OPS"; done
  if [ "$CHECK_OPS" -gt 0 ] && [ "$CHECK_OPS" -ne "$OPS" ]; then
    for s in noop $SUBJECTS; do echo "$cg mixed-$s-$CHECK_OPS all $m1/heap_mixed $s $CHECK_OPS 32"; done
  fi
  for r in 1048576 65536 4096; do
    for s in $SUBJECTS; do echo "$cg worst-$s-$r sites $(hm_dir host $r)/heap_worst $s $r $MIX_OPS"; done
  done
} > "$out/cg-jobs.txt"
if command -v valgrind > /dev/null 2>&1; then
  echo "Running $(wc -l < "$out/cg-jobs.txt") callgrind jobs, $JOBS at a time..."
  CG_PERCALL="$dir/bench/cg_percall" xargs -P "$JOBS" -L 1 sh test/bench/cg_job.sh < "$out/cg-jobs.txt"
fi

# Native runs: Monte Carlo and space, 64-bit and 32-bit.
mc_csv=$out/heap_montecarlo.csv
echo "subject,mode,bits,seed,steps,live_blocks,live_bytes,utilisation,H,failed_request" > "$mc_csv"
for t in host host32; do
  for s in $SUBJECTS; do
    for mode in knuth churn; do
      "$(hm_dir $t 131072)/heap_montecarlo" $s $mode 131072 1 "$SEEDS" >> "$mc_csv"
    done
  done
done
space_csv=$out/heap_space.csv
over_csv=$out/heap_overhead.csv
echo "subject,bits,request,blocks,fraction_of_64KiB" > "$space_csv"
echo "subject,bits,mean_request,mean_chunk,mean_overhead" > "$over_csv"
for t in host32 host; do
  for s in $SUBJECTS; do
    "$(hm_dir $t 65536)/heap_space" $s 65536 > "$out/space.tmp"
    sed -n 's/^fill,//p' "$out/space.tmp" >> "$space_csv"
    sed -n 's/^overhead,//p' "$out/space.tmp" >> "$over_csv"
  done
done
rm -f "$out/space.tmp"

# Code size on Cortex-M4.
size_csv=$out/heap_codesize.csv
echo "what,build,program_flash_with,program_flash_without,delta_flash,library_flash_linked,engine_flash_linked" > "$size_csv"
code_size

# ---- CSV files from the callgrind runs ----
mixed_csv=$out/heap_mixed.csv
echo "subject,ops,total_instructions,instructions_per_op,alloc_samples,alloc_median,alloc_p99,alloc_max,alloc_mean,free_samples,free_median,free_p99,free_max,free_mean,failures,peak_live" > "$mixed_csv"
counts=$OPS
if [ "$CHECK_OPS" -gt 0 ] && [ "$CHECK_OPS" -ne "$OPS" ]; then counts="$OPS $CHECK_OPS"; fi
for n in $counts; do
  base=$(sed -n 's/^total=//p' "$cg/mixed-noop-$n.out" 2>/dev/null || echo 0)
  for s in noop $SUBJECTS; do
    f=$cg/mixed-$s-$n
    [ -f "$f.out" ] || continue
    total=$(sed -n 's/^total=//p' "$f.out")
    fails=$(sed -n 's/.*failures=\([0-9]*\).*/\1/p' "$f.out")
    peak=$(sed -n 's/.*peak_live=\([0-9]*\).*/\1/p' "$f.out")
    cat "$f.percall" 2>/dev/null | awk -F, -v s=$s -v n=$n -v t="$total" -v b="$base" -v fl="${fails:-?}" -v pk="${peak:-?}" '
      $1 == "mixed:*" { c[$2] = $3 "," $4 "," $5 "," $6 "," $7 }
      END {
        if (!("alloc" in c)) c["alloc"] = ",,,,"
        if (!("free" in c)) c["free"] = ",,,,"
        printf "%s,%s,%s,%.2f,%s,%s,%s,%s\n", s, n, t, (t - b) / n, c["alloc"], c["free"], fl, pk
      }' >> "$mixed_csv"
  done
done
worst_csv=$out/heap_worst.csv
runs_csv=$out/heap_worst_runs.csv
echo "subject,region,label,op,calls,median,p99,max,mean" > "$worst_csv"
echo "subject,region,allocs,frees,failures,full_fraction,mix_fraction,valid,status" > "$runs_csv"
for r in $REGIONS; do
  for s in $SUBJECTS; do
    f=$cg/worst-$s-$r
    [ -f "$f.percall" ] || continue
    awk -F, -v s=$s -v r=$r '{ print s "," r "," $0 }' "$f.percall" >> "$worst_csv"
    # the driver's summary line: subject=... region=... allocs=... (and status= from cg_job.sh)
    awk '/^subject=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
      /^status=/ { split($0, kv, "="); st = kv[2] }
      END { printf "%s,%s,%s,%s,%s,%s,%s,%s,%s\n", v["subject"], v["region"], v["allocs"], v["frees"],
              v["failures"], v["full_fraction"], v["mix_fraction"], v["valid"], st }' "$f.out" >> "$runs_csv"
  done
done
awk -F, -v chart=mixed -f test/bench/heap_svg.awk "$mixed_csv" > "$out/heap_mixed.svg"
awk -F, -v chart=worst -f test/bench/heap_svg.awk "$worst_csv" > "$out/heap_worst.svg"

heap_tables "$pmc"
}

# ---- code size (item 6) -----------------------------------------------------------------
# link_flash NAME CC FLAGS... — links, prints "flash library engine" of the result.
code_size() {
  cc=$(mk TARGET=cortex-m4f print-config | sed -n 's/^cc=//p')
  if ! command -v "$cc" > /dev/null 2>&1; then
    echo "code size: $cc not found (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi) — skipped"
    return 0
  fi
  cpu=$(mk TARGET=cortex-m4f print-config | sed -n 's/^cpu_flags=//p')
  opt=$(mk TARGET=cortex-m4f print-config | sed -n 's/^opt=//p')
  cxxflags=$(mk TARGET=cortex-m4f print-config | sed -n 's/^core_cxxflags=//p')
  mdir=$(mk TARGET=cortex-m4f print-config | sed -n 's/^build_dir=//p')
  mk -j"$JOBS" TARGET=cortex-m4f lib
  mk -j"$JOBS" TARGET=cortex-m4f DEFS=-DOMNIHEAP_CONF_SYS_HEAP_HEADERS=1 BUILD=build/size-small lib
  sdir=build/size-small/cortex-m4f
  size=${cc%gcc}size
  sz=$out/size
  rm -rf "$sz"
  mkdir -p "$sz"
  # CFLAGS of the probes: the target's, as `make TARGET=cortex-m4f` uses them.
  pflags="$cpu $opt -std=c11 -ffunction-sections -fdata-sections -Iapi/zephyr -Iapi/omniheap"
  lflags="--specs=nano.specs --specs=nosys.specs -Wl,--gc-sections"
  flash() { $size "$1" | awk 'NR == 2 { print $1 + $2 }'; }
  # library and engine bytes (flash sections) that the map says were linked
  linked() { awk -f test/bench/mapsec.awk "$1" | awk -v pat="$2" '
      $2 !~ /^\.bss/ && $3 ~ pat { all += $1; if ($2 ~ /SegregatedFit/) eng += $1 }
      END { printf "%d %d\n", all, eng }'; }
  # shellcheck disable=SC2086
  $cc $pflags -I$mdir/include -DCALLS=0 test/bench/size/sys_heap_iaf.c $lflags -o "$sz/none.elf"
  without=$(flash "$sz/none.elf")
  for b in default small; do
    if [ $b = default ]; then l=$mdir; else l=$sdir; fi
    # shellcheck disable=SC2086
    $cc $pflags -I$l/include -DCALLS=1 test/bench/size/sys_heap_iaf.c $l/libomniheap.a $lflags \
      -Wl,-Map,"$sz/sys_heap-$b.map" -o "$sz/sys_heap-$b.elf"
    with=$(flash "$sz/sys_heap-$b.elf")
    set -- $(linked "$sz/sys_heap-$b.map" libomniheap)
    echo "sys_heap init+alloc+free,$b,$with,$without,$((with - without)),$1,$2" >> "$size_csv"
  done
  for layout in 1 2; do
    # shellcheck disable=SC2086
    ${cc%gcc}g++ $cxxflags -DLAYOUT=$layout -Icore -c test/bench/size/engine_iaf.cpp -o "$sz/engine$layout.o"
    # shellcheck disable=SC2086
    $cc $pflags -DCALLS=1 test/bench/size/engine_main.c "$sz/engine$layout.o" $lflags \
      -Wl,-Map,"$sz/engine$layout.map" -o "$sz/engine$layout.elf"
    with=$(flash "$sz/engine$layout.elf")
    set -- $(linked "$sz/engine$layout.map" "engine$layout.o")
    if [ $layout = 1 ]; then b="4-byte headers"; else b="8-byte headers"; fi
    echo "engine init+alloc+free,$b,$with,$without,$((with - without)),$1,$2" >> "$size_csv"
  done
}

# ---- the tables ---------------------------------------------------------------------------
heap_tables() {
pmc=$1
echo
echo "HEAPS (issue 3) — engine: SegregatedFit called directly; sys_heap, heapmem: the APIs on it;"
echo "glibc: malloc/free, the reference. Targets are issue 3's. All figures from this run."
echo
echo "1. Mixed workload: $(th "$OPS") operations, 1 MiB region, sizes 8..512 B log-uniform, <= 2048 live"
echo "   (x86-64 instructions at -O2, callgrind; per call: sampled 1 in 32, exact counts)"
awk -F, -v ops="$OPS" -v chk="$CHECK_OPS" -v subs="$SUBJECTS" '
  FILENAME ~ /mixed.csv$/ && FNR > 1 { k = $1 SUBSEP $2; po[k] = $4; am[k] = $6; a99[k] = $7; ax[k] = $8
    fm[k] = $11; f99[k] = $12; fx[k] = $13; fl[k] = $15; pk[$2] = $16 }
  FILENAME ~ /gbench.csv$/ && FNR > 1 { gsub(/"/, "", $1)
    if ($1 ~ /_median$/) { sub(/_median$/, "", $1); if ($3 != "") { t[$1] = $3; med[$1] = 1 } }
    else if ($1 !~ /_(mean|stddev|cv)$/ && !($1 in med) && $3 != "") t[$1] = $3 }
  END {
    n = split(subs, s, " ")
    printf "   %-40s", ""; for (i = 1; i <= n; i++) printf " %11s", s[i]; printf "   %s\n", "target"
    printf "   %-40s", "instructions/op ((total - noop) / ops)"
    for (i = 1; i <= n; i++) printf " %11s", po[s[i], ops]; printf "   <= 40\n"
    if (chk > 0 && chk != ops) {
      printf "   %-40s", "  the same with " chk " ops"
      for (i = 1; i <= n; i++) printf " %11s", po[s[i], chk]
      printf "\n   %-40s peak live blocks: %s with %s ops, %s with %s\n", "", pk[chk], chk, pk[ops], ops
    }
    printf "   %-40s", "alloc: median / p99"
    for (i = 1; i <= n; i++) printf " %11s", am[s[i], ops] "/" a99[s[i], ops]; printf "\n"
    printf "   %-40s", "free:  median / p99"
    for (i = 1; i <= n; i++) printf " %11s", fm[s[i], ops] "/" f99[s[i], ops]; printf "\n"
    printf "   %-40s", "largest sampled alloc / free"
    for (i = 1; i <= n; i++) printf " %11s", ax[s[i], ops] "/" fx[s[i], ops]; printf "\n"
    printf "   %-40s", "failed allocations"
    for (i = 1; i <= n; i++) printf " %11s", fl[s[i], ops]; printf "\n"
    noop = t["mixed/noop"]
    printf "   %-40s", "ns/op (gbench median, minus noop " sprintf("%.1f", noop) ")"
    for (i = 1; i <= n; i++) { v = t["mixed/" s[i]]; printf " %11s", v == "" ? "-" : sprintf("%.1f", v - noop) }
    printf "\n   %-40s", "time relative to glibc"
    g = t["mixed/glibc"] - noop
    for (i = 1; i <= n; i++) { v = t["mixed/" s[i]]; printf " %11s", v == "" || g <= 0 ? "-" : sprintf("%.2fx", (v - noop) / g) }
    printf "\n"
  }' "$out/heap_mixed.csv" "$out/heap_gbench.csv"
case $pmc in
  rdpmc,unavailable,*)
    echo "   rdpmc per-call counts: unavailable on this machine (${pmc#rdpmc,unavailable,}); the per-call"
    echo "   figures above come from callgrind alone" ;;
  *)
    echo "   rdpmc (hardware, every call of 10^6 ops; subject,op,calls,median,p99,max):"
    echo "$pmc" | sed 's/^rdpmc,/     /' ;;
esac

echo
echo "2. Worst case: the largest instruction count of any single call (callgrind, exact per call)"
awk -F, -v subs="$SUBJECTS" -v regs="$REGIONS" -v mix="$MIX_OPS" '
  FILENAME ~ /runs.csv$/ && FNR > 1 { ff[$1, $2] = $6; mf[$1, $2] = $7; next }
  FNR > 1 { m[$1, $2, $3, $4] = $8; c[$1, $2, $3, $4] = $5 }
  function rname(r) { return r >= 1048576 ? r / 1048576 " MiB" : r / 1024 " KiB" }
  function block(title, label, op, target,   i, j) {
    print "   " title
    printf "   %-14s", "region"; for (i = 1; i <= ns; i++) printf " %11s", s[i]; printf "   target\n"
    for (j = 1; j <= nr; j++) {
      printf "   %-14s", rname(r[j])
      for (i = 1; i <= ns; i++) { v = m[s[i], r[j], label, op]; printf " %11s", v == "" ? "-" : v }
      printf "   %s\n", target
    }
    printf "   %-14s", "16M / 4K"
    for (i = 1; i <= ns; i++) {
      a = m[s[i], r[1], label, op]; b = m[s[i], r[nr], label, op]
      printf " %11s", a == "" || b == "" || a == 0 ? "-" : sprintf("%.2fx", b / a)
    }
    printf "\n"
  }
  END {
    ns = split(subs, s, " "); nr = split(regs, r, " ")
    print "   fragmenting workload: fill 40% with 16..64 B, free every other, allocate to full, then"
    print "   " mix " ops of 48% small / 2% large (256 B..8 KiB) allocations and 50% frees, near full"
    printf "   %-14s", "live in mix"
    for (i = 1; i <= ns; i++) printf " %11s", s[i]
    printf "\n"
    for (j = 1; j <= nr; j++) {
      printf "   %-14s", "  " rname(r[j])
      for (i = 1; i <= ns; i++) printf " %11s", mf[s[i], r[j]] == "" ? "-" : sprintf("%.2f/%.2f", mf[s[i], r[j]], ff[s[i], r[j]])
      printf "\n"
    }
    print "   (mean live requested bytes during the mix / the level F where the heap was full, as"
    print "   fractions of the region; a free is drawn as an allocation while live < F / 2)"
    block("largest alloc (all four phases)", "frag:*", "alloc", "<= 100")
    block("largest free (all four phases)", "frag:*", "free", "<= 80")
    block("many small free fragments, then 400 large requests: largest alloc", "fragments:*", "alloc", "")
    block("frees that merge both neighbours: largest free", "merge:*", "free", "")
    printf "   (largest per phase, medians and p99: build/bench/heap_worst.csv)\n"
  }' "$out/heap_worst_runs.csv" "$out/heap_worst.csv"

echo
h=$(awk -F, 'NR > 1 && $2 == "knuth" { print $9; exit }' "$out/heap_montecarlo.csv")
echo "3. Monte Carlo utilisation at the first failed allocation: 128 KiB region, mean over seeds 1..$SEEDS"
echo "   (min..max); Knuth: H = $h steps, so that E[size] * E[ceil(lifetime)] = 1.5 x region;"
echo "   long churn: the demand target rises from 0.25x to 1.5x over 40,000 steps"
awk -F, -v subs="$SUBJECTS" '
  FNR > 1 { k = $1 SUBSEP $2 SUBSEP $3; n[k]++; u[k] += $8
    if (!(k in lo) || $8 < lo[k]) lo[k] = $8; if (!(k in hi) || $8 > hi[k]) hi[k] = $8 }
  END {
    ns = split(subs, s, " ")
    printf "   %-20s", ""; for (i = 1; i <= ns; i++) printf " %17s", s[i] (s[i] == "glibc" ? "*" : ""); printf "   target\n"
    split("knuth churn", md, " ")
    for (m = 1; m <= 2; m++) for (b = 32; b <= 64; b += 32) {
      printf "   %-20s", (md[m] == "knuth" ? "Knuth" : "long churn") ", " b "-bit"
      for (i = 1; i <= ns; i++) { k = s[i] SUBSEP md[m] SUBSEP b
        printf " %17s", n[k] ? sprintf("%.3f (%.2f..%.2f)", u[k] / n[k], lo[k], hi[k]) : "-" }
      printf "   %s\n", b == 32 ? (md[m] == "knuth" ? ">= 0.91" : ">= 0.80") : ""
    }
  }' "$out/heap_montecarlo.csv"
echo "   * glibc has no region: its allocation fails when the live blocks' malloc_usable_size + 16"
echo "     would exceed 128 KiB, so only per-block overhead counts, not fragmentation."
echo "   heapmem: the region is its arena (OMNIHEAP_CONF_HEAPMEM_ARENA_SIZE); its control block is extra."

echo
echo "4. Space: fraction of a 64 KiB region filled with requests of one size until the first failure"
awk -F, -v subs="$SUBJECTS" '
  FNR > 1 { f[$1, $2, $3] = $5 }
  END {
    ns = split(subs, s, " ")
    printf "   %-20s", ""; for (i = 1; i <= ns; i++) printf " %11s", s[i]; printf "   target\n"
    for (q = 1; q <= 2; q++) { req = q == 1 ? 16 : 100
      for (b = 32; b <= 64; b += 32) {
        printf "   %-20s", req "-byte, " b "-bit"
        for (i = 1; i <= ns; i++) printf " %11s", f[s[i], b, req] == "" ? "-" : sprintf("%.3f", f[s[i], b, req])
        printf "   %s\n", b == 32 ? (req == 16 ? ">= 0.667" : ">= 0.96") : ""
      }
    }
  }' "$out/heap_space.csv"

echo
mreq=$(awk -F, 'NR == 2 { print $3 }' "$out/heap_overhead.csv")
echo "5. Overhead per block: chunk bytes - requested bytes, mean over the mixed workload's sizes"
echo "   (mean request $mreq B; glibc: malloc_usable_size + sizeof(size_t), its real chunk size)"
awk -F, -v subs="$SUBJECTS" '
  FNR > 1 { o[$1, $2] = $5; c[$1, $2] = $4 }
  END {
    ns = split(subs, s, " ")
    printf "   %-20s", ""; for (i = 1; i <= ns; i++) printf " %11s", s[i]; printf "\n"
    for (b = 32; b <= 64; b += 32) {
      printf "   %-20s", "bytes, " b "-bit"
      for (i = 1; i <= ns; i++) printf " %11s", o[s[i], b] == "" ? "-" : o[s[i], b]
      printf "\n"
    }
  }' "$out/heap_overhead.csv"

echo
echo "6. Code size, Cortex-M4 (arm-none-eabi, -Os, --gc-sections): flash (.text + .rodata + .data)"
if [ "$(wc -l < "$out/heap_codesize.csv")" -gt 1 ]; then
  awk -F, 'NR > 1 {
      if (!hdr) { printf "   %-46s %10s %10s %10s   %s\n", "", "program +", "library", "engine", "target"; hdr = 1 }
      printf "   %-46s %10s %10s %10s   %s\n", $1 " (" $2 ")", $5, ($1 ~ /^engine/ ? "-" : $6), $7, "<= 1126"
    }' "$out/heap_codesize.csv"
  echo "   program +: flash of a program calling init, alloc and free minus the same program without"
  echo "   the calls (C library and libgcc code they pull in included); library: the library's sections"
  echo "   in the linker map; engine: SegregatedFit's sections among them."
  echo "   (default) is the library as built by make TARGET=cortex-m4f (both header layouts); (small):"
  echo "   make TARGET=cortex-m4f DEFS=-DOMNIHEAP_CONF_SYS_HEAP_HEADERS=1 BUILD=build/size-small"
fi

echo
echo "written: $out/heap_mixed.csv $out/heap_worst.csv $out/heap_worst_runs.csv $out/heap_montecarlo.csv"
echo "         $out/heap_space.csv $out/heap_overhead.csv $out/heap_codesize.csv $out/heap_gbench.csv"
echo "         $out/heap_mixed.svg $out/heap_worst.svg"
}

# ---- k_heap, contended ------------------------------------------------------------------
# Exact callgrind instructions per free+alloc pair of an API
# (test/bench/api_pairs.c): the run with N pairs minus the run with none,
# divided by N, to one decimal. Fails (prints nothing) if the driver fails.
pair_cost() { # pair_cost API N
  "$dir/bench/api_pairs" "$1" "$2" || return 1
  base=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$dir/bench/api_pairs" "$1" 0 2>&1 | sed -n 's/.*Collected : //p')
  full=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$dir/bench/api_pairs" "$1" "$2" 2>&1 | sed -n 's/.*Collected : //p')
  awk -v a="$base" -v b="$full" -v n="$2" 'BEGIN { printf "%.1f", (b - a) / n }'
}

k_heap_part() {
mk -j"$JOBS" "$dir/bench/k_heap_contended" "$dir/bench/api_pairs"
echo
"$dir/bench/k_heap_contended" "${KHEAP_SECONDS:-1}" "${KHEAP_REPS:-3}" "$out/k_heap_contended.csv"
# Single thread, exact: callgrind instructions per free+alloc pair.
if command -v valgrind >/dev/null 2>&1; then
  echo
  echo "k_heap, one thread: x86-64 instructions per free+alloc pair (callgrind, 10^5 pairs, ring of 16 blocks of 16..127 B)"
  echo "api,instructions_per_pair" > "$out/k_heap_pairs.csv"
  for name in k_heap sys_heap k_malloc glibc; do
    per=$(pair_cost $name 100000) || { echo "  $name: api_pairs failed"; continue; }
    printf '  %-10s %8s\n' "$name" "$per"
    echo "$name,$per" >> "$out/k_heap_pairs.csv"
  done
  echo "written: $out/k_heap_pairs.csv"
fi
}

# ---- listeners ----------------------------------------------------------------------------
# What the listener machinery costs a heap: exact callgrind instructions per
# free+alloc pair on sys_heap with no listener, with a listener on another
# heap (the call builds its event, nobody takes it), with a threshold
# listener that crosses, and with the trace recorder.
observe_part() {
mk -j"$JOBS" "$dir/bench/api_pairs"
if command -v valgrind >/dev/null 2>&1; then
  echo
  echo "listeners, one thread: x86-64 instructions per free+alloc pair on sys_heap (callgrind, 10^5 pairs, ring of 16 blocks of 16..127 B)"
  csv=$out/observe_pairs.csv
  echo "metric,config,value" > "$csv"
  for name in sys_heap sys_heap+idle sys_heap+threshold sys_heap+trace; do
    per=$(pair_cost "$name" 100000) || { echo "  $name: api_pairs failed"; continue; }
    printf '  %-20s %8s\n' "$name" "$per"
    echo "instructions_per_pair,$name,$per" >> "$csv"
  done
  awk -F, '$1 == "instructions_per_pair" { v[$2] = $3 }
    END {
      if (!("sys_heap" in v)) exit
      for (k in v) if (k != "sys_heap") {
        printf "  %s over no listener: +%.1f instructions per pair (%.2fx)\n", k, v[k] - v["sys_heap"], v[k] / v["sys_heap"]
        printf "ratio_over_sys_heap,%s,%.3f\n", k, v[k] / v["sys_heap"] >> FILENAME
      }
    }' "$csv"
  echo "written: $csv"
else
  echo "listener costs: valgrind not installed (apt-get install valgrind) — skipped"
fi
}

# ---- emh_malloc ----------------------------------------------------------------------------
emh_part() {
mk -j"$JOBS" "$dir/bench/emh_contended" "$dir/bench/api_pairs"
echo
# Both emh heaps of the default build are created once and shared by every
# configuration (heaps cannot be destroyed); a failed allocation or a heap
# check that does not pass makes the driver fail.
"$dir/bench/emh_contended" "${EMH_SECONDS:-0.2}" "${EMH_REPS:-9}" "$out/emh_contended.csv" ||
  echo "  emh_contended: allocation failures or a heap check failed (see above)"
# Single thread, exact: callgrind instructions per free+alloc pair
# (pair_cost: test/bench/api_pairs.c).
if command -v valgrind >/dev/null 2>&1; then
  echo
  echo "emh, one thread: x86-64 instructions per free+alloc pair (callgrind, 10^5 pairs, ring of 16 blocks of 16..127 B, 64 KiB)"
  csv=$out/emh_pairs.csv
  echo "metric,api,value" > "$csv"
  n=100000
  for name in sys_heap emh k_heap glibc; do
    case $name in
      sys_heap) what="engine, no lock" ;;
      emh) what="lock + tag" ;;
      k_heap) what="lock, no tag" ;;
      glibc) what="reference" ;;
    esac
    per=$(pair_cost $name $n) || { echo "  $name: api_pairs failed"; continue; }
    printf '  %-10s %8s   (%s)\n' "$name" "$per" "$what"
    echo "instructions_per_pair,$name,$per" >> "$csv"
  done
  awk -F, '$1 == "instructions_per_pair" { v[$2] = $3 }
    END {
      if (!("emh" in v) || !("sys_heap" in v)) exit
      printf "  emh over sys_heap: +%.1f instructions per pair (%.2fx)", v["emh"] - v["sys_heap"], v["emh"] / v["sys_heap"]
      if ("k_heap" in v) printf "; over k_heap: +%.1f (%.2fx)", v["emh"] - v["k_heap"], v["emh"] / v["k_heap"]
      printf "\n"
      printf "overhead_over_sys_heap,emh,%.1f\nratio_over_sys_heap,emh,%.3f\n", v["emh"] - v["sys_heap"], v["emh"] / v["sys_heap"] >> FILENAME
      if ("k_heap" in v) printf "overhead_over_k_heap,emh,%.1f\nratio_over_k_heap,emh,%.3f\n", v["emh"] - v["k_heap"], v["emh"] / v["k_heap"] >> FILENAME
    }' "$csv"
  echo "written: $csv $out/emh_contended.csv"
else
  echo "emh instructions per pair: valgrind not installed (apt-get install valgrind) — skipped"
fi
}

# ---- memman: ffit, buddy, ebuddy ---------------------------------------------------------
# 1. ffit's cost against the number of free fragments (test/bench/ffit_fragments.c):
#    callgrind instructions per get+free pair with 10, 1000 and 100000 fragments.
# 2. Mixed workload (heap_mixed, the engine issue's): instructions per operation
#    (callgrind total minus the noop baseline, over the operations).
# 3. Monte Carlo utilisation at the first failure (heap_montecarlo, 128 KiB,
#    seeds 1..20, Knuth and long churn), 64-bit build.
memman_part() {
mk -j"$JOBS" "$dir/bench/ffit_fragments" "$dir/bench/heap_mixed" "$dir/bench/heap_montecarlo"
csv=$out/memman.csv
echo "metric,subject,parameter,value" > "$csv"
if command -v valgrind >/dev/null 2>&1; then
  echo
  echo "ffit: x86-64 instructions per get_block+free_block pair against the number of free fragments (callgrind, 1000 pairs)"
  printf '  %-10s %12s %14s\n' fragments "16 B (lowest)" "4 KiB (top)"
  for n in 10 1000 100000; do
    row=""
    for w in small large; do
      a=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$dir/bench/ffit_fragments" $n 0 $w 2>&1 | sed -n 's/.*Collected : //p')
      b=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$dir/bench/ffit_fragments" $n 1000 $w 2>&1 | sed -n 's/.*Collected : //p')
      per=$(( (b - a) / 1000 ))
      row="$row $per"
      echo "ffit_pair_instructions,ffit,$n-$w,$per" >> "$csv"
    done
    set -- $row
    printf '  %-10s %12s %14s\n' "$n" "$1" "$2"
  done
  echo
  ops=${MEMMAN_OPS:-1000000}
  echo "mixed workload (1 MiB, 8..512 B): x86-64 instructions per operation (callgrind, $ops operations)"
  base=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$dir/bench/heap_mixed" noop $ops 0 2>&1 | sed -n 's/.*Collected : //p')
  for s in engine ffit buddy ebuddy; do
    t=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$dir/bench/heap_mixed" $s $ops 0 2>&1 | sed -n 's/.*Collected : //p')
    per=$(awk -v a="$base" -v b="$t" -v n="$ops" 'BEGIN { printf "%.1f", (b - a) / n }')
    printf '  %-10s %8s\n' "$s" "$per"
    echo "mixed_instructions_per_op,$s,$ops,$per" >> "$csv"
  done
else
  echo "memman instruction counts: valgrind not installed (apt-get install valgrind) — skipped"
fi
echo
echo "Monte Carlo utilisation at the first failure (128 KiB, seeds $SEEDS, 64-bit): mean"
printf '  %-10s %8s %8s\n' subject knuth churn
for s in engine ffit buddy ebuddy; do
  row=""
  for mode in knuth churn; do
    u=$("$dir/bench/heap_montecarlo" $s $mode 131072 1 "$SEEDS" | awk -F, '{ u += $8; n++ } END { if (n) printf "%.3f", u / n }')
    row="$row $u"
    echo "montecarlo_utilisation,$s,$mode,$u" >> "$csv"
  done
  set -- $row
  printf '  %-10s %8s %8s\n' "$s" "$1" "$2"
done
# ebuddy against buddy: steps until the first failure, seed by seed.
"$dir/bench/heap_montecarlo" buddy knuth 131072 1 "$SEEDS" > "$out/mc-buddy.tmp"
"$dir/bench/heap_montecarlo" ebuddy knuth 131072 1 "$SEEDS" > "$out/mc-ebuddy.tmp"
paste -d, "$out/mc-buddy.tmp" "$out/mc-ebuddy.tmp" | awk -F, '{ if ($15 > $5) l++; else if ($15 == $5) s++; else e++ }
  END { printf "  ebuddy vs buddy (same hs), steps to the first failure: later on %d seeds, the same on %d, earlier on %d\n", l, s, e }' | tee -a "$out/memman.txt"
rm -f "$out/mc-buddy.tmp" "$out/mc-ebuddy.tmp"
echo "written: $csv"
}

for part in $BENCH_PARTS; do
  case $part in
    memb) memb_part ;;
    heap) heap_part ;;
    k_heap) k_heap_part ;;
    emh) emh_part ;;
    memman) memman_part ;;
    observe) observe_part ;;
    *) echo "make bench: unknown part '$part' (memb, heap, k_heap, emh, memman, observe)" >&2; exit 2 ;;
  esac
done
echo
echo "make bench: $(($(date +%s) - started)) s"
