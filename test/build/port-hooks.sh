#!/bin/sh
# Port layer: every shipped port defines every mandatory hook; a port that
# lacks one stops the build with a message naming the hook; the template
# port builds a working library.
. "$(dirname "$0")/checks.inc"

hdir=$(config host build_dir)
$MAKE -s --no-print-directory TARGET=host lib >/dev/null
incs="-I$hdir/include"
for r in api/*/; do incs="$incs -I$r"; done
hooks=$(sed -n 's/^OMNIHEAP_PORT_HOOK[^(]*[ *]\(omniheap_port_[a-z0-9_]*\)(.*/\1/p' api/omniheap/omniheap_port.h)
check "omniheap_port.h declares the hooks of the contract (lock, wait/notify, time, panic, corruption, output)" \
  sh -c "for h in critical_enter critical_exit lock_acquire lock_release wait notify_all time_us panic corruption write; do
           echo '$hooks' | grep -qx omniheap_port_\$h || { echo missing omniheap_port_\$h; exit 1; }; done"

for port in $(ls -d ports/*/ | sed 's|ports/||; s|/$||'); do
  case $port in
    cortex-m) command -v arm-none-eabi-gcc >/dev/null 2>&1 || { echo "skip $port: arm-none-eabi-gcc missing"; continue; }
              cc="arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb"; nm=arm-none-eabi-nm ;;
    *) cc=gcc; nm=nm ;;
  esac
  ok=1
  for src in ports/"$port"/*.c; do
    $cc -std=c11 -Wall -Wextra -Werror -pedantic $incs -Iports/"$port" -c "$src" \
      -o "$WORK/$port-$(basename "$src" .c).o" > "$WORK/cc.log" 2>&1 || { ok=0; break; }
  done
  if [ $ok = 1 ]; then
    check "port $port defines every mandatory hook" tools/check-port.sh "$port" api/omniheap/omniheap_port.h $nm "$WORK/$port"-*.o
  else
    fail "port $port compiles" "$(cat "$WORK/cc.log")"
  fi
done

# A port without omniheap_port_panic: the check names the hook and fails.
awk '/^void omniheap_port_panic/ { skip = 1 } skip && /^}/ { skip = 0; next } !skip' \
  ports/template/port.c > "$WORK/incomplete.c"
gcc -std=c11 -Wall -Wextra -Werror $incs -c "$WORK/incomplete.c" -o "$WORK/incomplete.o"
if out=$(tools/check-port.sh incomplete api/omniheap/omniheap_port.h nm "$WORK/incomplete.o" 2>&1); then
  fail "a port lacking omniheap_port_panic stops the build" "check-port.sh accepted it"
else
  case $out in
    *"port 'incomplete' does not define mandatory hook omniheap_port_panic()"*)
      pass "a port lacking omniheap_port_panic stops the build, naming the hook: $out" ;;
    *) fail "a port lacking omniheap_port_panic stops the build, naming the hook" "$out" ;;
  esac
fi
# ... and a program linked against it fails with an undefined reference to it.
ar x "$hdir/libomniheap.a" omniheap-core.o --output="$WORK" 2>/dev/null || (cd "$WORK" && ar x "$OLDPWD/$hdir/libomniheap.a" omniheap-core.o)
printf '#include "lib/memb.h"\nMEMB(p, int, 2);\nint main(void) { memb_init(&p); return memb_free(&p, 0) == -1 ? 0 : 1; }\n' > "$WORK/prog.c"
if out=$(gcc $incs "$WORK/prog.c" "$WORK/omniheap-core.o" "$WORK/incomplete.o" -o "$WORK/prog" 2>&1); then
  fail "linking with the incomplete port fails" "it linked"
else
  case $out in
    *"undefined reference to \`omniheap_port_panic'"*) pass "linking with the incomplete port fails: undefined reference to omniheap_port_panic" ;;
    *) fail "linking with the incomplete port fails naming omniheap_port_panic" "$out" ;;
  esac
fi

# The template port builds a library whose conformance suite passes (it
# behaves like "none" without a C library: no locking, no time, no output).
if $MAKE -s --no-print-directory TARGET=host-none PORT=template BUILD="$WORK/b" conformance > "$WORK/t.log" 2>&1; then
  check "a library with the template port passes the conformance suite" "$WORK/b/host-none/test/conformance-c11"
else
  fail "a library with the template port builds" "$(tail -n 20 "$WORK/t.log")"
fi
summary
