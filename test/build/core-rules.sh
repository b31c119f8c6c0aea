#!/bin/sh
# The C++ core rules (issue: "C++ core rules, enforced by tests"):
#  - built as C++17 with -fno-exceptions -fno-rtti -fno-threadsafe-statics;
#  - no global constructors (no .init_array/.ctors in library objects);
#  - no reference to the C++ runtime (nm -u: no _Z*, __cxa_*,
#    __gxx_personality*, _Unwind_*, __aeabi_unwind_cpp_*);
#  - the exported symbols equal the documented C API (the functions declared
#    in the public headers), for the static and the shared library;
#  - a pure C program links with gcc (static and shared) and with
#    arm-none-eabi-gcc, without -lstdc++.
# Each check is also run once against a deliberately bad object, to show it
# can fail.
. "$(dirname "$0")/checks.inc"

RUNTIME_RE='^(_Z|__cxa_|__gxx_personality|_Unwind_|__aeabi_unwind_cpp_)'
CTOR_RE='\.(init_array|ctors|fini_array|dtors)'

# --- flags -----------------------------------------------------------------------
flags=$(config host core_cxxflags)
for f in -std=c++17 -fno-exceptions -fno-rtti -fno-threadsafe-statics -fvisibility=hidden; do
  case " $flags " in
    *" $f "*) pass "the core is compiled with $f" ;;
    *) fail "the core is compiled with $f" "flags: $flags" ;;
  esac
done
check_fails "core/common/rules.cpp rejects a core built with exceptions and RTTI" \
  g++ -std=c++17 -fsyntax-only core/common/rules.cpp
check_fails "core/common/rules.cpp rejects thread-safe statics" \
  g++ -std=c++17 -fno-exceptions -fno-rtti -fsyntax-only core/common/rules.cpp
check "core/common/rules.cpp accepts the project's flags" \
  g++ -std=c++17 -fno-exceptions -fno-rtti -fno-threadsafe-statics -fsyntax-only core/common/rules.cpp

# --- the documented C API: every function declared in a public header --------------
api_functions() { # api_functions TARGET -> sorted names
  t=$1 dir=$(config "$t" build_dir) port=$(config "$t" port)
  {
    for h in $(cd api && find . -name '*.h' | sed 's|^\./||' | sort); do
      root=${h%%/*}
      echo "#include \"${h#*/}\""
    done
    for h in ports/"$port"/*.h; do [ -f "$h" ] && echo "#include \"$(basename "$h")\""; done
  } > "$WORK/all-$t.c"
  incs="-I$dir/include"
  for r in api/*/; do incs="$incs -I$r"; done
  gcc -std=c11 $incs -Iports/"$port" -fsyntax-only -aux-info "$WORK/aux-$t.txt" "$WORK/all-$t.c" || return 1
  # Functions declared in the headers, except static inline ones; plus the
  # documented data objects (`extern` declarations at the start of a line).
  {
    perl -ne 'print "$1\n" if m{^/\* (?:api|ports)/[^*]*\*/ (?![^(]*\bstatic\b)[^(]*?\b([A-Za-z_]\w*) \(}' "$WORK/aux-$t.txt"
    cat $(find api ports/"$port" -name '*.h') | perl -ne 'print "$1\n" if m{^extern\s[^;()]*?\b([A-Za-z_]\w*)\s*;}'
  } | sort -u
}

# symbol_rules NAME ARCHIVE_OR_OBJECT NM READELF — the three object-level rules.
symbol_rules() {
  name=$1 lib=$2 nm=$3
  runtime=$($nm -u "$lib" | awk '{print $NF}' | grep -E "$RUNTIME_RE" | sort -u | tr '\n' ' ')
  if [ -z "$runtime" ]; then pass "$name: nm -u lists no C++ runtime symbol"
  else fail "$name: nm -u lists no C++ runtime symbol" "found: $runtime"; fi
  ctors=$(readelf -S -W "$lib" 2>/dev/null | grep -E "$CTOR_RE" | awk '{print $2}' | sort -u | tr '\n' ' ')
  if [ -z "$ctors" ]; then pass "$name: no global constructors (.init_array/.ctors)"
  else fail "$name: no global constructors (.init_array/.ctors)" "sections: $ctors"; fi
}

# --- the checks can fail: a bad C++ object ---------------------------------------------
cat > "$WORK/bad.cpp" <<'CPP'
#include <string>
struct Global { Global(); };
Global g;
std::string s = "runtime";
int thrower(int x) { if (x) throw x; return 0; }
CPP
g++ -std=c++17 -c "$WORK/bad.cpp" -o "$WORK/bad.o"
out=$(symbol_rules "self-test" "$WORK/bad.o" nm)
case $out in
  *"FAIL self-test: nm -u"*"FAIL self-test: no global constructors"*) pass "self-test: the symbol and constructor checks reject an object with a global constructor and a throw" ;;
  *) fail "self-test: the symbol and constructor checks reject an object with a global constructor and a throw" "$out" ;;
esac

