#!/bin/sh
# localize.sh — make every hidden symbol of a relocatable object local, so the
# static library exports only the documented C API (symbols built with
# default visibility).
#
# usage: localize.sh OBJCOPY READELF IN OUT
#
# Section groups (COMDAT: inline functions, template instances, i386 PIC
# thunks) are dissolved first: the relocatable object already holds one copy
# of each, and a group left in place could be discarded in favour of another
# object's copy of the same group (a program that instantiates the same
# template, the C runtime's thunks) while our now-local references still
# point into it.
set -eu
objcopy=$1 readelf=$2 in=$3 out=$4
list=$out.localize
"$readelf" -sW "$in" | awk '
  $1 ~ /^[0-9]+:$/ && ($5 == "GLOBAL" || $5 == "WEAK") && $6 == "HIDDEN" && $7 != "UND" { print $8 }' |
  sort -u > "$list"
# (objcopy fails, silently, on an empty --localize-symbols list)
if [ -s "$list" ]; then
  "$objcopy" --remove-section=.group --localize-symbols="$list" "$in" "$out"
else
  "$objcopy" --remove-section=.group "$in" "$out"
fi
rm -f "$list"
