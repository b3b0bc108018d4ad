# shellcheck shell=bash
# Shared by scripts/demo, scripts/test, scripts/bench-*, scripts/check-units and tests/e2e: the set-up
# (root, packages, accounts, kernel support), the containment of everything a run starts, the test
# network of namespaces, and small helpers. Sourced, not run.
#
# A set-up step that fails stops the run at once with one line: `script: what failed: how to fix`.
# Nothing a run starts outlives it: vip_contain tags the run (an environment variable VIP_RUN_<pid>
# that every program started from it inherits: ip netns exec, setpriv, pg_ctl, postgres, repmgrd and
# the commands it runs keep their environment), and at exit, on Ctrl-C, SIGTERM or SIGHUP, every
# process so tagged, and every descendant of one, is ended (TERM, then KILL), then the namespaces and
# directories the run made are removed. A process still there after that is named and the run fails.

# --- set-up ---------------------------------------------------------------------------------------

# vip_die WHAT HOW: one line, `script: WHAT: HOW`, and exit 1 (the exit trap then cleans up)
vip_die() {
    echo "$(basename "$0"): $1: $2" >&2
    exit 1
}

# Everything a script needs before it starts: root, the Debian packages, the accounts, kernel support
# for namespaces with veth pairs and a bridge, and the containment of what it starts. Call it first,
# with the script's arguments: vip_setup "$@"
vip_setup() {
    vip_require_root "$@"
    vip_contain "$@"
    vip_install_packages
    vip_ensure_users
    vip_ensure_kernel
    vip_end_stale_processes
    vip_remove_stale_namespaces
}

# Namespaces need root. Re-runs the calling script through sudo when not root.
vip_require_root() {
    [ "$(id -u)" -eq 0 ] && return 0
    command -v sudo >/dev/null 2>&1 && exec sudo -E "$0" "$@"
    vip_die "needs root (network namespaces), and sudo is not installed" "run it as root"
}

# The Debian packages the build, the tests, the demo and the benchmarks need. Those a fresh Debian 12
# machine lacks are listed apart, for vip_undo_setup.
# python3-prometheus-client: the metrics test reads them with the Prometheus project's own parser.
# openssh-server (the guide's test runs an sshd per namespace) is installed when missing but never
# purged by vip_undo_setup: the machine may well be reached through it.
VIP_PACKAGES_FRESH="iproute2 util-linux jq procps time systemd postgresql-15 man-db openssh-server"
VIP_PACKAGES_ADDED="libpcap0.8 iputils-ping iputils-arping tcpdump postgresql-15-repmgr lintian gdb python3-prometheus-client"
# PostgreSQL's binaries only: the tests make their own clusters in namespaces, so no default cluster
# (a server on this machine's port 5432) is created when postgresql-15 is installed here
VIP_CREATECLUSTER=/etc/postgresql-common/createcluster.conf
VIP_CREATECLUSTER_MARK="# written by vip's scripts/lib.sh: no default cluster"

# Installs those of the packages that are missing (and a JDK and Maven when there is none).
vip_install_packages() {
    local wanted="$VIP_PACKAGES_FRESH $VIP_PACKAGES_ADDED" missing="" p
    command -v javac >/dev/null 2>&1 || wanted="$wanted openjdk-17-jdk-headless"
    command -v mvn >/dev/null 2>&1 || wanted="$wanted maven"
    for p in $wanted; do
        _vip_installed "$p" || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    if ! [ -e "$VIP_CREATECLUSTER" ]; then
        mkdir -p "${VIP_CREATECLUSTER%/*}"
        printf '%s\ncreate_main_cluster = false\n' "$VIP_CREATECLUSTER_MARK" > "$VIP_CREATECLUSTER"
    fi
    # shellcheck disable=SC2086
    _vip_apt_install $missing
}

# installed, or installed with a trigger to run (man-db while another package installs, say)
_vip_installed() { dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -qE "^install ok (installed|triggers-)"; }

_vip_apt_install() {
    echo "$(basename "$0"): installing $*" >&2
    local log; log=$(mktemp)
    # no service of a package starts on this machine (openssh-server's sshd: the guide's test runs its
    # own, in its namespaces): a policy-rc.d refusing every start, for the time of the install
    local policy=/usr/sbin/policy-rc.d made_policy=""
    if ! [ -e "$policy" ]; then
        printf '#!/bin/sh\n# written by vip scripts/lib.sh while it installs packages\nexit 101\n' > "$policy" &&
            chmod 755 "$policy" && made_policy=1
    fi
    if ! DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq >"$log" 2>&1; then
        [ -n "$made_policy" ] && rm -f "$policy"
        vip_die "apt-get update failed ($(tail -1 "$log"))" "check the apt sources and the network, then run it again"
    fi
    if ! DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@" >"$log" 2>&1; then
        [ -n "$made_policy" ] && rm -f "$policy"
        vip_die "apt-get install $* failed ($(grep -E '^E:' "$log" | tail -1))" \
            "run 'apt-get install $*' to see why (a Debian 12 machine with its main archive is needed)"
    fi
    [ -n "$made_policy" ] && rm -f "$policy"
    rm -f "$log"
}

