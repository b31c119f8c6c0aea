#!/bin/sh
# make run builds and runs the example firmware (docs/examples/firmware/: a
# sensor gateway that uses all seven allocator APIs and reacts to memory
# pressure) and prints the registry's memory report — on the host, and under
# QEMU on a Cortex-M3 and on the 16 KiB Cortex-M0 (its reduced configuration).
. "$(dirname "$0")/checks.inc"

# Every heap of the gateway, as "name:family" of its report line.
HEAPS="msgs:k_heap connections:memb packets:memb heapmem:heapmem radio_fast:sys_heap radio_dma:sys_heap
frames:buddy env_task:emh vib_task:emh mmt:mmt"
N_HEAPS=10

# missing LOG — prints what the output lacks, one line each (nothing if complete).
missing() {
  grep -q '^omniheap .* memory report (target ' "$1" || echo "no 'memory report' title line"
  for hf in $HEAPS; do
    grep -q "^${hf%%:*}  *${hf#*:}  *[0-9]" "$1" || echo "no report line for heap ${hf%%:*} (family ${hf#*:})"
  done
  grep -q "^total ($N_HEAPS heaps)" "$1" || echo "no 'total ($N_HEAPS heaps)' line"
  # Each threshold listener reported pressure and its end, and the gateway reacted.
  for w in heapmem frames mmt; do
    grep -q "^pressure: $w above 75% ([0-9]* of [0-9]* bytes) at round [0-9]*: ." "$1" ||
      echo "no line 'pressure: $w above 75% ...'"
    grep -q "^pressure: $w below 50% ([0-9]* of [0-9]* bytes) at round [0-9]*: ." "$1" ||
      echo "no line 'pressure: $w below 50% ...'"
  done
  grep -q 'cached packets dropped, caching off$' "$1" || echo "heapmem pressure shed no load"
  grep -q 'senders had to wait for room: yes$' "$1" || echo "the k_heap senders never waited for room"
  grep -q '^fault: double free in memb_free on heap packets$' "$1" || echo "the legacy double free was not reported"
  grep -q '^family  *heaps' "$1" || echo "no per-family totals"
  grep -q '^all heaps valid: yes$' "$1" || echo "no line 'all heaps valid: yes'"
}

# run_check NAME LOG MAKE-ARGS... — make run, then the checks on its output.
run_check() {
  name=$1 log=$2
  shift 2
  if ! $MAKE -s --no-print-directory -j2 "$@" run > "$log" 2>&1; then
    fail "$name" "make $* run failed: $(tail -n 20 "$log")"
  elif [ -n "$(missing "$log")" ]; then
    fail "$name" "$(missing "$log")"
  else
    pass "$name ($(grep -c . "$log") lines)"
  fi
}

run_check "make run prints the gateway's memory report" "$WORK/run.log"

# The host run has threads; its output must not depend on their scheduling.
firmware=$($MAKE -s --no-print-directory print-config | sed -n 's/^build_dir=//p')/test/firmware
if "$firmware" > "$WORK/run2.log" 2>&1 && "$firmware" > "$WORK/run3.log" 2>&1 &&
  cmp -s "$WORK/run2.log" "$WORK/run3.log" && grep -q '^all heaps valid: yes$' "$WORK/run2.log"; then
  pass "the host firmware prints the same output on every run"
else
  fail "the host firmware prints the same output on every run" "$(diff "$WORK/run2.log" "$WORK/run3.log" | head -n 20)"
fi

for t in cortex-m3 cortex-m0; do
  if ! command -v qemu-system-arm >/dev/null 2>&1 || ! command -v "$(config "$t" cc)" >/dev/null 2>&1; then
    echo "SKIPPED make run TARGET=$t: arm-none-eabi-gcc or qemu-system-arm missing"
    continue
  fi
  run_check "make run TARGET=$t prints the gateway's memory report under QEMU" "$WORK/run-$t.log" TARGET="$t"
done
summary
