# shellcheck shell=bash
# The repmgr cluster of the end-to-end test, for tests/e2e/repmgr-failover.sh, scripts/bench-failover
# and scripts/bench-standby. Sourced after scripts/lib.sh, not run.
#
# cluster_up makes, in namespaces of its own: PostgreSQL 15 nodes n1 (.11, primary) and n2 (.12,
# streaming standby; more with CLUSTER_NODES) managed by repmgr 5.3 (repmgrd, failover=automatic, 1 s monitoring), a vip daemon
# on each fed with repmgr's events by the documented one-liner, and a client (.100) running
# `vip pgprobe` through the VIP. Uses 198.51.100.0/24 and 2001:db8::/64 only. Every set-up step is
# checked: one that fails stops the run with one line. cluster_down removes it all.
#
# Settings (set before cluster_up):
#   CLUSTER_NODES="1 2"  the nodes: n1 is the primary, the others standbys cloned from it (e.g. "1 2 3")
#   CLUSTER_TRUTH=1    the daemons ask PostgreSQL (--conninfo, --health-interval 2s: the recommended
#                      setting; the primary's daemon then takes the VIP by itself); 0: plain layer 2, the
#                      VIP put on n1 with vip add
#   CLUSTER_STANDBY=1  the daemons also manage the standby VIP (.20), a second primary VIP (.30) and an
#                      IPv6 standby VIP (2001:db8::20); 0: the main VIP only
#   CLUSTER_MORE_VIPS=1  0: with CLUSTER_STANDBY=1, the standby VIP (.20) alone beside the main VIP
#   CLUSTER_HEALTH=2s  the daemons' --health-interval (with CLUSTER_TRUTH or CLUSTER_STANDBY)
#   CLUSTER_HOOK=fifo  repmgr's event_notification_command: the one-liner into the daemon's FIFO; jvm:
#                      `vip hook` (a JVM per event, handing the claim to the daemon)
#   CLUSTER_STAMP=0    1: a timestamp script runs before the command (the moment repmgr fires the
#                      event), into $B/nN/stamps
#   CLUSTER_NICE=-10   the daemons' nice level (as systemd/vip-daemon.service)
#   CLUSTER_DISCONNECT=0  1: repmgr's standby_disconnect_on_failover=true (each standby stops receiving
#                      WAL before the election; repmgr says it adds about 5 s to a failover)
# Debugging: E2E_KEEP=DIR keeps the logs and data in DIR; E2E_PCAP=1 records the client's frames.
CLUSTER_NODES=${CLUSTER_NODES:-1 2}
CLUSTER_TRUTH=${CLUSTER_TRUTH:-1}
CLUSTER_STANDBY=${CLUSTER_STANDBY:-1}
CLUSTER_MORE_VIPS=${CLUSTER_MORE_VIPS:-1}
CLUSTER_HOOK=${CLUSTER_HOOK:-fifo}
CLUSTER_DISCONNECT=${CLUSTER_DISCONNECT:-0}
CLUSTER_STAMP=${CLUSTER_STAMP:-0}
CLUSTER_NICE=${CLUSTER_NICE:--10}
BIN=/usr/lib/postgresql/15/bin
vip_no_settings_file
VIPB=$VIP_ROOT/bin/vip
VIP=198.51.100.10
SVIP=198.51.100.20
PVIP2=198.51.100.30        # a second primary VIP (--vip primary:...)
SVIP6=2001:db8::20         # a second standby VIP, IPv6 (--vip standby:...)
P=vipe2e$$
FIX_KEEP="run it again with E2E_KEEP=/tmp/e2e-logs to keep every log"

