#!/bin/sh
# The trace recorder (omniheap.h: omniheap_trace_start/stop) writes what
# omniheap-sim replays: a small host program records a random workload on a
# sys_heap, and one on every heap (sys_heap, MEMB, MMT with 0-byte
# requests); the files must have the documented format (a '#' comment line,
# then "a <id> <size>" / "f <id>", sizes >= 1, frees only of live ids, an
# allocation never of a live id: a realloc is "a new, f old", or "f, a" in
# place), and `omniheap-sim --dist trace:FILE` must replay each of them
# against every family to the end of the trace and exit 0.
. "$(dirname "$0")/checks.inc"

build_dir=$(config host build_dir)
cc=$(config host cc)
port_libs=$(config host port_libs)
SIM=$build_dir/omniheap-sim
REGION=65536

if ! $MAKE -s --no-print-directory -j2 TARGET=host lib sim > "$WORK/make.log" 2>&1; then
  fail "the library and omniheap-sim build" "$(tail -n 20 "$WORK/make.log")"
  summary
  exit
fi

cat > "$WORK/record.c" <<'EOF'
/* Records two traces: argv[1] a sys_heap workload, argv[2] every heap. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <omniheap.h>
#include <zephyr/sys/sys_heap.h>
#include "lib/memb.h"
#include "memory.h"
#include "mmt_core.h"

static unsigned char mem[64 * 1024] __attribute__((aligned(8)));
static struct sys_heap heap;
MEMB(rec_pool, uint32_t, 8);

static unsigned long lines, allocs, write_calls, bad_writes;

static void to_file(const char *text, size_t length, void *context) {
  ++write_calls;
  if (length == 0 || text[length - 1] != '\n') ++bad_writes;
  fwrite(text, 1, length, (FILE *)context);
}

static uint32_t rng = 12345u;
static uint32_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

#define SLOTS 48
static void *slot[SLOTS];
static size_t size_of[SLOTS];

/* n random operations on the sys_heap; counts the lines they must give. */
static int workload(unsigned n) {
  unsigned i;
  for (i = 0; i < n; ++i) {
    unsigned k = next() % SLOTS;
    uint32_t r = next();
    if (slot[k] == NULL) {
      size_t sz = 1 + r % 600;
      slot[k] = sys_heap_alloc(&heap, sz);
      if (slot[k] == NULL) return 1;
      size_of[k] = sz;
      ++lines;
      ++allocs;
    } else if (r % 3 == 0) {
      sys_heap_free(&heap, slot[k]);
      slot[k] = NULL;
      ++lines;
    } else {
      size_t sz = 1 + (r >> 4) % 900;
      void *q = sys_heap_realloc(&heap, slot[k], sz);
      if (q == NULL) return 1;
      slot[k] = q;
      size_of[k] = sz;
      lines += 2; /* the allocation and the free of a realloc */
      ++allocs;
    }
  }
  return 0;
}

static void drain(void) {
  unsigned k;
  for (k = 0; k < SLOTS; ++k) {
    if (slot[k] != NULL) {
      sys_heap_free(&heap, slot[k]);
      slot[k] = NULL;
      ++lines;
    }
  }
}

int main(int argc, char **argv) {
  omniheap_trace_t t;
  FILE *f;
  void *z, *m;
  unsigned long before;
  if (argc != 3) return 2;
  sys_heap_init(&heap, mem, sizeof mem);
  memb_init(&rec_pool);

  /* 1: the sys_heap alone */
  f = fopen(argv[1], "w");
  if (f == NULL) return 2;
  if (omniheap_trace_start(&t, omniheap_heap_find(&heap), to_file, f) != OMNIHEAP_OK) return 3;
  if (workload(3000) != 0) return 4;
  drain();
  if (omniheap_trace_stop(&t) != OMNIHEAP_OK) return 5;
  if (t.lines != lines) return 6;
  printf("sys_heap lines=%lu allocs=%lu\n", (unsigned long)t.lines, allocs);
  before = write_calls;
  if (workload(50) != 0) return 4; /* not recorded */
  drain();
  if (write_calls != before) return 7;
  fclose(f);

  /* 2: every heap */
  lines = allocs = 0;
  f = fopen(argv[2], "w");
  if (f == NULL) return 2;
  if (omniheap_trace_start(&t, NULL, to_file, f) != OMNIHEAP_OK) return 3;
  z = mmt_malloc(0); /* written with size 1 */
  m = memb_alloc(&rec_pool);
  lines += 2;
  allocs += 2;
  if (z == NULL || m == NULL) return 8;
  if (workload(1000) != 0) return 4;
  z = mmt_realloc(z, 300);
  lines += 2;
  ++allocs;
  if (z == NULL) return 8;
  drain();
  mmt_free(z);
  memb_free(&rec_pool, m);
  lines += 2;
  if (omniheap_trace_stop(&t) != OMNIHEAP_OK) return 5;
  if (t.lines != lines) return 6;
  fclose(f);
  printf("all lines=%lu allocs=%lu\n", (unsigned long)t.lines, allocs);
  return bad_writes == 0 ? 0 : 9;
}
EOF

