# manifest.awk — reads project.yml (a small YAML subset: nested maps of
# scalars, two-space indentation, '#' comments, optional double quotes).
#
#   awk -f tools/manifest.awk -v mode=mk      project.yml   > build/manifest.mk
#   awk -f tools/manifest.awk -v mode=options project.yml   (lines: family MACRO value)
#   awk -f tools/manifest.awk -v mode=aliases project.yml   (lines: UPSTREAM_NAME OMNIHEAP_NAME)
#   awk -f tools/manifest.awk -v mode=flat    project.yml   (lines: a.b.c=value)
#
# mk mode: every scalar at path a.b.c becomes `Y_a_b_c := value`; every map at
# path a.b becomes `Y_KEYS_a_b := key1 key2 ...` (in file order).
# Any line it cannot parse stops it with an error naming the line.

function fail(msg) {
    printf "project.yml:%d: %s\n", NR, msg > "/dev/stderr"
    failed = 1
    exit 1
}
function strip_comment(s,    i, c, q) {
    q = 0
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "\"") q = !q
        else if (c == "#" && !q && (i == 1 || substr(s, i - 1, 1) ~ /[ \t]/))
            return substr(s, 1, i - 1)
    }
    return s
}
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
function mkvar(path) { gsub(/\./, "_", path); return path }
function mkval(v) { gsub(/\$/, "$$", v); gsub(/#/, "\\#", v); return v }

BEGIN { depth = 0; nkeys = 0 }
{
    line = strip_comment($0)
    if (line ~ /^[ \t]*$/) next
    if (line ~ /\t/) fail("tabs are not allowed")
    match(line, /^ */)
    indent = RLENGTH
    if (indent % 2) fail("indentation must be a multiple of two spaces")
    level = indent / 2
    body = trim(line)
    if (body !~ /^[A-Za-z0-9_.-]+:/) fail("expected 'key: value'")
    key = body; sub(/:.*/, "", key)
    val = body; sub(/^[^:]*:/, "", val); val = trim(val)
    if (level > depth) fail("unexpected indentation")
    depth = level
    parent = ""
    for (i = 0; i < level; i++) parent = parent (i ? "." : "") stack[i]
    path = parent (parent == "" ? "" : ".") key
    # record the key in its parent's key list
    if (!((parent, key) in seen)) {
        seen[parent, key] = 1
        keys[parent] = keys[parent] (keys[parent] == "" ? "" : " ") key
        if (!(parent in known)) { known[parent] = 1; order[++nkeys] = parent }
    } else fail("duplicate key '" path "'")
    if (val == "") {
        stack[level] = key
        depth = level + 1
        ismap[path] = 1
        next
    }
    if (val ~ /^".*"$/) val = substr(val, 2, length(val) - 2)
    else if (val ~ /^"/) fail("unterminated quote")
    scalar[path] = val
    sorder[++nscalar] = path
}
END {
    if (failed) exit 1
    if (mode == "mk") {
        print "# generated from project.yml by tools/manifest.awk — do not edit"
        for (i = 1; i <= nkeys; i++) {
            p = order[i]
            printf "Y_KEYS%s := %s\n", (p == "" ? "" : "_" mkvar(p)), keys[p]
        }
        for (i = 1; i <= nscalar; i++)
            printf "Y_%s := %s\n", mkvar(sorder[i]), mkval(scalar[sorder[i]])
    } else if (mode == "options") {
        for (i = 1; i <= nscalar; i++) {
            p = sorder[i]
            if (p ~ /^options\./) {
                n = split(p, parts, ".")
                if (n != 3) { NR = 0; fail("options must be options.<family>.<MACRO>: " p) }
                print parts[2], parts[3], scalar[p]
            }
        }
    } else if (mode == "aliases") {
        for (i = 1; i <= nscalar; i++) {
            p = sorder[i]
            if (p ~ /^aliases\./) { sub(/^aliases\./, "", p); print p, scalar["aliases." p] }
        }
    } else if (mode == "flat") {
        for (i = 1; i <= nscalar; i++) print sorder[i] "=" scalar[sorder[i]]
    } else {
        print "manifest.awk: mode must be mk, options, aliases or flat" > "/dev/stderr"
        exit 2
    }
}
