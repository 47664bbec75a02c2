#!/bin/sh
# A stand-in for envoy that behaves like it as the supervisor sees it: reads -c and --restart-epoch, becomes "ready"
# (a file the test's readiness probe reads), exits when told to crash, and — like a parent epoch after a hot restart —
# exits once a newer epoch has started.
while [ $# -gt 0 ]; do
  case "$1" in
    -c) conf="$2"; shift 2 ;;
    --restart-epoch) epoch="$2"; shift 2 ;;
    *) shift ;;
  esac
done
dir=$(dirname "$conf")
echo "$$" >> "$dir/started-$epoch"
[ -e "$dir/exit-at-start" ] && exit 7
[ -e "$dir/never-ready" ] || touch "$dir/ready-$epoch"
while true; do
  if [ -e "$dir/crash" ]; then rm -f "$dir/crash" "$dir/ready-$epoch"; exit 3; fi
  next=$((epoch + 1))
  if [ -e "$dir/started-$next" ]; then rm -f "$dir/ready-$epoch"; exit 0; fi
  sleep 0.05
done
