#!/bin/sh
# make install PREFIX=...: every include root, the static and shared
# libraries, and lib/pkgconfig/omniheap.pc whose Cflags list every include
# root; a separate C file builds with `gcc $(pkg-config --cflags --libs
# omniheap)` and runs.
. "$(dirname "$0")/checks.inc"

prefix=$WORK/prefix
if ! $MAKE -s --no-print-directory install PREFIX="$prefix" > "$WORK/install.log" 2>&1; then
  fail "make install PREFIX=... succeeds" "$(tail -n 20 "$WORK/install.log")"
  summary
  exit 1
fi
pass "make install PREFIX=... succeeds"

missing=""
for h in $(cd api && find . -name '*.h' | sed 's|^\./||'); do
  [ -f "$prefix/include/omniheap/$h" ] || missing="$missing $h"
done
[ -f "$prefix/include/omniheap/omniheap/omniheap_config.h" ] || missing="$missing omniheap/omniheap_config.h"
check "every public header is installed under include/omniheap/<root>/" test -z "$missing"
check "the static library is installed" test -f "$prefix/lib/libomniheap.a"
check "the shared library is installed with its SONAME link" \
  sh -c "test -f $prefix/lib/libomniheap.so && test -L $prefix/lib/libomniheap.so.0"

pc=$prefix/lib/pkgconfig/omniheap.pc
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cflags=$(pkg-config --cflags omniheap 2>&1)
nores=""
for r in $(ls -d api/*/ | sed 's|api/||; s|/$||'); do
  case " $cflags " in *" -I$prefix/include/omniheap/$r "*) ;; *) nores="$nores $r" ;; esac
done
check "omniheap.pc Cflags list every include root ($cflags)" test -z "$nores"
check "omniheap.pc version is project.yml's" \
  test "$(pkg-config --modversion omniheap)" = "$(awk -f tools/manifest.awk -v mode=flat project.yml | sed -n 's/^version=//p')"

cat > "$WORK/user.c" <<'C'
/* A firmware-style program outside the source tree. */
#include <stdio.h>
#include "lib/memb.h"
#include "omniheap.h"
struct frame { unsigned char data[40]; };
MEMB(frames, struct frame, 3);
int main(void) {
  struct frame *f;
  memb_init(&frames);
  f = memb_alloc(&frames);
  if (f == NULL || memb_free(&frames, f) != 0) return 1;
  if (omniheap_heap_find(&frames) == NULL) return 2;
  printf("installed omniheap %s works\n", omniheap_version_string());
  return 0;
}
C
check "a separate C file builds with gcc \$(pkg-config --cflags --libs omniheap) and runs" \
  sh -c "gcc -std=c99 -Wall -Wextra -Werror $WORK/user.c \$(pkg-config --cflags --libs omniheap) -o $WORK/user && LD_LIBRARY_PATH=$prefix/lib $WORK/user"
check "... and statically (pkg-config --static)" \
  sh -c "gcc -std=c99 $WORK/user.c \$(pkg-config --cflags omniheap) $prefix/lib/libomniheap.a \$(pkg-config --static --libs-only-l omniheap | sed 's/-lomniheap//') -o $WORK/user-static && $WORK/user-static"
summary