# The accounts the daemon tests use, as a package would make them: the service user vip, and postgres
# (the repmgr user) when PostgreSQL is not installed.
vip_ensure_users() {
    if ! getent group postgres >/dev/null; then
        groupadd --system postgres || vip_die "creating the group postgres failed" "create it: groupadd --system postgres"
    fi
    if ! getent passwd postgres >/dev/null; then
        useradd --system --gid postgres --home-dir /var/lib/postgresql --no-create-home --shell /bin/sh postgres ||
            vip_die "creating the account postgres failed" "create it: useradd --system --gid postgres postgres"
    fi
    if ! getent passwd vip >/dev/null; then
        useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin vip ||
            vip_die "creating the account vip failed" "create it: useradd --system --user-group vip"
    fi
    # left by an account vip that was removed since: the JVM of the new one could not write there
    local d
    for d in /tmp/vip-native-vip /tmp/hsperfdata_vip; do
        [ -e "$d" ] && [ "$(stat -c %U "$d")" != vip ] && rm -rf "$d"
    done
    return 0
}

# Namespaces joined by veth pairs, and a bridge: loads the modules when modprobe is there, then proves
# both work in a scratch namespace.
vip_ensure_kernel() {
    command -v modprobe >/dev/null 2>&1 && { modprobe veth; modprobe bridge; } >/dev/null 2>&1
    local ns=vipchk$$ bad=""
    ip netns add "$ns" 2>/dev/null ||
        vip_die "ip netns add failed on kernel $(uname -r)" "run it on a kernel with network namespaces (CONFIG_NET_NS), as root"
    ip -n "$ns" link add vipa type veth peer name vipb 2>/dev/null || bad="veth"
    ip -n "$ns" link add vipbr type bridge 2>/dev/null || bad="$bad bridge"
    ip netns del "$ns"
    [ -z "$bad" ] && return 0
    bad=${bad# }
    vip_die "kernel $(uname -r) cannot make a ${bad// / or } device (module ${bad// / and } missing)" \
        "modprobe ${bad} (install kmod and linux-image-$(uname -r) for its modules), or use a kernel with it built in"
}

# vip_build [MODULE...]: builds the jars bin/vip runs (no tests), and the classes of MODULEs (tests: the
# benchmarks' tools)
vip_build() {
    # the CLI only: the Debian package (module packaging) is built by the test command
    local modules=vip-cli m
    for m; do modules="$modules,$m"; done
    (cd "$VIP_ROOT" && mvn -B -q -DskipTests package -pl "$modules" -am) ||
        vip_die "building vip (mvn package) failed" "see Maven's messages above; 'mvn -B -DskipTests package' shows the whole build"
}

# bin/vip of this checkout without this machine's settings file (VIP_CONFIG=/dev/null): an installed
# package's /etc/vip/vip.conf (0640 root:vip, say) must not change what the demo, a test or a
# benchmark does.
vip_no_settings_file() { export VIP_CONFIG=/dev/null; }

# What vip_setup changed on this machine, undone as far as it can be (for CI: back to a fresh
# machine's state, so that the set-up really runs): the vip package, the account vip, the packages a
# fresh machine lacks, the createcluster.conf written here.
vip_undo_setup() {
    export DEBIAN_FRONTEND=noninteractive
    if _vip_installed vip; then apt-get -o DPkg::Lock::Timeout=300 purge -y -qq vip >/dev/null; fi
    if getent passwd vip >/dev/null; then userdel vip; fi
    if getent group vip >/dev/null; then groupdel vip; fi
    rm -rf /tmp/vip-native-vip /tmp/hsperfdata_vip
    local installed="" p
    for p in $VIP_PACKAGES_ADDED; do _vip_installed "$p" && installed="$installed $p"; done
    # shellcheck disable=SC2086
    if [ -n "$installed" ]; then apt-get -o DPkg::Lock::Timeout=300 purge -y -qq $installed >/dev/null; fi
    if [ -f "$VIP_CREATECLUSTER" ] && head -1 "$VIP_CREATECLUSTER" | grep -qxF "$VIP_CREATECLUSTER_MARK"; then
        rm -f "$VIP_CREATECLUSTER"
    fi
}

# --- containment ----------------------------------------------------------------------------------

# Tags this run and arranges its clean-up at exit, Ctrl-C, SIGTERM and SIGHUP. Re-executes the script
# once so that the tag is in its own environment too (and so in its subshells'). Nested runs (the e2e
# under scripts/test) have their own tag besides their parent's; namespaces and directories are also
# written to a registry that the outermost run removes in the end, should a nested one be killed.
vip_contain() {
    local var=VIP_RUN_$$
    if [ -z "${!var:-}" ]; then
        export "$var=$(date +%s%N)"
        exec "$BASH" "$0" "$@"
    fi
    _vip_var=$var
    _vip_tag="$var=${!var}"
    _vip_state=$(mktemp -d /tmp/vip-run.XXXXXX)
    _vip_owner=""
    if [ -z "${VIP_RUN_REGISTRY:-}" ] || ! [ -f "$VIP_RUN_REGISTRY" ]; then
        export VIP_RUN_REGISTRY=$_vip_state/registry
        : > "$VIP_RUN_REGISTRY"
        _vip_owner=1
    fi
    _vip_own=$_vip_state/own
    : > "$_vip_own"
    _vip_hooks=()
    declare -gA _vip_seen=()
    trap '_vip_exit' EXIT
    trap '_vip_exit 129' HUP
    trap '_vip_exit 130' INT
    trap '_vip_exit 143' TERM
}

# vip_on_exit COMMAND: run at exit, after the run's processes have ended, before its namespaces and
# directories are removed (e.g. to keep logs)
vip_on_exit() { _vip_hooks+=("$1"); }

# vip_tmpdir: prints the path of a new directory (dir=$(vip_tmpdir)), removed at exit
vip_tmpdir() {
    local d; d=$(mktemp -d /tmp/vip-run.XXXXXX) || vip_die "mktemp failed" "free some space in /tmp"
    _vip_made dir "$d"
    echo "$d"
}

# _vip_made KIND WHAT: netns or dir WHAT, removed at this run's exit (and its outermost run's)
_vip_made() { echo "$1 $2" | tee -a "$VIP_RUN_REGISTRY" >> "$_vip_own"; }

# _vip_remove FILE: removes the namespaces and directories listed in FILE
_vip_remove() {
    local kind what
    while read -r kind what; do
        case $kind in
            netns) [ -e "/run/netns/$what" ] && ip netns del "$what" ;;
            dir) rm -rf "$what" ;;
        esac
    done < "$1"
}

