#!/bin/sh
# Runs every fuzzer in DIR with the given libFuzzer options (from an empty
# corpus); each fuzzer that finishes without a crash counts as passed.
# Prints the closing line "N passed, N failed".
#   test/fuzz/run.sh DIR [libFuzzer options...]
set -u
dir=$1
shift
passed=0 failed=0
work=$(mktemp -d "${TMPDIR:-/tmp}/omniheap-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
for f in "$dir"/*; do
  [ -x "$f" ] || continue
  name=$(basename "$f")
  mkdir -p "$work/$name"
  if "$f" "$work/$name" -artifact_prefix="$work/$name-" "$@" > "$work/$name.log" 2>&1; then
    passed=$((passed + 1))
    echo "ok   $name: $(grep -E '^(Done|#[0-9]+ +DONE)' "$work/$name.log" | tail -n 1)"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
    tail -n 30 "$work/$name.log" | sed 's/^/     /'
    for a in "$work/$name"-*; do [ -f "$a" ] && echo "     reproducer (hex): $(od -An -tx1 "$a" | tr -d ' \n' | head -c 400)"; done
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
