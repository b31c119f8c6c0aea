#!/bin/sh
# make test — runs every test lane and prints one closing line
# "N passed, N failed" summed over all lanes; exits non-zero on any failure.
#
# Lanes: host build; C++ unit tests (GoogleTest); C conformance suite as C99
# and C11 (posix port), as a 32-bit host program (-m32) and with the none port; the suite under ASan+UBSan;
# the sys_heap/heapmem reference-model stress (10^6 operations);
# ThreadSanitizer lanes (unit tests, stress programs in the locked build); a fixed-seed
# libFuzzer run of the fuzz targets (ASan+UBSan); build and packaging
# checks (test/build/*.sh); the MCU lane: the conformance suite
# cross-compiled and run under qemu-system-arm on every QEMU target of
# project.yml. Logs: build/test-logs/<lane>.log.
#
# OMNIHEAP_TEST_LANES="unit mcu ..." runs only lanes whose name starts with
# one of the words (for development; `make test` runs everything).
set -u
cd "$(dirname "$0")/.." || exit 2

MAKE=${MAKE:-make}
JOBS=-j$(nproc 2>/dev/null || echo 2)
LOGS=build/test-logs
mkdir -p "$LOGS"
passed=0
failed=0
lanes_failed=""
start=$(date +%s)

selected() {
  [ -z "${OMNIHEAP_TEST_LANES:-}" ] && return 0
  for w in $OMNIHEAP_TEST_LANES; do
    case $1 in "$w"*) return 0 ;; esac
  done
  return 1
}

# record NAME PASSED FAILED [NOTE]
record() {
  passed=$((passed + $2))
  failed=$((failed + $3))
  if [ "$3" -ne 0 ]; then
    lanes_failed="$lanes_failed $1"
    printf '%-34s %5s passed, %s failed  FAILED%s\n' "$1" "$2" "$3" "${4:+ ($4)}"
    echo "---- last lines of $LOGS/$1.log ----"
    tail -n 25 "$LOGS/$1.log" | sed 's/^/    /'
    echo "----"
  else
    printf '%-34s %5s passed, %s failed%s\n' "$1" "$2" "$3" "${4:+  ($4)}"
  fi
}

# step NAME CMD... — a build step: one check that passes iff CMD succeeds.
step() {
  name=$1
  shift
  selected "$name" || return 0
  if "$@" > "$LOGS/$name.log" 2>&1; then
    record "$name" 1 0
    return 0
  fi
  record "$name" 0 1 "command failed: $*"
  return 1
}