# Namespaces made by programs this run starts and cannot tell (the Java namespace tests): from here on,
# `ip netns add NAME` through PATH is recorded (a wrapper before the real ip), so that they are
# removed at exit even when their program is killed before it deletes them.
vip_record_namespaces() {
    local ip; ip=$(command -v ip) || vip_die "no ip command" "apt-get install iproute2"
    mkdir -p "$_vip_state/bin"
    cat > "$_vip_state/bin/ip" <<WRAPPER
#!/bin/sh
# written by scripts/lib.sh (vip_record_namespaces): records the namespaces this run makes
[ "\$1" = netns ] && [ "\$2" = add ] && [ -n "\$3" ] && echo "netns \$3" | tee -a "$VIP_RUN_REGISTRY" >> "$_vip_own"
exec $ip "\$@"
WRAPPER
    chmod 755 "$_vip_state/bin/ip"
    export PATH="$_vip_state/bin:$PATH"
}

# vip_run COMMAND...: runs it and waits for it so that a signal to this script is handled at once (a
# command in the foreground would delay the trap until it ends). A background command would ignore
# SIGINT and SIGQUIT: they are given back their default (the tests signal the programs they start).
vip_run() {
    (trap - INT QUIT; exec "$@") &
    wait $!
}

_vip_exit() {
    local code=$?
    [ -n "${1:-}" ] && code=$1
    [ -n "${_vip_exiting:-}" ] && return 0
    _vip_exiting=1
    trap '' HUP INT TERM
    set +e
    [ -n "${1:-}" ] && echo "$(basename "$0"): interrupted (signal $(kill -l "$1")): ending what it started" >&2
    vip_end_processes || [ "$code" -ne 0 ] || code=1
    local h
    for h in "${_vip_hooks[@]}"; do eval "$h"; done
    _vip_remove "$_vip_own"
    [ -n "$_vip_owner" ] && _vip_remove "$VIP_RUN_REGISTRY"
    rm -rf "$_vip_state"
    exit "$code"
}

