# Shared by scripts/demo, scripts/test and scripts/bench-*: root, OS packages, the build.
# Sourced, not run.

# Namespaces need root. Re-run the calling script through sudo when not root.
vip_require_root() {
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            exec sudo -E "$0" "$@"
        fi
        echo "$(basename "$0"): needs root (network namespaces); run it as root" >&2
        exit 1
    fi
}

# Installs the Debian packages the build, the tests and the demo need, when any is missing.
vip_install_packages() {
    local wanted="libpcap0.8 iproute2 iputils-ping iputils-arping tcpdump util-linux jq procps time systemd
        postgresql-15 postgresql-15-repmgr lintian man-db"
    command -v javac >/dev/null 2>&1 || wanted="$wanted openjdk-17-jdk-headless"
    command -v mvn >/dev/null 2>&1 || wanted="$wanted maven"
    local missing=""
    for p in $wanted; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        echo "installing:$missing" >&2
        # PostgreSQL's binaries only: the tests make their own clusters in namespaces, so Debian's default
        # cluster (a server on this machine's port 5432) is not created
        if ! [ -e /etc/postgresql-common/createcluster.conf ]; then
            mkdir -p /etc/postgresql-common
            echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
        fi
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
    fi
}

# The accounts the daemon tests use, as a package would make them: the service user vip, and postgres
# (the repmgr user) when PostgreSQL is not installed.
vip_ensure_users() {
    getent group postgres >/dev/null || groupadd --system postgres
    getent passwd postgres >/dev/null || useradd --system --gid postgres --home-dir /var/lib/postgresql \
        --no-create-home --shell /bin/sh postgres
    getent passwd vip >/dev/null || useradd --system --user-group --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin vip
}

# Builds the jars bin/vip runs (no tests).
vip_build() {
    # the CLI only: the Debian package (module packaging) is built by the test command
    (cd "$VIP_ROOT" && mvn -B -q -DskipTests package -pl vip-cli -am)
}

# Deletes namespaces left by an earlier run that was killed before it could clean up.
vip_remove_stale_namespaces() {
    local pattern=$1
    local ns
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "$pattern" || true); do
        echo "removing stale namespace $ns" >&2
        ip netns del "$ns" || true
    done
}
