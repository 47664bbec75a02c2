#!/bin/sh
# Service connect paths benchmark (issue 4): direct vs iptables DNAT vs nodemesh connect-time translation.
# Run as root from the repository root after `mvn -pl mesh-ebpf -am install -DskipTests`:
#   bpf/bench/service-lb.sh [seconds-per-run] [rounds]
set -eu
cd "$(dirname "$0")/../.."
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
cp_file=mesh-ebpf/target/bench.classpath
gcc -O2 -Wall -Werror -o mesh-ebpf/target/connrate bpf/bench/connrate.c
mvn -q -o -B -pl mesh-ebpf dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
# run from a private copy of the classes: a build of the module running meanwhile must not pull them away
snap=$(mktemp -d /tmp/nme-bench.XXXXXX)
trap 'rm -rf "$snap"' EXIT
cp -r mesh-ebpf/target/classes "$snap/classes"
cp -r mesh-ebpf/target/test-classes "$snap/test-classes"
cp mesh-ebpf/target/connrate "$snap/connrate"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dnodemesh.connrate="$snap/connrate" \
    -cp "$snap/test-classes:$snap/classes:$(cat "$cp_file")" \
    io.nodemesh.ebpf.testing.bench.ServiceLbBenchmark "$@"