# Writes the pids of this run's processes to $_vip_state/scan: those tagged, and their descendants
# (PostgreSQL's children overwrite their environment with their process titles), but not this shell.
# The scan runs without the tag, so that it does not find itself.
_vip_scan() {
    env -u "$_vip_var" sh -c '
        grep -lzxF -e "$1" /proc/[0-9]*/environ 2>/dev/null | sed "s|^/proc/||; s|/environ\$||" > "$2.tagged"
        ps -e -o pid= -o ppid= | awk -v self="$3" "
            NR == FNR { run[\$1] = 1; next }
            { parent[\$1] = \$2 }
            END {
                delete run[self]
                do { more = 0
                     for (p in parent) if (!(p in run) && p != self && (parent[p] in run)) { run[p] = 1; more = 1 }
                } while (more)
                for (p in run) if (p in parent) print p
            }" "$2.tagged" - > "$2"
    ' sh "$_vip_tag" "$_vip_state/scan" "$$"
}

# "start-time state" of a process, empty when it is gone
_vip_stat() {
    local line
    read -r line 2>/dev/null < "/proc/$1/stat" || return 0
    line=${line##*) }
    # shellcheck disable=SC2086
    set -- $line
    echo "${20} $1"
}

# Adds the processes of the last scan to _vip_seen (pid -> start time) and signals the new ones; the
# namespaces they are in are this run's.
_vip_track() {
    local signal=$1 pid st
    _vip_netns_of_scan
    while read -r pid; do
        st=$(_vip_stat "$pid")
        [ -z "$st" ] && continue
        if [ "${_vip_seen[$pid]:-}" != "${st% *}" ]; then
            _vip_seen[$pid]=${st% *}
            # a stopped process (a test's SIGSTOP) acts on the signal only once continued
            [ -n "$signal" ] && kill "-$signal" "$pid" 2>/dev/null && kill -CONT "$pid" 2>/dev/null
        fi
    done < "$_vip_state/scan"
}

# Drops the processes that are gone (or zombies) from _vip_seen; fails while any is left.
_vip_prune() {
    local pid st
    for pid in "${!_vip_seen[@]}"; do
        st=$(_vip_stat "$pid")
        if [ -z "$st" ] || [ "${st% *}" != "${_vip_seen[$pid]}" ] || [ "${st#* }" = Z ]; then
            unset "_vip_seen[$pid]"
        fi
    done
    [ "${#_vip_seen[@]}" -eq 0 ]
}

# The names of the namespaces the processes of the last scan are in: they are this run's (those the
# Java tests make, for instance), removed at exit with the ones it registered.
_vip_netns_of_scan() {
    local pid ns inode
    declare -A mine=()
    while read -r pid; do
        inode=$(stat -L -c %i "/proc/$pid/ns/net" 2>/dev/null) && mine[$inode]=1
    done < "$_vip_state/scan"
    [ "${#mine[@]}" -eq 0 ] && return 0
    for ns in /run/netns/*; do
        [ -e "$ns" ] || continue
        inode=$(stat -L -c %i "$ns" 2>/dev/null) || continue
        [ -n "${mine[$inode]:-}" ] && echo "netns ${ns##*/}" >> "$_vip_own"
    done
    return 0
}

# Ends every process of this run: TERM, up to 5 s for them to go, then KILL. Fails, naming each, when
# any is still there after that.
vip_end_processes() {
    local grace=5 i pid
    _vip_seen=()
    _vip_scan
    _vip_track TERM
    for ((i = 0; i < grace * 10; i++)); do
        _vip_prune && return 0
        sleep 0.1
        _vip_scan
        _vip_track TERM
    done
    for pid in "${!_vip_seen[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    for ((i = 0; i < 20; i++)); do
        _vip_prune && return 0
        sleep 0.1
        _vip_scan
        _vip_track KILL
    done
    for pid in "${!_vip_seen[@]}"; do
        echo "$(basename "$0"): still running after TERM and KILL: $(_vip_describe "$pid")" >&2
    done
    return 1
}

_vip_describe() {
    echo "pid $1 $(cat "/proc/$1/comm" 2>/dev/null) ($(tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | cut -c1-160))"
}

# vip_left_running WHAT: fails when processes of this run are still running after WHAT (it should
# have ended them), naming each; then ends them.
vip_left_running() {
    local pid left=0
    _vip_scan
    while read -r pid; do
        [ -e "/proc/$pid" ] || continue
        echo "$(basename "$0"): left running after $1: $(_vip_describe "$pid")" >&2
        left=1
    done < "$_vip_state/scan"
    [ "$left" -eq 0 ] && return 0
    vip_end_processes
    return 1
}

