#!/bin/sh
# Compiles every bpf/*.bpf.c into OUTDIR/<name>.bpf.o (clang -target bpf, UAPI + libbpf-dev headers, BTF with -g).
# -mcpu=v3: atomic fetch-and-add (round-robin counter) and 32-bit jumps; needs kernel >= 5.12.
# Usage: bpf/build.sh OUTDIR [GENDIR]   (CLANG=clang-19 bpf/build.sh OUTDIR to pick another compiler)
# Objects that include "vmlinux.h" (only udp_reap.bpf.c: iterator contexts are not UAPI) get it generated into GENDIR
# (default: a temporary directory) from the build machine's BTF with bpftool; without BTF or bpftool such an object
# is skipped with a warning and the agent reports the feature as unavailable.
set -eu
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 OUTDIR [GENDIR]" >&2
    exit 2
fi
out=$1
gen=${2:-}
if [ -z "$gen" ]; then
    gen=$(mktemp -d)
    trap 'rm -rf "$gen"' EXIT
fi
src=$(cd "$(dirname "$0")" && pwd)
cc=${CLANG:-clang}
if ! command -v "$cc" >/dev/null 2>&1; then
    echo "$0: $cc not found (apt-get install clang libbpf-dev)" >&2
    exit 1
fi
if [ ! -f /usr/include/bpf/bpf_helpers.h ]; then
    echo "$0: /usr/include/bpf/bpf_helpers.h not found (apt-get install libbpf-dev)" >&2
    exit 1
fi
mkdir -p "$out"
arch=$(uname -m)
vmlinux_h() {
    [ -s "$gen/vmlinux.h" ] && return 0
    if [ ! -r /sys/kernel/btf/vmlinux ] || ! command -v bpftool >/dev/null 2>&1; then
        return 1
    fi
    mkdir -p "$gen"
    bpftool btf dump file /sys/kernel/btf/vmlinux format c >"$gen/vmlinux.h.tmp" && mv "$gen/vmlinux.h.tmp" "$gen/vmlinux.h"
}
for c in "$src"/*.bpf.c; do
    name=$(basename "$c" .c)
    if grep -q '^#include "vmlinux.h"' "$c" && ! vmlinux_h; then
        echo "$0: warning: skipping $name (needs /sys/kernel/btf/vmlinux and bpftool to generate vmlinux.h)" >&2
        continue
    fi
    "$cc" -O2 -g -Wall -Werror -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 \
        -I"/usr/include/$arch-linux-gnu" -I"$src" -I"$gen" \
        -c "$c" -o "$out/$name.o"
done