INCLUDES="-I$build_dir/include -Iapi/omniheap -Iapi/contiki -Iapi/zephyr -Iapi/emh -Iapi/memman -Iapi/mmt"
# shellcheck disable=SC2086
check "the recorder program builds against libomniheap.a" \
  "$cc" -std=c11 -Wall -Wextra -Werror $INCLUDES -o "$WORK/record" "$WORK/record.c" "$build_dir/libomniheap.a" $port_libs

if ! "$WORK/record" "$WORK/sys_heap.trace" "$WORK/all.trace" > "$WORK/record.log" 2>&1; then
  fail "the recorder records both traces" "exit status $?: $(cat "$WORK/record.log")"
  summary
  exit
fi
pass "the recorder records both traces ($(tr '\n' ' ' < "$WORK/record.log"))"

# format FILE — prints what is wrong with a trace file (nothing if it is right).
format() {
  head -n 1 "$1" | grep -q '^# ' || echo "the first line is no '#' comment: $(head -n 1 "$1")"
  [ "$(grep -c '^#' "$1")" -eq 1 ] || echo "more than one comment line"
  bad=$(sed 1d "$1" | grep -v -E '^(a [0-9]+ [1-9][0-9]*|f [0-9]+)$' | head -n 3)
  [ -z "$bad" ] || echo "lines in neither format: $bad"
  # Ids: an allocation never of a live block, a free only of a live one.
  sed 1d "$1" | awk '
    $1 == "a" { if ($2 in live) { print "line " NR + 1 ": allocation of the live id " $2; exit } live[$2] = 1 }
    $1 == "f" { if (!($2 in live)) { print "line " NR + 1 ": free of the id " $2 ", not live"; exit } delete live[$2] }
    END { n = 0; for (k in live) ++n; if (n) print n " blocks never freed" }'
}

# expect_counts FILE WHAT — the line and allocation counts the recorder printed.
expect_counts() {
  want_lines=$(sed -n "s/^$2 lines=\([0-9]*\) .*/\1/p" "$WORK/record.log")
  want_allocs=$(sed -n "s/^$2 .*allocs=\([0-9]*\)$/\1/p" "$WORK/record.log")
  got_lines=$(sed 1d "$1" | grep -c .)
  got_allocs=$(grep -c '^a ' "$1")
  [ "$got_lines" = "$want_lines" ] || echo "$got_lines operation lines, the recorder counted $want_lines"
  [ "$got_allocs" = "$want_allocs" ] || echo "$got_allocs allocation lines, the recorder counted $want_allocs"
}

for w in sys_heap all; do
  tf=$WORK/$w.trace
  problems=$(format "$tf"; expect_counts "$tf" "$w")
  if [ -z "$problems" ]; then
    pass "trace of $w: format, ids and counts ($(sed 1d "$tf" | grep -c .) lines)"
  else
    fail "trace of $w: format, ids and counts" "$problems"
  fi
done

# The 0-byte mmt_malloc() is written with size 1: the first allocation of
# the second trace (mmt_malloc(0) comes first).
if [ "$(sed -n '2p' "$WORK/all.trace" | awk '{print $1, $3}')" = "a 1" ]; then
  pass "a 0-byte request is written with size 1"
else
  fail "a 0-byte request is written with size 1" "second line: $(sed -n '2p' "$WORK/all.trace")"
fi

# replay FILE WHAT — omniheap-sim replays it against every family to the end.
FAMILIES="sys_heap k_heap emh ffit buddy ebuddy mmt"
replay() {
  tf=$1
  log=$WORK/replay-$2.log
  if ! "$SIM" --dist "trace:$tf" --region $REGION --no-svg --out "$WORK/sim-$2" > "$log" 2>&1; then
    echo "omniheap-sim exited with status $?: $(tail -n 15 "$log")"
    return
  fi
  n_ops=$(sed 1d "$tf" | grep -c .)
  n_allocs=$(grep -c '^a ' "$tf")
  grep -q "($n_ops operations, $n_allocs allocations)" "$log" ||
    echo "no '($n_ops operations, $n_allocs allocations)' in: $(grep -m 1 'sizes' "$log")"
  ! grep -q 'unknown ids' "$log" || echo "omniheap-sim found frees of unknown ids"
  for fam in $FAMILIES; do
    # the family's section: its name alone on a line, then its trace row
    row=$(awk -v f="$fam" '$0 == f { on = 1; next } on && /^  trace / { print; exit } on && /^$/ { exit }' "$log")
    case $row in
      *"no failure (end of trace)"*) ;;
      "") echo "$fam: no trace row" ;;
      *) echo "$fam: $row" ;;
    esac
  done
}

for w in sys_heap all; do
  problems=$(replay "$WORK/$w.trace" "$w")
  if [ -z "$problems" ]; then
    pass "omniheap-sim replays the $w trace on $(echo "$FAMILIES" | wc -w) families to its end"
  else
    fail "omniheap-sim replays the $w trace on every family" "$problems"
  fi
done

# A damaged trace is refused (the replay check can fail).
{ cat "$WORK/sys_heap.trace"; echo "a 12 0"; } > "$WORK/bad.trace"
check_fails "omniheap-sim refuses a trace with a 0-byte allocation" \
  "$SIM" --dist "trace:$WORK/bad.trace" --region $REGION --no-svg --out "$WORK/sim-bad"

summary
