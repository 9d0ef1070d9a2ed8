#!/usr/bin/env bash
# Regenerates raw jextract bindings equivalent to the hand-written ones in ffm-bindings, where jextract is
# installed (it is not obtainable on our build machines). The output is for review: diff a layout or a
# function descriptor against ours. The committed bindings stay hand-written: they add errno capture,
# -errno return conventions and exceptions that name their arguments, and LayoutConformanceTest checks
# them against the same headers.
#
#   native/jextract.sh [OUTDIR]        (default: native/target/jextract)
#
# Per binding class: the exact header(s) and the symbols to include. The symbol lists are read from the
# binding class itself (functions it looks up, constants it declares, layouts it names), so this script
# cannot drift from what the bindings use; the header list is the part kept by hand below.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SRC="$HERE/../ffm-bindings/src/main/java/io/dsipanama/ffm"
OUT=${1:-$HERE/target/jextract}
JEXTRACT=${JEXTRACT:-jextract}

command -v "$JEXTRACT" >/dev/null || {
    echo "jextract.sh: '$JEXTRACT' not found. Get jextract for JDK 22+ and put it on PATH (or set JEXTRACT)." >&2
    exit 1
}

# class | headers (first one is the root header given to jextract; the rest are included by a wrapper)
BINDINGS=(
    "Errno|errno.h string.h"
    "Unistd|unistd.h"
    "Mman|sys/mman.h"
    "Fcntl|fcntl.h linux/falloc.h"
    "Stat|sys/stat.h"
    "Time|time.h"
    "Eventfd|sys/eventfd.h"
    "Poll|poll.h"
    "Pidfd|sys/pidfd.h"
    "Futex|linux/futex.h"
    "Userfaultfd|linux/userfaultfd.h"
    "Sched|sched.h linux/sched.h"
    "Resource|sys/resource.h"
    "Socket|sys/socket.h netinet/in.h netinet/udp.h netinet/tcp.h linux/udp.h"
    "Liburing|liburing.h"
)
# Shim functions (dsi_*) and the shim's own structures come from our header.
SHIM_HEADERS="dsi_shim.h dsi_uffd.h linux/sched/types.h"

symbols() { # class -> jextract --include-* options
    local file="$SRC/$1.java"
    grep -o 'Native\.\(libc\|shim\)("[a-z_0-9]*"' "$file" | grep -v '("dsi_' | sed 's/.*("\(.*\)"/--include-function \1/' | sort -u || true
    grep -o 'public static final \(int\|long\|short\|byte\) [A-Z_][A-Z0-9_]*' "$file" \
        | awk '{print "--include-constant " $5}' | sort -u || true
    grep -o 'withName("[a-z_][a-z_0-9]*")' "$file" | sed 's/withName("\(.*\)")/--include-struct \1/' | sort -u || true
}

shim_symbols() {
    grep -ho 'Native\.shim("dsi_[a-z_0-9]*"' "$SRC"/*.java | sed 's/.*("\(.*\)"/--include-function \1/' | sort -u
}

mkdir -p "$OUT/wrappers"
for entry in "${BINDINGS[@]}"; do
    cls=${entry%%|*}
    headers=${entry#*|}
    wrapper="$OUT/wrappers/$cls.h"
    : > "$wrapper"
    for h in $headers; do echo "#include <$h>" >> "$wrapper"; done
    # shellcheck disable=SC2046
    "$JEXTRACT" --output "$OUT/src" --target-package "io.dsipanama.ffm.raw.$(echo "$cls" | tr 'A-Z' 'a-z')" \
        --header-class-name "${cls}_h" -D _GNU_SOURCE \
        $(symbols "$cls") "$wrapper"
done

wrapper="$OUT/wrappers/Shim.h"
: > "$wrapper"
for h in $SHIM_HEADERS; do echo "#include <$h>" >> "$wrapper"; done
# shellcheck disable=SC2046
"$JEXTRACT" --output "$OUT/src" --target-package io.dsipanama.ffm.raw.shim --header-class-name Shim_h \
    -D _GNU_SOURCE -I "$HERE/include" --library dsinative \
    $(shim_symbols) --include-struct dsi_uffd_ring --include-struct dsi_uffd_event "$wrapper"

echo "jextract.sh: raw bindings in $OUT/src"