# Ends the processes left by runs that were killed before they could clean up (SIGKILL): those whose
# every VIP_RUN_<pid> tag names a run that is gone. Live runs' (another checkout's tests) stay.
vip_end_stale_processes() {
    local f pid t alive
    for f in $(env -u "$_vip_var" grep -lz '^VIP_RUN_[0-9]*=' /proc/[0-9]*/environ 2>/dev/null); do
        pid=${f#/proc/}; pid=${pid%/environ}
        alive=0
        for t in $(tr '\0' '\n' 2>/dev/null < "$f" | sed -n 's/^VIP_RUN_\([0-9]*\)=.*/\1/p'); do
            [ -e "/proc/$t" ] && alive=1
        done
        [ "$alive" = 1 ] && continue
        [ -e "/proc/$pid" ] || continue
        echo "$(basename "$0"): ending a process left by a killed run: $(_vip_describe "$pid")" >&2
        kill -KILL "$pid" 2>/dev/null
    done
    return 0
}

# --- the test network -----------------------------------------------------------------------------

# vip_netns_add NAME...: new namespaces with loopback up, removed at exit. Names are PREFIX<pid>-HOST
# (vip_remove_stale_namespaces knows them by that).
vip_netns_add() {
    local ns
    for ns; do
        ip netns add "$ns" && ip -n "$ns" link set lo up ||
            vip_die "ip netns add $ns failed" "delete what is left of an earlier run (ip netns del $ns) or run vip's scripts as root"
        _vip_made netns "$ns"
    done
}

# vip_netns_del PREFIX: deletes this run's namespaces PREFIX-*
vip_netns_del() {
    local kind ns
    while read -r kind ns; do
        [ "$kind" = netns ] && [[ $ns == "$1"-* ]] && [ -e "/run/netns/$ns" ] && ip netns del "$ns"
    done < "$_vip_own"
    return 0
}

# vip_lan PREFIX HOST[=ADDRESS/LEN]...: a switch, namespace PREFIX-sw with a bridge br0, and per HOST a
# namespace PREFIX-HOST whose eth0 (MAC 02:00:00:00:00:0N, N its place in the list) is plugged into
# the bridge as port HOST, up, with ADDRESS when one is given.
vip_lan() {
    local p=$1 i=1 spec host
    shift
    vip_netns_add "$p-sw"
    _vip_ip -n "$p-sw" link add br0 type bridge
    _vip_ip -n "$p-sw" link set br0 up
    for spec; do
        host=${spec%%=*}
        vip_netns_add "$p-$host"
        _vip_ip -n "$p-sw" link add "$host" type veth peer name eth0 netns "$p-$host"
        _vip_ip -n "$p-sw" link set "$host" master br0 up
        _vip_ip -n "$p-$host" link set eth0 address "$(printf '02:00:00:00:00:%02x' $i)"
        _vip_ip -n "$p-$host" link set eth0 up
        [ "$spec" = "$host" ] || _vip_ip -n "$p-$host" addr add "${spec#*=}" dev eth0
        i=$((i + 1))
    done
}

_vip_ip() { ip "$@" || vip_die "ip $* failed" "see the message above (vip_ensure_kernel checks veth and bridge support)"; }

# Deletes namespaces PREFIX<pid>-* whose run (process pid) is gone: left by a run that was killed
# before it could clean up. Namespaces of live runs (another checkout's tests, say) stay.
vip_remove_stale_namespaces() {
    local ns
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
        [[ $ns =~ ^vip[a-z]*([0-9]+)- ]] || continue
        [ -e "/proc/${BASH_REMATCH[1]}" ] && continue
        echo "removing stale namespace $ns" >&2
        ip netns del "$ns" 2>/dev/null
    done
    return 0
}

# --- helpers --------------------------------------------------------------------------------------

# Numbers on stdin, one a line -> "N MIN P50 P99 MAX" (p50: the median; p99: the ceil(0.99 N)-th);
# nothing, and failure, when there is none.
vip_stats() {
    sort -n | awk '{ a[NR] = $1 } END {
        if (NR == 0) exit 1
        med = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        i = int(NR * 0.99); if (i < NR * 0.99) i++
        print NR, a[1], med, a[i], a[NR] }'
}

# vip_first_after TIMES EVENTS: for each line "NAME EPOCH" of EVENTS, "NAME MS", the milliseconds from
# EPOCH to the first time (first field of a line of TIMES) at or after it
vip_first_after() {
    awk 'NR == FNR { w[n++] = $1; next }
        { for (i = 0; i < n; i++) if (w[i] >= $2) { printf "%s %.3f\n", $1, (w[i] - $2) * 1000; break } }' "$1" "$2"
}
