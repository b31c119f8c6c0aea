#!/bin/sh
# gen-config.sh — resolve the build options and write omniheap_config.h.
#
# usage: gen-config.sh OUT TEMPLATE MANIFEST TARGET PORT LOCK_BYTES CC [CPPFLAGS...]
#
# Precedence, resolved by the C preprocessor itself: -D flags in CPPFLAGS,
# then the header named by OMNIHEAP_CONFIG_HEADER (if defined), then the
# defaults of project.yml. The file is only replaced when its content changes,
# so objects are rebuilt only when the configuration really changed.
set -eu
out=$1 template=$2 manifest=$3 target=$4 port=$5 lock_bytes=$6 cc=$7
shift 7
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

awk -f "$here/manifest.awk" -v mode=options "$manifest" > "$tmp/options"
awk -f "$here/manifest.awk" -v mode=aliases "$manifest" > "$tmp/aliases"
version=$(awk -f "$here/manifest.awk" -v mode=flat "$manifest" | sed -n 's/^version=//p')
abi=$(awk -f "$here/manifest.awk" -v mode=flat "$manifest" | sed -n 's/^abi_version=//p')
case $version in
  *.*.*) ;;
  *) echo "project.yml: version '$version' is not major.minor.patch" >&2; exit 1 ;;
esac

{
  # -D values win over the user header even if it redefines them without
  # #ifndef: save them around the #include.
  while read -r family name value; do
    printf '#ifdef %s\n#define OMNIHEAP_FROM_COMMAND_LINE_%s 1\n#pragma push_macro("%s")\n#endif\n' \
      "$name" "$name" "$name"
  done < "$tmp/options"
  echo '#ifdef OMNIHEAP_CONFIG_HEADER'
  echo '#include OMNIHEAP_CONFIG_HEADER'
  echo '#endif'
  while read -r family name value; do
    printf '#ifdef OMNIHEAP_FROM_COMMAND_LINE_%s\n#undef %s\n#pragma pop_macro("%s")\n#endif\n' \
      "$name" "$name" "$name"
  done < "$tmp/options"
  # Upstream names (aliases) come next, then project.yml's defaults.
  while read -r upstream name; do
    printf '#if !defined(%s) && defined(%s)\n#define %s %s\n#endif\n' "$name" "$upstream" "$name" "$upstream"
  done < "$tmp/aliases"
  while read -r family name value; do
    printf '#ifndef %s\n#define %s %s\n#endif\n' "$name" "$name" "$value"
  done < "$tmp/options"
  while read -r family name value; do
    printf '"@@%s@@" %s\n' "$name" "$name"
  done < "$tmp/options"
} > "$tmp/resolve.c"

"$cc" "$@" -w -E -P -x c "$tmp/resolve.c" > "$tmp/resolved" || {
  echo "gen-config.sh: the preprocessor failed on the configuration (check DEFS / CONFIG_HEADER)" >&2
  exit 1
}

sedscript=$tmp/sed
{
  printf 's|@VERSION@|%s|g\n' "$version"
  printf 's|@VERSION_MAJOR@|%s|g\n' "${version%%.*}"
  rest=${version#*.}
  printf 's|@VERSION_MINOR@|%s|g\n' "${rest%%.*}"
  printf 's|@VERSION_PATCH@|%s|g\n' "${rest#*.}"
  printf 's|@ABI_VERSION@|%s|g\n' "$abi"
  printf 's|@TARGET@|%s|g\n' "$target"
  printf 's|@PORT@|%s|g\n' "$port"
  printf 's|@PORT_LOCK_BYTES@|%s|g\n' "$lock_bytes"
} > "$sedscript"

status=0
while read -r family name value; do
  resolved=$(sed -n "s/^\"@@$name@@\" //p" "$tmp/resolved" | sed 's/[[:space:]]*$//')
  if [ -z "$resolved" ]; then
    echo "gen-config.sh: option $name resolved to nothing" >&2; status=1
  fi
  if ! grep -q "@$name@" "$template"; then
    echo "gen-config.sh: option $name (project.yml options.$family) is not documented in $template" >&2
    status=1
  fi
  printf 's|@%s@|%s|g\n' "$name" "$resolved" >> "$sedscript"
done < "$tmp/options"

sed -f "$sedscript" "$template" > "$tmp/out.h"
left=$(grep -o '@[A-Z0-9_]*@' "$tmp/out.h" | sort -u | tr '\n' ' ' || true)
if [ -n "$left" ]; then
  echo "gen-config.sh: $template has placeholders that project.yml does not define: $left" >&2
  status=1
fi
[ $status -eq 0 ] || exit $status

mkdir -p "$(dirname "$out")"
if [ -f "$out" ] && cmp -s "$tmp/out.h" "$out"; then
  exit 0
fi
cp "$tmp/out.h" "$out"
