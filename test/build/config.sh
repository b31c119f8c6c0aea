#!/bin/sh
# Build options resolve with the documented precedence: a -D flag, then the
# header named by OMNIHEAP_CONFIG_HEADER, then project.yml.
. "$(dirname "$0")/checks.inc"

gen() { # gen OUT [CPPFLAGS...]
  out=$1
  shift
  tools/gen-config.sh "$out" core/config/omniheap_config.h.in project.yml host posix 128 gcc "$@"
}
value() { sed -n "s/^#define $2 //p" "$1"; }
default=$(awk -f tools/manifest.awk -v mode=options project.yml | awk '$2 == "OMNIHEAP_CONF_MAX_HEAPS" {print $3}')
printf '#define OMNIHEAP_CONF_MAX_HEAPS 5\n' > "$WORK/user_config.h"

gen "$WORK/a.h"
check "without overrides an option takes project.yml's default ($default)" \
  test "$(value "$WORK/a.h" OMNIHEAP_CONF_MAX_HEAPS)" = "$default"
gen "$WORK/b.h" "-DOMNIHEAP_CONFIG_HEADER=\"$WORK/user_config.h\""
check "the user config header (OMNIHEAP_CONFIG_HEADER) overrides project.yml" \
  test "$(value "$WORK/b.h" OMNIHEAP_CONF_MAX_HEAPS)" = 5
gen "$WORK/c.h" -DOMNIHEAP_CONF_MAX_HEAPS=7 "-DOMNIHEAP_CONFIG_HEADER=\"$WORK/user_config.h\""
check "a -D flag overrides the user config header" \
  test "$(value "$WORK/c.h" OMNIHEAP_CONF_MAX_HEAPS)" = 7
check "options not overridden keep their default" \
  test "$(value "$WORK/c.h" OMNIHEAP_CONF_MEMB_LOCKED)" = 0
check "the version macros come from project.yml" \
  test "$(value "$WORK/a.h" OMNIHEAP_VERSION_STRING)" = "\"$(awk -f tools/manifest.awk -v mode=flat project.yml | sed -n 's/^version=//p')\""

# Through make: CONFIG_HEADER= and DEFS= reach the generated header the
# library is compiled with, and the library honours it.
if $MAKE -s --no-print-directory TARGET=host BUILD="$WORK/b" CONFIG_HEADER="$WORK/user_config.h" \
     DEFS=-DOMNIHEAP_CONF_MEMB_LOCKED=1 lib > "$WORK/make.log" 2>&1; then
  h=$WORK/b/host/include/omniheap_config.h
  check "make CONFIG_HEADER=... DEFS=... builds with both (MAX_HEAPS 5, MEMB_LOCKED 1)" \
    test "$(value "$h" OMNIHEAP_CONF_MAX_HEAPS)/$(value "$h" OMNIHEAP_CONF_MEMB_LOCKED)" = 5/1
  incs="-I$WORK/b/host/include"; for r in api/*/; do incs="$incs -I$r"; done
  cat > "$WORK/six.c" <<'C'
#include "lib/memb.h"
#include "omniheap.h"
static bool u[6][1];
static int m[6][1];
int main(void) {
  struct memb pools[6];
  int i;
  for (i = 0; i < 6; ++i) {
    struct memb p = {sizeof(int), 1, u[i], m[i], 0, 0, 0, 0, 0, 0, 0, 0};
    pools[i] = p;
    memb_init(&pools[i]);
  }
  return omniheap_heap_count() == 5 && omniheap_registry_dropped() == 1 ? 0 : 1;
}
C
  check "the library built with MAX_HEAPS 5 registers 5 heaps and drops the 6th" \
    sh -c "gcc -std=c99 $incs $WORK/six.c $WORK/b/host/libomniheap.a -pthread -o $WORK/six && $WORK/six"
else
  fail "make CONFIG_HEADER=... DEFS=... builds" "$(tail -n 20 "$WORK/make.log")"
fi
summary
