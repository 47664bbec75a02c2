#!/bin/sh
# Loads every object built by build.sh into the running kernel with bpftool, so the verifier checks each program,
# then throws everything away. Needs root.
# The objects pin their maps by name under bpftool's default root (/sys/fs/bpf), so the load runs in a private
# mount namespace on a fresh bpffs instance: nothing it pins is visible outside, and all of it vanishes on exit.
# Usage: bpf/verify.sh OBJDIR
set -eu
if [ $# -ne 1 ]; then
    echo "usage: $0 OBJDIR" >&2
    exit 2
fi
objdir=$(cd "$1" && pwd)
exec unshare --mount --propagation private sh -eu -c '
    mount -t bpf bpf /sys/fs/bpf
    status=0
    for o in "$1"/*.bpf.o; do
        name=$(basename "$o" .bpf.o)
        if bpftool prog loadall "$o" "/sys/fs/bpf/nme-verify-$name" >"/tmp/nme-verify-$name.log" 2>&1; then
            echo "$name: verifier accepted $(ls "/sys/fs/bpf/nme-verify-$name" | wc -l) programs: $(ls "/sys/fs/bpf/nme-verify-$name" | tr "\n" " ")"
        else
            echo "$name: REJECTED (full log: /tmp/nme-verify-$name.log)"
            tail -40 "/tmp/nme-verify-$name.log"
            status=1
        fi
    done
    exit $status
' verify "$objdir"
