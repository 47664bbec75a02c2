#!/usr/bin/env bash
# Same-node pod->pod benchmark: plain veth vs a minimal sockops/sk_msg redirect vs nodemesh (see docs/ebpf.md).
# Needs root, sockperf and iperf3. Usage: mesh-ebpf/bench/redirect-bench.sh [seconds-per-measurement]
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
mvn -q -B -o test-compile >/dev/null
mvn -q -B -o dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" io.nodemesh.ebpf.bench.RedirectBenchmark "$@"