# --- every target whose toolchain is installed ----------------------------------------------
for t in $(available_targets); do
  dir=$(config "$t" build_dir)
  nm_tool=$(config "$t" cc | sed 's/gcc$/nm/')
  [ "$nm_tool" = "$(config "$t" cc)" ] && nm_tool=nm
  case $(config "$t" toolchain) in native) nm_tool=nm ;; *) nm_tool=$(config "$t" toolchain)-nm ;; esac
  if ! $MAKE -s --no-print-directory TARGET="$t" lib > "$WORK/build-$t.log" 2>&1; then
    fail "$t: the library builds" "$(tail -n 20 "$WORK/build-$t.log")"
    continue
  fi
  symbol_rules "$t libomniheap.a" "$dir/libomniheap.a" "$nm_tool"
  api_functions "$t" > "$WORK/api-$t.txt" || { fail "$t: public headers parse"; continue; }
  $nm_tool -g --defined-only "$dir/libomniheap.a" | awk 'NF >= 3 {print $3}' | sort -u > "$WORK/exported-$t.txt"
  if diff "$WORK/api-$t.txt" "$WORK/exported-$t.txt" > "$WORK/diff-$t.txt"; then
    pass "$t libomniheap.a: exported symbols = documented C API ($(wc -l < "$WORK/api-$t.txt") functions)"
  else
    fail "$t libomniheap.a: exported symbols = documented C API" "< declared only, > exported only:
$(cat "$WORK/diff-$t.txt")"
  fi
  if [ -f "$dir/libomniheap.so" ]; then
    # Defined dynamic symbols of default visibility (ld lists the hidden
    # __start_/__stop_ symbols of a section there too; nothing can bind to them).
    readelf -W --dyn-syms "$dir/libomniheap.so" |
      awk '$7 != "UND" && $6 == "DEFAULT" && ($5 == "GLOBAL" || $5 == "WEAK") {sub(/@.*/, "", $8); print $8}' |
      sort -u > "$WORK/so-$t.txt"
    if diff "$WORK/api-$t.txt" "$WORK/so-$t.txt" > "$WORK/sodiff-$t.txt"; then
      pass "$t libomniheap.so: dynamic symbols = documented C API"
    else
      fail "$t libomniheap.so: dynamic symbols = documented C API" "$(cat "$WORK/sodiff-$t.txt")"
    fi
    # The .so also contains the C toolchain's crtbeginS.o, which every C
    # shared library gets: it references glibc's __cxa_finalize and has
    # .init_array/.fini_array entries of its own. The rules apply to our
    # objects, so check the position-independent objects the .so is made of,
    # and the .so's undefined symbols without that one glibc symbol.
    for o in $(find "$dir/pic" -name '*.o' | sort); do
      ctors=$(readelf -S -W "$o" | grep -E "$CTOR_RE" | awk '{print $2}' | tr '\n' ' ')
      [ -z "$ctors" ] || fail "$t $o: no global constructors" "sections: $ctors"
    done
    pass "$t libomniheap.so objects: no global constructors (.init_array/.ctors)"
    runtime=$(nm -u "$dir/libomniheap.so" | awk '{print $NF}' | sed 's/@.*//' | grep -v '^__cxa_finalize$' | grep -E "$RUNTIME_RE" | tr '\n' ' ')
    if [ -z "$runtime" ]; then pass "$t libomniheap.so: nm -u lists no C++ runtime symbol"
    else fail "$t libomniheap.so: nm -u lists no C++ runtime symbol" "found: $runtime"; fi
    needed=$(readelf -d "$dir/libomniheap.so" | sed -n 's/.*NEEDED.*\[\(.*\)\].*/\1/p' | tr '\n' ' ')
    case $needed in
      *stdc++*|*libgcc_s*) fail "$t libomniheap.so: needs no C++ runtime library" "NEEDED: $needed" ;;
      *) pass "$t libomniheap.so: needs no C++ runtime library (NEEDED: $needed)" ;;
    esac
    soname=$(readelf -d "$dir/libomniheap.so" | sed -n 's/.*SONAME.*\[\(.*\)\].*/\1/p')
    check "$t libomniheap.so: SONAME is libomniheap.so.<abi_version> ($soname)" \
      test "$soname" = "libomniheap.so.$(awk -f tools/manifest.awk -v mode=flat project.yml | sed -n 's/^abi_version=//p')"
  fi
done

# --- a pure C program links without -lstdc++ ----------------------------------------------
cat > "$WORK/pure.c" <<'C'
#include <stdio.h>
#include "lib/memb.h"
#include "omniheap.h"
MEMB(pure_pool, int, 4);
int main(void) {
  memb_init(&pure_pool);
  int *p = memb_alloc(&pure_pool);
  if (p == NULL || memb_free(&pure_pool, p) != 0) return 1;
  printf("pure C program linked omniheap %s\n", omniheap_version_string());
  return omniheap_version() == OMNIHEAP_VERSION ? 0 : 1;
}
C
hdir=$(config host build_dir)
incs="-I$hdir/include"; for r in api/*/; do incs="$incs -I$r"; done
check "host: a pure C program links the static library with gcc (no -lstdc++) and runs" \
  sh -c "gcc -std=c99 $incs $WORK/pure.c $hdir/libomniheap.a -pthread -o $WORK/pure-static && $WORK/pure-static"
check "host: a pure C program links the shared library with gcc (no -lstdc++) and runs" \
  sh -c "gcc -std=c99 $incs $WORK/pure.c -L$hdir -lomniheap -o $WORK/pure-shared && LD_LIBRARY_PATH=$hdir $WORK/pure-shared"
for t in $(available_targets); do
  [ "$(config "$t" runner)" = qemu ] || continue
  dir=$(config "$t" build_dir)
  if $MAKE -s --no-print-directory TARGET="$t" "$dir/test/firmware.elf" > "$WORK/fw-$t.log" 2>&1; then
    if grep -q 'libstdc++' "$dir/test/firmware.map"; then
      fail "$t: the C example firmware links with $(config "$t" cc) without libstdc++" "$(grep -m3 'libstdc++' "$dir/test/firmware.map")"
    else
      pass "$t: the C example firmware links with $(config "$t" cc) without libstdc++"
    fi
  else
    fail "$t: the C example firmware links with $(config "$t" cc)" "$(tail -n 15 "$WORK/fw-$t.log")"
  fi
done
summary