# lane NAME CMD... — runs a test program; counts its closing line.
lane() {
  name=$1
  shift
  selected "$name" || return 0
  "$@" > "$LOGS/$name.log" 2>&1
  rc=$?
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$LOGS/$name.log" | tail -n 1)
  if [ -z "$summary" ]; then
    record "$name" 0 1 "no closing line, exit status $rc"
    return
  fi
  p=${summary%% passed*}
  f=${summary#*, }
  f=${f%% failed}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    record "$name" "$p" 1 "exit status $rc after the closing line"
    return
  fi
  record "$name" "$p" "$f"
}

config() { # config TARGET KEY
  $MAKE -s --no-print-directory TARGET="$1" print-config | sed -n "s/^$2=//p"
}

echo "omniheap make test: lanes (logs in $LOGS/)"

# ---- host ------------------------------------------------------------------------
if step build-host $MAKE $JOBS TARGET=host lib unit conformance stress; then
  lane unit build/host/test/unit
  lane conformance-c99 build/host/test/conformance-c99
  lane conformance-c11 build/host/test/conformance-c11
  # Reference-model stress of sys_heap and heapmem: 10^6 operations, the
  # heaps validated after every one.
  lane stress-heaps-model build/host/test/stress-heaps_model 1592639710 1000000 1
  # emh: reference model (10^6 operations on both heaps, then two threads)
  # and every error path checked for a lock left held.
  lane stress-emh-model build/host/test/stress-emh_model
  lane stress-emh-lockdepth build/host/test/stress-emh_lockdepth
  # ffit, buddy and ebuddy: reference model, validate every 1000 operations.
  lane stress-memman-model build/host/test/stress-memman_model
  # Listeners on a k_heap shared by four threads: crossings alternate, the
  # events add up to the statistics.
  lane stress-listener-threads build/host/test/stress-listener_threads
  # MMT shared by four threads: mmt_meminfo() and the registry agree with
  # what the threads hold at every barrier; listener events match the calls.
  lane stress-mmt-threads build/host/test/stress-mmt_threads
fi
# 32-bit size_t and pointers on the host (gcc -m32, Debian's gcc-multilib).
if printf 'int main(void){return 0;}\n' | gcc -m32 -x c - -o "$LOGS/m32-probe" >/dev/null 2>&1; then
  if step build-host32 $MAKE $JOBS TARGET=host32 lib conformance; then
    lane conformance-host32 build/host32/test/conformance-c11
  fi
elif selected build-host32; then
  echo "SKIPPED host32: gcc -m32 cannot link — install with: apt-get install gcc-multilib g++-multilib"
fi
# heapmem with zones (OMNIHEAP_CONF_HEAPMEM_MAX_ZONES=4): the suite's zone cases.
if step build-zones $MAKE $JOBS BUILD=build/zones TARGET=host DEFS=-DOMNIHEAP_CONF_HEAPMEM_MAX_ZONES=4 conformance; then
  lane conformance-zones build/zones/host/test/conformance-c11
fi
# MMT built to return NULL on failure instead of panicking
# (OMNIHEAP_CONF_MMT_ABORT=0): the conformance suite in that build.
if step build-mmt-noabort $MAKE $JOBS BUILD=build/mmt-noabort TARGET=host DEFS=-DOMNIHEAP_CONF_MMT_ABORT=0 conformance; then
  lane conformance-mmt-noabort build/mmt-noabort/host/test/conformance-c11
fi
# emh with 8 heaps (OMNIHEAP_CONF_EMH_N_HEAPS=8): the reference-model stress
# creates all of them, concurrently, and checks isolation across them.
if step build-emh8 $MAKE $JOBS BUILD=build/emh8 TARGET=host DEFS=-DOMNIHEAP_CONF_EMH_N_HEAPS=8 stress; then
  lane emh8-model build/emh8/host/test/stress-emh_model
fi
if step build-host-none $MAKE $JOBS TARGET=host-none conformance; then
  lane conformance-none-port build/host-none/test/conformance-c11
fi
if step build-asan $MAKE $JOBS TARGET=host VARIANT=asan conformance; then
  lane asan-ubsan-c99 build/host-asan/test/conformance-c99
  lane asan-ubsan-c11 build/host-asan/test/conformance-c11
fi
if step build-tsan $MAKE $JOBS TARGET=host VARIANT=tsan unit; then
  lane tsan-unit build/host-tsan/test/unit
fi
if step build-locked-tsan $MAKE $JOBS TARGET=host VARIANT=locked-tsan stress conformance; then
  for s in build/host-locked-tsan/test/stress-*; do
    [ -x "$s" ] && lane "tsan-$(basename "$s")" "$s"
  done
  lane locked-conformance build/host-locked-tsan/test/conformance-c11
fi

# libFuzzer (clang): a fixed-seed run of every fuzz target (make fuzz runs longer).
if command -v clang >/dev/null 2>&1; then
  if step build-fuzz $MAKE $JOBS TARGET=host VARIANT=fuzz fuzz-programs; then
    lane fuzz test/fuzz/run.sh build/host-fuzz/fuzz -runs=100000 -seed=1 -use_value_profile=1
  fi
else
  echo "SKIPPED fuzz: clang not found — install with: apt-get install clang"
fi

# ---- build, packaging and rule checks --------------------------------------------------
for check in test/build/*.sh; do
  lane "check-$(basename "$check" .sh)" sh "$check"
done

# Doxygen: every public symbol documented, zero warnings.
if command -v doxygen >/dev/null 2>&1; then
  step docs $MAKE docs
else
  echo "SKIPPED docs: doxygen not found — install with: apt-get install doxygen graphviz"
fi

# ---- MCU lane: every QEMU target of project.yml ------------------------------------------
mcu_missing=""
command -v qemu-system-arm >/dev/null 2>&1 || mcu_missing=" qemu-system-arm"
mcu_skipped=""
mcu_tools=""
for t in $($MAKE -s --no-print-directory print-targets); do
  [ "$(config "$t" runner)" = qemu ] || continue
  selected "mcu-$t" || selected "build-$t" || continue
  cc=$(config "$t" cc)
  missing=$mcu_missing
  command -v "$cc" >/dev/null 2>&1 || missing="$missing $cc"
  if [ -n "$missing" ]; then
    mcu_skipped="$mcu_skipped $t"
    for m in $missing; do
      case " $mcu_tools " in *" $m "*) ;; *) mcu_tools="$mcu_tools $m" ;; esac
    done
    continue
  fi
  if step "build-$t" $MAKE $JOBS TARGET="$t" conformance; then
    lane "mcu-$t" tools/qemu-run.sh "$(config "$t" qemu_machine)" "build/$t/test/conformance.elf"
    lane "mcu-$t-kernel" tools/qemu-run.sh "$(config "$t" qemu_machine)" "build/$t/test/conformance-kernel.elf"
    lane "mcu-$t-emh" tools/qemu-run.sh "$(config "$t" qemu_machine)" "build/$t/test/conformance-emh.elf"
    lane "mcu-$t-memman" tools/qemu-run.sh "$(config "$t" qemu_machine)" "build/$t/test/conformance-memman.elf"
    lane "mcu-$t-mmt" tools/qemu-run.sh "$(config "$t" qemu_machine)" "build/$t/test/conformance-mmt.elf"
  fi
done
if [ -n "$mcu_skipped" ]; then
  echo "SKIPPED MCU lane ($(echo $mcu_skipped)): missing$mcu_tools — install with: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm"
fi

end=$(date +%s)
echo "lanes run in $((end - start)) s${lanes_failed:+; failed lanes:$lanes_failed}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
