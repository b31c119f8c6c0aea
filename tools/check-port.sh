#!/bin/sh
# check-port.sh — fail the build, naming the hook, if a port does not define
# every mandatory hook of api/omniheap/omniheap_port.h.
#
# usage: check-port.sh PORT_NAME HEADER NM OBJECT...
set -eu
port=$1 header=$2 nm=$3
shift 3
hooks=$(sed -n 's/^OMNIHEAP_PORT_HOOK[^(]*[ *]\(omniheap_port_[a-z0-9_]*\)(.*/\1/p' "$header")
[ -n "$hooks" ] || { echo "check-port.sh: no OMNIHEAP_PORT_HOOK declarations found in $header" >&2; exit 2; }
defined=$("$nm" --defined-only -g "$@" | awk 'NF >= 3 && $2 ~ /^[TDBRW]$/ { print $3 }')
missing=0
for hook in $hooks; do
  if ! printf '%s\n' "$defined" | grep -qx "$hook"; then
    echo "error: port '$port' does not define mandatory hook $hook() (declared in $header; see docs/pages/porting.md)" >&2
    missing=$((missing + 1))
  fi
done
[ $missing -eq 0 ] || exit 1
