# Input sections of a GNU ld linker map (test/bench/run.sh, code size): prints
# "size section file" for every input section of .text*, .rodata*, .data* and
# .bss* with a non-zero size (the name and the numbers may be on two lines).
function hex(s,   i, c, v) { v = 0; s = tolower(s); sub(/^0x/, "", s)
  for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c } return v }
/^Linker script and memory map/ { on = 1; next }
!on { next }
/^ \.(text|rodata|data|bss|sdata|sbss)[^ ]*$/ { pend = $1; next }
pend != "" && /^ +0x[0-9a-f]+ +0x[0-9a-f]+ / { n = hex($2); if (n > 0) print n, pend, $3; pend = ""; next }
/^ \.(text|rodata|data|bss)[^ ]* +0x[0-9a-f]+ +0x[0-9a-f]+ / { n = hex($3); if (n > 0) print n, $1, $4; pend = ""; next }
{ pend = "" }
