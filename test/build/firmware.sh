#!/bin/sh
# make run builds and runs the example firmware and prints the registry's
# memory report — on the host, and under QEMU on the smallest Cortex-M target.
. "$(dirname "$0")/checks.inc"

report_ok() { # report_ok LOG — the report's title, every heap of the firmware and the totals
  grep -q 'memory report' "$1" && grep -q '^connections *memb' "$1" && grep -q '^packets *memb' "$1" &&
    grep -q '^readings *memb' "$1" && grep -q '^radio_frames *sys_heap' "$1" &&
    grep -q '^heapmem *heapmem' "$1" && grep -q '^total (5 heaps)' "$1" && grep -q 'all heaps valid: yes' "$1"
}

if $MAKE -s --no-print-directory run > "$WORK/run.log" 2>&1 && report_ok "$WORK/run.log"; then
  pass "make run prints the memory report ($(grep -c . "$WORK/run.log") lines)"
else
  fail "make run prints the memory report" "$(tail -n 20 "$WORK/run.log")"
fi

small=""
for t in $(available_targets); do
  [ "$(config "$t" runner)" = qemu ] || continue
  ram=$(config "$t" ram_size)
  [ -z "$small" ] && small=$t
  case $ram in *K) [ "${ram%K}" -le 64 ] && small=$t ;; esac
done
if [ -z "$small" ] || ! command -v qemu-system-arm >/dev/null 2>&1; then
  echo "SKIPPED make run TARGET=<cortex-m>: arm-none-eabi-gcc or qemu-system-arm missing"
elif $MAKE -s --no-print-directory run TARGET="$small" > "$WORK/run-mcu.log" 2>&1 && report_ok "$WORK/run-mcu.log"; then
  pass "make run TARGET=$small prints the memory report under QEMU"
else
  fail "make run TARGET=$small prints the memory report under QEMU" "$(tail -n 20 "$WORK/run-mcu.log")"
fi
summary
