#!/bin/sh
# Every public header compiles on its own, twice included, as C99, C11,
# C++11 and C++17, warning-free with -Wall -Wextra -Werror -pedantic — with
# gcc, clang (if installed) and arm-none-eabi-gcc (if installed).
. "$(dirname "$0")/checks.inc"

hdir=$(config host build_dir)
$MAKE -s --no-print-directory TARGET=host "$hdir/include/omniheap_config.h" >/dev/null 2>&1 ||
  $MAKE -s --no-print-directory TARGET=host lib >/dev/null
incs="-I$hdir/include"
for r in api/*/; do incs="$incs -I$r"; done
headers=$(cd api && find . -name '*.h' | sed 's|^\./||' | sort)
port_headers=$(ls ports/*/*.h 2>/dev/null)
strict="-Wall -Wextra -Werror -pedantic -Wshadow -Wundef -Wstrict-prototypes"

compile() { # compile COMPILER LANG STD FILE
  case $2 in
    c) "$1" -x c -std="$3" $strict $incs $4 -fsyntax-only "$5" ;;
    c++) "$1" -x c++ -std="$3" $(echo "$strict" | sed 's/ -Wstrict-prototypes//') $incs $4 -fsyntax-only "$5" ;;
  esac
}

compilers="gcc g++"
command -v clang >/dev/null 2>&1 && compilers="$compilers clang clang++"

for h in $headers $port_headers; do
  case $h in
    ports/*) inc=$(basename "$h"); extra="-I$(dirname "$h")" ;;
    *) inc=${h#*/}; extra="" ;;
  esac
  printf '#include "%s"\n#include "%s"\nint omniheap_header_check;\n' "$inc" "$inc" > "$WORK/h.c"
  failures=""
  for cc in $compilers; do
    case $cc in
      *++) for std in c++11 c++17; do compile "$cc" c++ $std "$extra" "$WORK/h.c" > "$WORK/out" 2>&1 || failures="$failures
$cc -std=$std: $(cat "$WORK/out")"; done ;;
      *) for std in c99 c11; do compile "$cc" c $std "$extra" "$WORK/h.c" > "$WORK/out" 2>&1 || failures="$failures
$cc -std=$std: $(cat "$WORK/out")"; done ;;
    esac
  done
  if command -v arm-none-eabi-gcc >/dev/null 2>&1; then
    compile arm-none-eabi-gcc c c99 "$extra -mcpu=cortex-m0 -mthumb" "$WORK/h.c" > "$WORK/out" 2>&1 ||
      failures="$failures
arm-none-eabi-gcc -std=c99: $(cat "$WORK/out")"
  fi
  if [ -z "$failures" ]; then pass "$h compiles alone as C99/C11/C++11/C++17 ($compilers${failures}$(command -v arm-none-eabi-gcc >/dev/null 2>&1 && echo ' arm-none-eabi-gcc'))"
  else fail "$h compiles alone as C99/C11/C++11/C++17" "$failures"; fi
done

# The check can fail: a header with a C99 violation is rejected.
printf 'static inline int f(void) { for (int i = 0; i < 1; ++i) {} return 0 // no semicolon\n}\n' > "$WORK/bad.h"
check_fails "self-test: a broken header is rejected" compile gcc c c99 "-I$WORK" "$WORK/bad.h"
summary
