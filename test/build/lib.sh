# Shared helpers of the build checks (sourced by test/build/*.sh).
# Each check script ends with `summary`, which prints the closing line
# "N passed, N failed" that test/run-all.sh counts.
set -u
cd "$(dirname "$0")/../.." || exit 2
MAKE=${MAKE:-make}
CHECK_PASSED=0
CHECK_FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/omniheap-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

pass() { CHECK_PASSED=$((CHECK_PASSED + 1)); echo "ok   $1"; }
fail() { CHECK_FAILED=$((CHECK_FAILED + 1)); echo "FAIL $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/     /'; return 0; }

# check NAME CMD... — passes iff CMD exits 0; CMD's output is shown on failure.
check() {
  name=$1
  shift
  if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$out"; fi
}

# check_fails NAME CMD... — passes iff CMD exits non-zero (a negative test).
check_fails() {
  name=$1
  shift
  if out=$("$@" 2>&1); then fail "$name" "expected a failure, but it succeeded: $out"; else pass "$name"; fi
}

summary() {
  echo "$CHECK_PASSED passed, $CHECK_FAILED failed"
  [ "$CHECK_FAILED" -eq 0 ]
}

config() { # config TARGET KEY
  $MAKE -s --no-print-directory TARGET="$1" print-config | sed -n "s/^$2=//p"
}

targets() { $MAKE -s --no-print-directory print-targets; }

# Targets whose compiler is installed.
available_targets() {
  for t in $(targets); do
    command -v "$(config "$t" cc)" >/dev/null 2>&1 && echo "$t"
  done
}
