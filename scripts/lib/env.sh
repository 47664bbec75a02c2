# Shared set-up for nodemesh's scripts: a JDK >= 25, Maven, the Debian packages the tests need, bpffs and BPF stats.
# Sourced, not run. Every step is idempotent, so the scripts can run on a fresh machine or a used one.

# Debian packages the build and the privileged tests use.
NODEMESH_PACKAGES=(maven clang llvm libbpf1 libbpf-dev bpftool iproute2 wireguard-go wireguard-tools nftables iptables
  sockperf iperf3 haproxy tshark gcc openssl)

nodemesh_log() { printf '[nodemesh] %s\n' "$*" >&2; }

# Sets JAVA_HOME to a JDK >= 25: JAVA_HOME if it is one, else the known install locations.
nodemesh_find_java() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  candidates+=(/usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-arm64 /usr/lib/jvm/java-25-openjdk-amd64
    /usr/lib/jvm/java-25-openjdk-arm64 /usr/lib/jvm/jdk-25 /opt/java/openjdk)
  local dir
  for dir in /usr/lib/jvm/*; do [ -d "$dir" ] && candidates+=("$dir"); done
  for dir in "${candidates[@]}"; do
    if [ -x "$dir/bin/java" ] && [ -x "$dir/bin/javac" ]; then
      local major
      major=$("$dir/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
      if [ -n "$major" ] && [ "${major%%.*}" -ge 25 ] 2>/dev/null; then
        export JAVA_HOME="$dir"
        export PATH="$JAVA_HOME/bin:$PATH"
        return 0
      fi
    fi
  done
  nodemesh_log "no JDK 25 or newer found. Looked at: JAVA_HOME (${JAVA_HOME:-unset}), /usr/lib/jvm/temurin-25-jdk-*,"
  nodemesh_log "/usr/lib/jvm/java-25-openjdk-*, /usr/lib/jvm/jdk-25, /opt/java/openjdk and every JDK under /usr/lib/jvm."
  nodemesh_log "Install one (e.g. Temurin 25) and set JAVA_HOME to it."
  return 1
}

# As root, installs whichever of the needed Debian packages are missing; otherwise says what is missing.
nodemesh_install_packages() {
  local missing=() pkg
  for pkg in "${NODEMESH_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    nodemesh_log "missing Debian packages (privileged tests will skip): ${missing[*]}"
    nodemesh_log "install them with: sudo apt-get install ${missing[*]}"
    return 0
  fi
  nodemesh_log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q "${missing[@]}" >/dev/null
}

# As root: bpffs mounted at /sys/fs/bpf, BPF run statistics on (tests read run_cnt), cgroup v2 present.
nodemesh_kernel_setup() {
  [ "$(id -u)" -eq 0 ] || return 0
  if ! grep -q ' /sys/fs/bpf bpf ' /proc/mounts; then
    mkdir -p /sys/fs/bpf && mount -t bpf bpf /sys/fs/bpf || nodemesh_log "could not mount bpffs at /sys/fs/bpf"
  fi
  sysctl -qw kernel.bpf_stats_enabled=1 || nodemesh_log "could not enable kernel.bpf_stats_enabled"
  if ! grep -q ' cgroup2 ' /proc/mounts; then
    mkdir -p /sys/fs/cgroup/unified && mount -t cgroup2 none /sys/fs/cgroup/unified \
      || nodemesh_log "no cgroup v2 mount and could not mount one at /sys/fs/cgroup/unified"
  fi
}

nodemesh_setup() {
  nodemesh_find_java || return 1
  # Maven 3.8's bundled guava warns about sun.misc.Unsafe on JDK 24+; harmless, so keep the logs clean.
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow -Dstyle.color=never"
  nodemesh_install_packages
  nodemesh_kernel_setup
  command -v mvn >/dev/null || { nodemesh_log "Maven (mvn) not found: apt-get install maven"; return 1; }
}