# --- output and checks
t0=$(date +%s.%N)
passed=0; failed=0
ts() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%6.2f", b - a }'; }
log() { echo "[$(ts) s] $*"; }
check() {  # check "what" command...
    local what=$1; shift
    if "$@"; then passed=$((passed + 1)); log "ok: $what"; else failed=$((failed + 1)); log "FAILED: $what"; fi
}
# setup "what" LOG "how to fix" command...: a set-up step, its output appended to LOG; when it fails,
# one line naming it, LOG's last error (or last line) and the fix, and the run stops
setup() {
    local what=$1 out=$2 fix=$3 last; shift 3
    # the log is the node's (pg_ctl, as postgres, appends to it too)
    [ -e "$out" ] || { : > "$out"; chown --reference="${out%/*}" "$out"; }
    "$@" >>"$out" 2>&1 && return 0
    last=$(grep -E 'FATAL|ERROR|cannot|denied|No such' "$out" 2>/dev/null | tail -1)
    [ -n "$last" ] || last=$(grep -E '[Ee]rror|could not|fail' "$out" 2>/dev/null | tail -1)
    [ -n "$last" ] || last=$(grep -v '^\s*$' "$out" 2>/dev/null | tail -1)
    vip_die "$what failed${last:+ (\"$last\")}" "$fix"
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
epoch() { date -d "$1" +%s.%N; }
wait_until() {  # wait_until SECONDS command...
    local limit=$1; shift; local end; end=$(awk -v s="$limit" 'BEGIN { srand(); print srand() + s }')
    until "$@"; do [ "$(date +%s)" -ge "$end" ] && return 1; sleep 0.1; done
}

# --- the nodes and the client
as_pg() { local ns=$1; shift; ip netns exec "$ns" setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
sql() { local n=$1; shift; as_pg $P-n$n $BIN/psql -h $B/n$n/sock -U repmgr -d repmgr -qAt "$@"; }
has_addr() { ip -n "$P-$1" -j addr show dev eth0 | jq -e --arg v "$2" '[.[0].addr_info[] | select(.local == $v)] | length == 1' >/dev/null; }
lacks_addr() { ! has_addr "$1" "$2"; }
has_vip() { has_addr "$1" $VIP; }
lacks_vip() { ! has_vip "$1"; }
has_svip() { has_addr "$1" $SVIP; }
lacks_svip() { ! has_svip "$1"; }
lladdr_is() { [ "$(ip -n $P-c -j "$1" neigh show "$2" dev eth0 | jq -r '.[0].lladdr // ""')" = "02:00:00:00:00:0$3" ]; }
client_points_to() { lladdr_is -4 $VIP "$1"; }
client_svip_points_to() { lladdr_is -4 $SVIP "$1"; }
client_v6_points_to() { lladdr_is -6 $SVIP6 "$1"; }
client_sql() {  # client_sql ADDRESS QUERY: the first line of the answer
    ip netns exec $P-c setpriv --reuid=postgres --regid=postgres --init-groups \
        $BIN/psql "host=$1 user=repmgr dbname=repmgr connect_timeout=2" -qAtc "$2" 2>>$B/client.err | head -1
}
write_through_vip() {  # the row lands on node $1
    [ "$(client_sql $VIP "insert into probe(at) values (now()) returning current_setting('cluster_name')")" = "n$1" ]
}
read_through_svip() {  # a read through the standby VIP is answered by node $1
    [ "$(client_sql $SVIP "select current_setting('cluster_name') from probe limit 1")" = "n$1" ]
}
streams() {  # node $1 streams to the primary, node $2, as its pg_stat_replication says
    [ "$(sql "$2" -c "select state from pg_stat_replication where application_name = 'n$1'" 2>/dev/null)" = streaming ]
}
reads_on() { sql "$1" -c "select 1" >/dev/null 2>&1; }
client_pings() { ip netns exec $P-c ping "$@" -c 1 -W 1 -q >/dev/null; }
probe_writing() { local rows; rows=$(sql 1 -c "select count(*) from vip_probe" 2>/dev/null); [ "${rows:-0}" -gt 0 ]; }
postmaster_gone() { ! kill -0 "$(head -1 $B/n$1/data/postmaster.pid 2>/dev/null)" 2>/dev/null; }
pg_start() {
    as_pg $P-n$1 $BIN/pg_ctl -w -D $B/n$1/data -l $B/n$1/pg.log \
        -o "-c listen_addresses=* -c cluster_name=n$1 -c unix_socket_directories=$B/n$1/sock" start
}
pg_stop() { as_pg $P-n$1 $BIN/pg_ctl -w -D $B/n$1/data -m fast stop; }
# the epoch at which the client first saw node $1 announce (or answer for) the address $2 at or after
# epoch $3, from its ARP capture; nothing when it has not
announced_at() {
    local mac
    mac=$(ip -n $P-n$1 -j link show dev eth0 | jq -r '.[0].address')
    tcpdump -r $B/client-arp.pcap -n -tt 2>/dev/null | awk -v b="$3" -v m="is-at $mac" -v v=" $2 " \
        '$1 >= b && index($0, m) && index($0, v) { print $1; exit }'
}
stop_probe() { kill -TERM "$probe" 2>/dev/null; wait "$probe" 2>/dev/null; }

# Before anything starts: root, the accounts, the programs, the build.
cluster_preconditions() {
    local fix="run scripts/test or scripts/demo once (they install the packages and create the accounts)" f
    [ "$(id -u)" -eq 0 ] || vip_die "needs root (network namespaces)" "run it as root"
    for f in postgres vip; do
        getent passwd $f >/dev/null || vip_die "no account $f" "$fix"
    done
    for f in $BIN/initdb $BIN/pg_ctl $BIN/psql $BIN/repmgr $BIN/repmgrd; do
        [ -x "$f" ] || vip_die "no $f (packages postgresql-15, postgresql-15-repmgr)" "$fix"
    done
    for f in ip jq tcpdump setpriv nice; do
        command -v $f >/dev/null || vip_die "no $f on PATH" "$fix"
    done
    [ -f "$VIP_ROOT/vip-cli/target/vip-cli.jar" ] || vip_die "vip is not built" "run 'mvn -B -q -DskipTests package' in $VIP_ROOT"
}

# The switch, the nodes and the client, each checked to exist with its address.
cluster_network() {
    local n hosts=() ns
    for n in $CLUSTER_NODES; do hosts+=("n$n=198.51.100.1$n/24"); done
    vip_lan $P "${hosts[@]}" c=198.51.100.100/24
    ip -n $P-c addr add 2001:db8::100/64 dev eth0 nodad
    for ns in sw c $(printf 'n%s ' $CLUSTER_NODES); do
        [ -e /run/netns/$P-$ns ] || vip_die "namespace $P-$ns is missing after it was made" "check 'ip netns list'; another process deletes namespaces"
    done
    for n in $CLUSTER_NODES; do
        has_addr n$n 198.51.100.1$n ||
            vip_die "the test network has not its addresses" "check 'ip -n $P-n$n addr' (ip netns exec must work here)"
    done
    has_addr c 198.51.100.100 || vip_die "the client has not its address" "check 'ip -n $P-c addr'"
}

notify_command() {  # the documented one-liner, or the JVM hook; with a timestamp script before it
    local n=$1
    [ "$CLUSTER_STAMP" = 1 ] && printf '%s' "$B/stamp $B/n$n/stamps %e; "
    if [ "$CLUSTER_HOOK" = jvm ]; then
        printf '%s' "$VIPB hook -i eth0 -a $VIP/32 -l eth0:0 --socket $B/n$n/run/vip.sock --conninfo \"host=198.51.100.1$n user=repmgr dbname=repmgr connect_timeout=2\" %n %e %s"
    else
        printf '%s' "echo %n %e %s 1<>$B/n$n/run/events"
    fi
}

cluster_configs() {
    chmod 755 "$B"
    printf '#!/bin/sh\ndate "+%%s.%%N $2" >> "$1"\n' > $B/stamp; chmod 755 $B/stamp
    local n
    for n in $CLUSTER_NODES; do
        mkdir -p $B/n$n/sock $B/n$n/run $B/n$n/archive
        chown -R postgres: $B/n$n && chown vip: $B/n$n/run ||
            vip_die "chown to postgres and vip failed" "create the accounts: run scripts/test or scripts/demo once"
        cat > $B/n$n/repmgr.conf <<CONF
node_id=$n
node_name='n$n'
conninfo='host=198.51.100.1$n port=5432 user=repmgr dbname=repmgr connect_timeout=2'
data_directory='$B/n$n/data'
pg_bindir='$BIN'
failover=automatic
priority=$((110 - 10 * n))
promote_command='$BIN/repmgr standby promote -f $B/n$n/repmgr.conf --log-to-file'
follow_command='$BIN/repmgr standby follow -f $B/n$n/repmgr.conf --log-to-file --upstream-node-id=%n'
monitor_interval_secs=1
reconnect_attempts=2
reconnect_interval=1
connection_check_type=ping
standby_disconnect_on_failover=$([ "$CLUSTER_DISCONNECT" = 1 ] && echo true || echo false)
service_start_command='$BIN/pg_ctl -w -D $B/n$n/data -l $B/n$n/pg.log -o "-c listen_addresses=* -c cluster_name=n$n -c unix_socket_directories=$B/n$n/sock" start'
service_stop_command='$BIN/pg_ctl -w -D $B/n$n/data -m fast stop'
service_promote_command='$BIN/pg_ctl -w -D $B/n$n/data promote'
event_notification_command='$(notify_command $n)'
event_notifications='standby_promote,repmgrd_failover_promote,standby_follow,repmgrd_failover_follow,node_rejoin'
log_file='$B/n$n/repmgrd.log'
repmgrd_pid_file='$B/n$n/repmgrd.pid'
CONF
        chown postgres: $B/n$n/repmgr.conf
    done
}

cluster_primary() {
    log "PostgreSQL 15 on n1, repmgr primary register"
    setup "initdb on n1" $B/n1/initdb.log "$FIX_KEEP" as_pg $P-n1 $BIN/initdb -D $B/n1/data --auth=trust -U postgres
    cat >> $B/n1/data/postgresql.conf <<CONF
shared_preload_libraries = 'repmgr'
wal_log_hints = on
wal_keep_size = '256MB'
CONF
    printf 'host all all 198.51.100.0/24 trust\nhost replication all 198.51.100.0/24 trust\n' >> $B/n1/data/pg_hba.conf
    setup "starting PostgreSQL on n1" $B/n1/pg.log "$FIX_KEEP" pg_start 1
    setup "creating the repmgr user and database on n1" $B/n1/setup.log "$FIX_KEEP" \
        as_pg $P-n1 $BIN/psql -h $B/n1/sock -U postgres -qc "create user repmgr superuser" -c "create database repmgr owner repmgr"
    setup "creating the probe table on n1" $B/n1/setup.log "$FIX_KEEP" \
        sql 1 -c "create table probe (id serial primary key, at timestamptz)"
    setup "repmgr primary register on n1" $B/n1/register.log "$FIX_KEEP" \
        as_pg $P-n1 $BIN/repmgr -f $B/n1/repmgr.conf primary register
}

cluster_standby() {  # cluster_standby N: node N cloned from n1, a streaming standby
    local n=$1
    log "n$n: standby clone, standby register"
    setup "repmgr standby clone on n$n" $B/n$n/clone.log "$FIX_KEEP" \
        as_pg $P-n$n $BIN/repmgr -h 198.51.100.11 -U repmgr -d repmgr -f $B/n$n/repmgr.conf standby clone --fast-checkpoint
    setup "starting PostgreSQL on n$n" $B/n$n/pg.log "$FIX_KEEP" pg_start $n
    setup "repmgr standby register on n$n" $B/n$n/register.log "$FIX_KEEP" \
        as_pg $P-n$n $BIN/repmgr -f $B/n$n/repmgr.conf standby register
}

# cluster_daemon N: starts (or starts again) node N's vip daemon, as the unit would: the service user
# vip in group postgres, CAP_NET_ADMIN and CAP_NET_RAW only, nice -10; its pid in daemon_pid[N]
declare -A daemon_pid
cluster_daemon() {
    local n=$1 args=()
    # the standby VIP needs the conninfo too
    [ "$CLUSTER_TRUTH" = 1 ] || [ "$CLUSTER_STANDBY" = 1 ] &&
        args+=(--conninfo "host=198.51.100.1$n user=repmgr dbname=repmgr" --health-interval ${CLUSTER_HEALTH:-2s})
    [ "$CLUSTER_STANDBY" = 1 ] && args+=(--standby-address $SVIP/32 --standby-label eth0:1)
    [ "$CLUSTER_STANDBY" = 1 ] && [ "$CLUSTER_MORE_VIPS" = 1 ] && args+=(--vip primary:$PVIP2/32:eth0:2,standby:$SVIP6/64 --nodad)
    ip netns exec $P-n$n nice -n "$CLUSTER_NICE" setpriv --reuid=vip --regid=vip --groups=postgres \
        --inh-caps=+net_admin,+net_raw --ambient-caps=+net_admin,+net_raw env TMPDIR=$B/n$n/run \
        "$VIPB" daemon -i eth0 -a $VIP/32 -l eth0:0 \
        --socket $B/n$n/run/vip.sock --events-fifo $B/n$n/run/events --events-group postgres \
        --allow-group postgres --node-id $n "${args[@]}" >> $B/n$n/daemon.log 2>&1 &
    daemon_pid[$n]=$!  # (its native code in a private directory under run/: a kill -9 leaves it in $B)
}

# the node's own processes (its PostgreSQL's, repmgrd, its vip daemon), not a sampler's passing `ip -n`
node_processes() {  # node $1's processes named one of $2 (default: its PostgreSQL, repmgrd and vip daemon)
    local pid names=" ${2:-postgres repmgrd java} "
    for pid in $(ip netns pids $P-n$1); do
        case $names in *" $(cat /proc/$pid/comm 2>/dev/null) "*) echo $pid ;; esac
    done
}
# Stops (SIGSTOP) node $1's processes as node_processes $1 $2 lists them, its postmaster first: a backend
# forked while the list is taken would run on. Prints their pids, for the kill -CONT.
stop_node_processes() {
    local pm pids; pm=$(head -1 $B/n$1/data/postmaster.pid)
    kill -STOP $pm
    pids="$pm $(node_processes $1 ${2:-})"
    kill -STOP $pids 2>/dev/null
    echo $pids
}

cluster_repmgrd() {  # starts repmgrd on node $1 (not a job of this shell, which would report its kill)
    (ip netns exec $P-n$1 setpriv --reuid=postgres --regid=postgres --init-groups \
        $BIN/repmgrd -f $B/n$1/repmgr.conf --daemonize=false >> $B/n$1/repmgrd.out 2>&1 &)
}

# repmgrd on the standby $1 watches its upstream $2 now: its standby loop marked $2 as seen within the
# last 2 s (repmgr's shared memory on $1; -1 until the loop has run since the server started)
repmgrd_watches() {
    [ "$(sql "$1" -c "select repmgr.get_upstream_node_id() = $2 and repmgr.get_upstream_last_seen() between 0 and 2" \
        2>/dev/null)" = t ]
}

# The local copy of node $1's own record says it is an active standby following $2. repmgrd reads its
# record from the local server at start and exits at once ("node is registered as a primary but running
# as a standby", repmgrd-physical.c in 5.3.3) while a rejoin's update, made on the primary after the
# node restarted, has not been replayed there yet.
record_is_standby() {
    [ "$(sql "$1" -c "select type = 'standby' and active and upstream_node_id = $2 from repmgr.nodes where node_id = $1" \
        2>/dev/null)" = t ]
}

# Node $1, whose own record does not say it follows the primary $2 (its repmgrd did not follow after a
# failover: it stays attached where it was, perhaps to a standby, and its repmgrd watches that one),
# made to follow $2 as an operator would (repmgr standby follow), so that the next fault starts from
# every standby streaming from the primary. Said in the log, with what pg_stat_replication showed.
cluster_follow() {
    log "n$1: its own record is not an active standby of n$2 ($(sql "$1" -c "select coalesce(upstream_node_id::text, '-') from repmgr.nodes where node_id = $1" 2>/dev/null)); repmgr standby follow, as an operator would"
    if ! as_pg $P-n$1 $BIN/repmgr -f $B/n$1/repmgr.conf standby follow --upstream-node-id=$2 >> $B/n$1/follow.log 2>&1; then
        log "n$1: standby follow failed: $(tail -2 $B/n$1/follow.log | tr '\n' ' ')"
        # it replayed WAL the new primary never had (still attached to the old one after its promotion,
        # as asynchronous replication allows): rewound, as an operator would
        if tail -2 $B/n$1/follow.log | grep -q "forked off"; then
            log "n$1: rewound to n$2's timeline (repmgr node rejoin --force-rewind, its server stopped first)"
            pg_stop $1 >/dev/null 2>&1
            as_pg $P-n$1 $BIN/repmgr -f $B/n$1/repmgr.conf node rejoin -d "host=198.51.100.1$2 user=repmgr dbname=repmgr" \
                --force-rewind --config-archive-dir=$B/n$1/archive >> $B/n$1/follow.log 2>&1 ||
                log "n$1: node rejoin failed: $(tail -2 $B/n$1/follow.log | tr '\n' ' ')"
        fi
    fi
    wait_until 30 streams "$1" "$2" && wait_until 20 record_is_standby "$1" "$2" ||
        log "n$1: still not streaming from n$2 as a recorded standby"
}

# After an incident, repmgrd started again on every standby of the primary $1, as an operator would, and
# watching it (a standby's repmgrd that lived through its primary's partition, or a rejoined old
# primary's, can stay in degraded monitoring or between its loops and never fail over again: seen with
# repmgr 5.3.3, where the other standbys then wait for it as the election's winner). Each is started
# once its own record says standby (see record_is_standby), and started again when it ended by itself
# (its log says why: "terminating").
cluster_repmgrd_fresh() {
    local n
    for n in $CLUSTER_NODES; do
        [ "$n" = "$1" ] && continue
        pkill -f "^$BIN/repmgrd -f $B/n$n/repmgr.conf"  # anchored: not the shell waiting for it
        wait_until 10 sh -c "! pgrep -f '^$BIN/repmgrd -f $B/n$n/repmgr.conf' >/dev/null"
        wait_until 20 record_is_standby $n $1 || cluster_follow $n $1
        cluster_repmgrd $n
    done
    for n in $CLUSTER_NODES; do
        [ "$n" = "$1" ] && continue
        if ! wait_until 20 repmgrd_watches $n $1 && ! pgrep -f "^$BIN/repmgrd -f $B/n$n/repmgr.conf" >/dev/null; then
            log "n$n: repmgrd ended by itself: $(grep -E 'ERROR|terminating' $B/n$n/repmgrd.log | tail -2 | tr '\n' ' ')"
            wait_until 20 record_is_standby $n $1
            cluster_repmgrd $n
            wait_until 20 repmgrd_watches $n $1 || return 1
        fi
        repmgrd_watches $n $1 || return 1
    done
}

cluster_daemons() {
    log "repmgrd and vip daemon on every node"
    local n
    for n in $CLUSTER_NODES; do
        cluster_repmgrd $n
        cluster_daemon $n
    done
    for n in $CLUSTER_NODES; do
        setup "starting the vip daemon on n$n" $B/n$n/daemon.log "$FIX_KEEP" \
            wait_until 30 test -p $B/n$n/run/events -a -S $B/n$n/run/vip.sock
        setup "starting repmgrd on n$n" $B/n$n/repmgrd.log "$FIX_KEEP" \
            wait_until 20 grep -q "starting monitoring of node" $B/n$n/repmgrd.log
    done
}

# The cluster, the VIP on n1, and the client's probe writing through it.
cluster_up() {
    B=$(vip_tmpdir) || exit 1
    log "network: $(for n in $CLUSTER_NODES; do printf 'n%s (.1%s), ' $n $n; done)client (.100) on a bridge"
    cluster_network
    cluster_configs
    cluster_primary
    local n
    for n in $CLUSTER_NODES; do [ "$n" = 1 ] || cluster_standby $n; done
    cluster_daemons
    if [ "$CLUSTER_TRUTH" = 1 ]; then  # the rightful primary's daemon takes it by itself
        setup "the VIP on n1, taken by its daemon" $B/n1/daemon.log "$FIX_KEEP" wait_until 10 has_vip n1
    else
        setup "vip add on n1 (through its daemon)" $B/n1/daemon.log "$FIX_KEEP" \
            ip netns exec $P-n1 "$VIPB" add -q -i eth0 -a $VIP/32 --socket $B/n1/run/vip.sock
    fi
    # the client's view of the VIPs' moves: every ARP frame it sees (-U: readable while it runs)
    ip netns exec $P-c tcpdump -i eth0 -n -s 128 --immediate-mode -U -w $B/client-arp.pcap arp 2>/dev/null &
    if [ -n "${E2E_PCAP:-}" ]; then  # for a closer look: every frame the client sees
        ip netns exec $P-c tcpdump -i eth0 -s 200 --immediate-mode -w $B/client.pcap 2>/dev/null &
    fi
    ip netns exec $P-c setpriv --reuid=postgres --regid=postgres --init-groups "$VIPB" pgprobe --json --every 10ms \
        --timeout 1s --conninfo "host=$VIP user=repmgr dbname=repmgr sslmode=disable" > $B/probe.jsonl 2> $B/probe.err &
    probe=$!
    setup "the client's probe writing through the VIP" $B/probe.err "$FIX_KEEP" wait_until 20 probe_writing
    for n in $CLUSTER_NODES; do
        [ "$n" = 1 ] && continue
        setup "repmgrd on n$n monitoring its upstream" $B/n$n/repmgrd.log "$FIX_KEEP" \
            wait_until 20 grep -q "monitoring connection to upstream node" $B/n$n/repmgrd.log
    done
}

# Ends every process of the run, removes the namespaces and the files (E2E_KEEP: copied there first).
cluster_down() {
    vip_end_processes
    cluster_keep
    vip_netns_del $P
    rm -rf "$B"
}

cluster_keep() {
    [ -n "${E2E_KEEP:-}" ] && [ -d "${B:-}" ] && rm -rf "$E2E_KEEP" && cp -a "$B" "$E2E_KEEP" && echo "kept $E2E_KEEP" >&2
    return 0
}

cluster_logs() {  # the end of every log, after a failure
    local f n
    for f in $B/probe.err $B/client.err $(for n in $CLUSTER_NODES; do echo $B/n$n/daemon.log $B/n$n/repmgrd.log; done) \
        $B/n1/rejoin.log $B/switchover.log; do
        [ -f "$f" ] && { echo "--- $f"; tail -15 "$f"; }
    done
    return 0
}
