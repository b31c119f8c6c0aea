#!/bin/sh
# make size — .text/.data/.bss per family for each Cortex-M target of
# project.yml: the library objects of each family, as compiled for the
# target (-Os, one section per function, so a firmware that links with
# --gc-sections pays at most this). Families: core/bind/<family>*.cpp (the
# engine's templates are instantiated there, so heapmem and sys_heap each
# include the engine code they use; sys_heap on 32-bit targets has both
# header layouts unless OMNIHEAP_CONF_SYS_HEAP_HEADERS picks one, and its
# .bss includes the heap array); "native" is the registry, report and native
# API (core/observe, core/common, core/bind/native.cpp), which every family
# uses; "port" is the target's port. heapmem's .bss is its arena.
#
# usage: size-report.sh TARGET...
set -eu
cd "$(dirname "$0")/.."
MAKE=${MAKE:-make}
[ $# -gt 0 ] || { echo "make size: no Cortex-M target in project.yml"; exit 0; }
for t in "$@"; do
  cc=$($MAKE -s --no-print-directory TARGET="$t" print-config | sed -n 's/^cc=//p')
  if ! command -v "$cc" >/dev/null 2>&1; then
    echo "make size: $t skipped — $cc not found (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)"
    continue
  fi
  $MAKE -s --no-print-directory TARGET="$t" lib
  dir=$($MAKE -s --no-print-directory TARGET="$t" print-config | sed -n 's/^build_dir=//p')
  size=${cc%gcc}size
  port=$($MAKE -s --no-print-directory TARGET="$t" print-config | sed -n 's/^port=//p')
  echo "$t ($($MAKE -s --no-print-directory TARGET="$t" print-config | sed -n 's/^cpu_flags=//p'), $($MAKE -s --no-print-directory TARGET="$t" print-config | sed -n 's/^opt=//p')):"
  printf '  %-22s %8s %8s %8s\n' family .text .data .bss
  {
    for o in $(find "$dir/obj/core" "$dir/obj/ports" -name '*.o' | sort); do
      case $o in
        */core/bind/native.o | */core/observe/* | */core/common/*) fam=native ;;
        */core/bind/*) fam=$(basename "$o" .o); fam=${fam%_stress} ;;
        */ports/*) fam="port ($port)" ;;
        *) fam=other ;;
      esac
      $size "$o" | awk -v f="$fam" 'NR == 2 { printf "%s\t%s\t%s\t%s\n", f, $1, $2, $3 }'
    done
  } | awk -F'\t' '{ t[$1] += $2; d[$1] += $3; b[$1] += $4; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
      END {
        for (i = 1; i <= n; i++) { f = order[i]; printf "  %-22s %8d %8d %8d\n", f, t[f], d[f], b[f]; tt += t[f]; td += d[f]; tb += b[f] }
        printf "  %-22s %8d %8d %8d\n", "total", tt, td, tb
      }'
done
