#!/bin/sh
# Compiles every bpf/*.bpf.c into OUTDIR/<name>.bpf.o (clang -target bpf, UAPI + libbpf-dev headers, BTF with -g).
# -mcpu=v3: atomic fetch-and-add (round-robin counter) and 32-bit jumps; needs kernel >= 5.12.
# Usage: bpf/build.sh OUTDIR      (CLANG=clang-19 bpf/build.sh OUTDIR to pick another compiler)
set -eu
if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out=$1
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
for c in "$src"/*.bpf.c; do
    name=$(basename "$c" .c)
    "$cc" -O2 -g -Wall -Werror -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 \
        -I"/usr/include/$arch-linux-gnu" -I"$src" \
        -c "$c" -o "$out/$name.o"
done
