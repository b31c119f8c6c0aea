#!/bin/sh
# qemu-run.sh — run a Cortex-M firmware ELF under qemu-system-arm with
# semihosting and exit with the program's exit status.
#
# usage: qemu-run.sh MACHINE ELF [ARG...]
#   MACHINE  QEMU machine (project.yml targets.<t>.qemu_machine), e.g. microbit
#   ELF      firmware linked with test/mcu/startup.c and test/mcu/link.ld.in
#   ARG...   passed as the semihosting command line (SYS_GET_CMDLINE)
#
# Environment:
#   OH_QEMU_TIMEOUT  seconds before the run is killed (default 120)
#   QEMU             emulator binary (default qemu-system-arm)
#
# The program's output (semihosting) goes to stdout. Nothing reads the terminal
# or changes its mode: no monitor, serial ports discarded, stdin from
# /dev/null. Exit status: the program's (newlib exit() -> semihosting
# SYS_EXIT_EXTENDED); 3 after a fault reported by startup.c; 124 after a
# timeout, with one line on stderr; 2 on a usage error; 127 without QEMU.
set -u

me="qemu-run.sh"
if [ $# -lt 2 ]; then
  echo "usage: $me MACHINE ELF [ARG...]" >&2
  exit 2
fi
machine=$1
elf=$2
shift 2
qemu=${QEMU:-qemu-system-arm}
limit=${OH_QEMU_TIMEOUT:-120}

if [ ! -f "$elf" ]; then
  echo "$me: $elf: no such file" >&2
  exit 2
fi
if ! command -v "$qemu" >/dev/null 2>&1; then
  echo "$me: $qemu not found (Debian: apt-get install qemu-system-arm)" >&2
  exit 127
fi
case $limit in
  '' | *[!0-9]*) echo "$me: OH_QEMU_TIMEOUT must be a whole number of seconds, not '$limit'" >&2; exit 2 ;;
esac

if [ $# -gt 0 ]; then
  set -- -append "$*"
fi

# --foreground: QEMU stays in the caller's process group, so Ctrl-C stops it;
# -k: SIGKILL if it has not ended 5 s after the SIGTERM of the timeout.
timeout --foreground -k 5 "$limit" \
  "$qemu" -M "$machine" -nographic -monitor none -serial null \
  -semihosting-config enable=on,target=native \
  -kernel "$elf" "$@" </dev/null
status=$?

case $status in
  124 | 137)
    echo "$me: TIMEOUT: $elf on $machine did not finish within ${limit} s (killed; status $status)" >&2
    exit 124
    ;;
esac
exit $status
