#!/usr/bin/env bash
# Compiles mesh-ebpf's own test programs (src/test/bpf/*.bpf.c) into the directory given as $1.
set -euo pipefail
out=${1:?usage: build-test-objects.sh OUTPUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
for src in "$here"/*.bpf.c; do
  obj="$out/$(basename "${src%.c}").o"
  # ../../../../bpf: flow_hash.h and testdata/ (the vectors flow_hash_vectors.bpf.c hashes)
  clang -O2 -g -target bpf -D__TARGET_ARCH_x86 -I"/usr/include/$(uname -m)-linux-gnu" \
    -I"$here/../../../../bpf" -I"$here/../../../../bpf/testdata" -c "$src" -o "$obj"
done
