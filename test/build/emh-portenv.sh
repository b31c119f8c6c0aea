#!/bin/sh
# "emh_malloc.h" with and without a firmware's own <emh_portenv.h>
# (api-reference §5.1, docs family_emh): firmware that ships one still
# compiles, links and runs (its lock macros are accepted and unused); firmware
# that ships none compiles too; a portenv asking for more heaps or a stronger
# alignment than the library has stops with #error naming the option.
. "$(dirname "$0")/checks.inc"

dir=$(config host build_dir)
$MAKE -s --no-print-directory TARGET=host lib > "$WORK/build.log" 2>&1 || { fail "the host library builds" "$(tail -n 20 "$WORK/build.log")"; summary; exit 1; }
incs="-I$dir/include -Iapi/emh -Iapi/omniheap"
strict="-std=c99 -Wall -Wextra -Werror -pedantic"
libs="$dir/libomniheap.a $(config host port_libs)"

cat > "$WORK/app.c" <<'C'
#include <stdio.h>
#include <string.h>
#include "emh_malloc.h"
static char region[1024];
int main(void) {
  emh_heapId_t id = emh_create(region, sizeof region);
  char *p = emh_malloc(id, 16);
  if (id != 0 || p == NULL) return 1;
  strcpy(p, "portenv");
  printf("%s %d %d\n", p, EMH_MALLOC_N_HEAPS, EMH_MALLOC_BYTE_ALIGNMENT);
  emh_free(p);
  return 0;
}
C

# No emh_portenv.h anywhere on the include path.
check "a firmware without emh_portenv.h compiles, links and runs" \
  sh -c "gcc $strict $incs '$WORK/app.c' $libs -o '$WORK/app0' && '$WORK/app0' | grep -qx 'portenv 2 8'"

# An upstream-style portenv: stddef.h, alignment 8, two heaps, pthread zone macros.
mkdir -p "$WORK/env-ok" "$WORK/env-heaps" "$WORK/env-align" "$WORK/env-weak"
cat > "$WORK/env-ok/emh_portenv.h" <<'C'
#ifndef EMH_PORTENV_H
#define EMH_PORTENV_H
#include <stddef.h>
#include <pthread.h>
#define EMH_MALLOC_BYTE_ALIGNMENT 8
#define EMH_MALLOC_N_HEAPS 2
extern pthread_mutex_t emh_zone;
#define __emh_create_zone__() pthread_mutex_init(&emh_zone, NULL)
#define __emh_lock_zone__() pthread_mutex_lock(&emh_zone)
#define __emh_unlock_zone__() pthread_mutex_unlock(&emh_zone)
#endif
C
check "a firmware with its own emh_portenv.h (lock macros, 2 heaps, alignment 8) compiles, links and runs" \
  sh -c "gcc $strict -I'$WORK/env-ok' $incs '$WORK/app.c' $libs -o '$WORK/app1' && '$WORK/app1' | grep -qx 'portenv 2 8'"

printf '#include <stddef.h>\n#define EMH_MALLOC_BYTE_ALIGNMENT 4\n#define EMH_MALLOC_N_HEAPS 1\n#define __emh_create_zone__()\n#define __emh_lock_zone__()\n#define __emh_unlock_zone__()\n' > "$WORK/env-weak/emh_portenv.h"
check "a portenv asking for fewer heaps and a weaker alignment is accepted" \
  gcc $strict -I"$WORK/env-weak" $incs -fsyntax-only "$WORK/app.c"

printf '#include <stddef.h>\n#define EMH_MALLOC_BYTE_ALIGNMENT 8\n#define EMH_MALLOC_N_HEAPS 4\n' > "$WORK/env-heaps/emh_portenv.h"
if out=$(gcc $strict -I"$WORK/env-heaps" $incs -fsyntax-only "$WORK/app.c" 2>&1); then
  fail "a portenv asking for more heaps than the library has stops the build" "it compiled"
else
  case $out in
    *OMNIHEAP_CONF_EMH_N_HEAPS*) pass "a portenv asking for more heaps than the library has stops the build, naming OMNIHEAP_CONF_EMH_N_HEAPS" ;;
    *) fail "a portenv asking for more heaps stops the build naming the option" "$out" ;;
  esac
fi

printf '#include <stddef.h>\n#define EMH_MALLOC_BYTE_ALIGNMENT 32\n' > "$WORK/env-align/emh_portenv.h"
if out=$(gcc $strict -I"$WORK/env-align" $incs -fsyntax-only "$WORK/app.c" 2>&1); then
  fail "a portenv asking for a stronger alignment than the library stops the build" "it compiled"
else
  case $out in
    *OMNIHEAP_CONF_EMH_ALIGNMENT*) pass "a portenv asking for 32-byte alignment stops the build, naming OMNIHEAP_CONF_EMH_ALIGNMENT" ;;
    *) fail "a portenv asking for a stronger alignment stops the build naming the option" "$out" ;;
  esac
fi

# The library built with the upstream names takes them (aliases).
cat > "$WORK/align.c" <<'C'
#include <stdint.h>
#include <stdio.h>
#include "emh_malloc.h"
static char region[4][2048];
int main(void) {
  int i, misaligned = 0;
  for (i = 0; i < 4; ++i)
    if (emh_create(region[i] + i, sizeof region[i] - 4) != i) return 1;
  if (emh_create(region[0], 512) != -1) return 2;
  for (i = 1; i < 60; ++i) {
    void *p = emh_malloc((emh_heapId_t)(i % 4), (size_t)i);
    if (p == NULL) return 3;
    if ((uintptr_t)p % 16 != 0) ++misaligned;
  }
  printf("%d %d misaligned %d\n", EMH_MALLOC_N_HEAPS, EMH_MALLOC_BYTE_ALIGNMENT, misaligned);
  return 0;
}
C
if $MAKE -s --no-print-directory TARGET=host BUILD="$WORK/b" DEFS="-DEMH_MALLOC_N_HEAPS=4 -DEMH_MALLOC_BYTE_ALIGNMENT=16" lib > "$WORK/b.log" 2>&1; then
  blib="$WORK/b/host/libomniheap.a $(config host port_libs)"
  check "a library built with -DEMH_MALLOC_N_HEAPS=4 -DEMH_MALLOC_BYTE_ALIGNMENT=16 has 4 heaps and 16-aligned blocks" \
    sh -c "gcc $strict -I'$WORK/b/host/include' -Iapi/emh -Iapi/omniheap '$WORK/align.c' $blib -o '$WORK/align' && '$WORK/align' | grep -qx '4 16 misaligned 0'"
  check "... and accepts the firmware's emh_portenv.h asking for 4 heaps" \
    sh -c "gcc $strict -I'$WORK/env-heaps' -I'$WORK/b/host/include' -Iapi/emh -Iapi/omniheap '$WORK/app.c' $blib -o '$WORK/app2' && '$WORK/app2' | grep -qx 'portenv 4 8'"
else
  fail "the library builds with the upstream emh names" "$(tail -n 20 "$WORK/b.log")"
fi
summary
