#!/bin/sh
# project.yml is the one list of targets: the Makefile must agree with it,
# and must not keep a second list of its own.
. "$(dirname "$0")/checks.inc"

# An independent reading of project.yml (perl, not tools/manifest.awk).
perl_targets() {
  perl -ne 'if (/^targets:/) { $in = 1; next } if (/^\S/) { $in = 0 }
            print "$1\n" if $in && /^  ([A-Za-z0-9_.-]+):\s*(#.*)?$/' project.yml
}
perl_field() { # perl_field TARGET KEY
  perl -ne 'BEGIN { ($t, $k) = @ARGV[0,1]; @ARGV = ("project.yml") }
            if (/^targets:/) { $in = 1; next } if (/^\S/) { $in = 0 }
            if ($in && /^  (\S+):/) { $cur = $1; next }
            if ($in && $cur eq $t && /^    \Q$k\E:\s*(.*?)\s*(#.*)?$/) { $v = $1; $v =~ s/^"(.*)"$/$1/; print "$v\n" }' "$1" "$2"
}

yml=$(perl_targets | tr '\n' ' ' | sed 's/ $//')
mk=$(targets)
check "make print-targets lists the targets of project.yml ($yml)" test "$yml" = "$mk"

for t in $yml; do
  for k in toolchain cpu_flags defs opt port runner shared qemu_machine core_hz flash_origin flash_size ram_origin ram_size libc_specs; do
    want=$(perl_field "$t" "$k")
    got=$(config "$t" "$k")
    if [ "$want" != "$got" ]; then
      fail "target $t: $k is '$want' in project.yml but '$got' in the Makefile"
      continue 2
    fi
  done
  cflags=$(config "$t" core_cxxflags)
  case " $cflags " in
    *" $(perl_field "$t" cpu_flags) "*) pass "target $t: every field and the CPU flags of project.yml reach the Makefile" ;;
    *) fail "target $t: the compile flags do not contain cpu_flags '$(perl_field "$t" cpu_flags)': $cflags" ;;
  esac
done

# No target name is spelled out in the Makefile's rules (comments aside).
sed 's/#.*//' Makefile > "$WORK/Makefile.code"
hits=""
for t in $yml; do
  grep -n -w -e "$t" "$WORK/Makefile.code" >/dev/null && hits="$hits $t"
done
check "the Makefile names no target in its rules (all come from project.yml)" test -z "$hits"

# The manifest and the checks catch disagreements.
check_fails "an unknown TARGET is rejected" $MAKE -s --no-print-directory TARGET=no-such-target print-config
sed 's/^options:/options:\n  extra:\n    OMNIHEAP_CONF_UNDOCUMENTED: 1/' project.yml > "$WORK/project.yml"
check_fails "an option missing from the configuration reference stops the build" \
  tools/gen-config.sh "$WORK/cfg.h" core/config/omniheap_config.h.in "$WORK/project.yml" host posix 128 cc
printf 'targets:\n\tbad: tab\n' > "$WORK/tabs.yml"
check_fails "the manifest parser rejects what it cannot read" awk -f tools/manifest.awk -v mode=mk "$WORK/tabs.yml"
summary
