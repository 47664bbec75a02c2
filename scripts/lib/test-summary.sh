#!/usr/bin/env bash
# Sums every module's Surefire reports, and separately the privileged (*RootTest) ones, so a log shows how many ran.
cd "$(dirname "$0")/../.."
total=0 failed=0 skipped=0 root_total=0 root_skipped=0 root_failed=0
for report in $(find . -path '*/target/surefire-reports/TEST-*.xml' 2>/dev/null); do
  header=$(grep -m1 -o '<testsuite [^>]*>' "$report")
  attr() { printf '%s' "$header" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  t=$(attr tests); f=$(attr failures); e=$(attr errors); s=$(attr skipped)
  total=$((total + ${t:-0})); failed=$((failed + ${f:-0} + ${e:-0})); skipped=$((skipped + ${s:-0}))
  case "$report" in
    *RootTest.xml) root_total=$((root_total + ${t:-0})); root_skipped=$((root_skipped + ${s:-0}))
                   root_failed=$((root_failed + ${f:-0} + ${e:-0})) ;;
  esac
done
echo
echo "Privileged tests (*RootTest): $((root_total - root_skipped)) ran ($root_failed failed), $root_skipped skipped"
echo "nodemesh: $((total - failed - skipped)) passed, $failed failed, $skipped skipped"
