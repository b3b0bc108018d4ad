#!/usr/bin/env bash
# End-to-end, issue 13: the daemon decides from PostgreSQL's truth, not from who announced last.
# Three PostgreSQL 15 nodes managed by repmgr 5.3 (repmgrd, failover=automatic) and a client, in network
# namespaces of their own; a vip daemon per node with --conninfo (it asks its own server and every node of
# repmgr.nodes), a primary VIP (.10) and a standby VIP (.20). The client writes through the primary VIP
# with `vip pgprobe` from start to end. Scenarios, in this order, each judged on the kernel's state
# (ip -j addr / neigh) and on the rows the servers hold:
#   1. forged FIFO lines written as postgres: a promote on a standby and a follow on the primary change
#      nothing; the daemons count the refusals (vip status);
#   2. the primary's own link goes down: repmgr promotes another node, the third follows; the link comes
#      back while the old primary's PostgreSQL still runs as a primary: within 2 s of the heal the VIP is
#      only on the new primary, the client's neighbour entry points there, the old one says it is a stale
#      primary, and no row written after the promotion is on the old primary; then it rejoins;
#   3. the same with a partition in the switch (the node's bridge port detached; its link stays up, so it
#      sees no event): one holder within twice the health interval after the heal; then it rejoins;
#   4. the daemons of both standbys killed (-9) just before the primary is killed, started again after the
#      promotion (its event lost): the new primary's daemon claims the VIP by itself;
#   5. every daemon restarted at once, then a minute of watching: the primary VIP stays on the primary,
#      the standby VIP settles on one standby and stays there.
# Ends with "truth: N passed, N failed"; exit 0 only when every check passed. Run by scripts/test (root).
# Uses 198.51.100.0/24 only; removes everything it made, even on failure.
set -uo pipefail
VIP_ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
P=viptr$$
B=$(mktemp -d /tmp/vip-truth.XXXXXX)
BIN=/usr/lib/postgresql/15/bin
VIPB=$VIP_ROOT/bin/vip
VIP=198.51.100.10
SVIP=198.51.100.20
HEALTH=2s
NODES="1 2 3"
passed=0; failed=0
t0=$(date +%s.%N)
ts() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%6.2f", b - a }'; }
log() { echo "[$(ts) s] $*"; }
check() {  # check "what" command...
    local what=$1; shift
    if "$@"; then passed=$((passed + 1)); log "ok: $what"; else failed=$((failed + 1)); log "FAILED: $what"; fi
}
die() { log "SET-UP FAILED: $*"; exit 1; }
declare -A daemon_pid
pids=()
cleanup() {
    for p in "${pids[@]}" "${daemon_pid[@]}"; do kill "$p" 2>/dev/null; done
    for n in $NODES; do
        [ -f "$B/n$n/data/postmaster.pid" ] && kill -9 "$(head -1 "$B/n$n/data/postmaster.pid")" 2>/dev/null
    done
    sleep 1
    [ -n "${E2E_KEEP:-}" ] && rm -rf "$E2E_KEEP" && cp -a "$B" "$E2E_KEEP"
    for ns in $P-n1 $P-n2 $P-n3 $P-c $P-sw; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "$B"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_pg() { local ns=$1; shift; ip netns exec "$ns" setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
psql_on() { local n=$1; shift; as_pg $P-n$n $BIN/psql -h $B/n$n/sock -U repmgr -d repmgr -qAt "$@" 2>/dev/null; }
has_addr() { ip -n "$P-n$1" -j addr show dev eth0 | jq -e --arg v "$2" '[.[0].addr_info[] | select(.local == $v)] | length == 1' >/dev/null; }
holders() {  # the nodes that have address $1, e.g. "2" or "1 2"
    local out="" n
    for n in $NODES; do has_addr $n "$1" && out="$out $n"; done
    echo "${out# }"
}
only_on() { [ "$(holders "$2")" = "$1" ]; }
client_points_to() { [ "$(ip -n $P-c -j neigh show "$2" dev eth0 | jq -r '.[0].lladdr // ""')" = "02:00:00:00:00:0$1" ]; }
wait_until() {  # wait_until SECONDS command...
    local limit=$1; shift; local end; end=$(awk -v s="$limit" -v n="$(date +%s.%N)" 'BEGIN { printf "%.3f", n + s }')
    until "$@"; do awk -v e="$end" -v n="$(date +%s.%N)" 'BEGIN { exit !(n >= e) }' && return 1; sleep 0.1; done
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
is_primary() { [ "$(psql_on "$1" -c 'select pg_is_in_recovery()')" = f ]; }
the_primary() {  # the node whose server is a primary and that the others follow (repmgr's view on $1)
    local n
    for n in $NODES; do
        [ "$n" = "${1:-0}" ] && continue
        is_primary $n && { echo $n; return 0; }
    done
    return 1
}
status_of() { "$VIPB" status --json --socket $B/n$1/run/vip.sock 2>/dev/null; }
status_says() { status_of "$1" | jq -e "$2" >/dev/null; }
pg_start() {
    as_pg $P-n$1 $BIN/pg_ctl -w -D $B/n$1/data -l $B/n$1/pg.log \
        -o "-c listen_addresses=* -c cluster_name=n$1 -c unix_socket_directories=$B/n$1/sock" start >/dev/null
}
pg_gone() { ! kill -0 "$(head -1 $B/n$1/data/postmaster.pid 2>/dev/null)" 2>/dev/null; }

start_daemon() {  # the unit's way: the service user, two capabilities, nice -10
    local n=$1
    ip netns exec $P-n$n nice -n -10 setpriv --reuid=vip --regid=vip --groups=postgres \
        --inh-caps=+net_admin,+net_raw --ambient-caps=+net_admin,+net_raw "$VIPB" daemon -i eth0 -a $VIP/32 -l eth0:0 \
        --socket $B/n$n/run/vip.sock --events-fifo $B/n$n/run/events --events-group postgres --allow-group postgres \
        --node-id $n --conninfo "host=198.51.100.1$n user=repmgr dbname=repmgr" --health-interval $HEALTH \
        --standby-address $SVIP/32 --standby-label eth0:1 >> $B/n$n/daemon.log 2>&1 &
    daemon_pid[$n]=$!
}
daemon_ready() { test -S $B/n$1/run/vip.sock && status_says "$1" '.ok'; }
rejoin() {  # rejoin node $1 to the primary $2 as a standby (its server stopped first)
    as_pg $P-n$1 $BIN/pg_ctl -w -D $B/n$1/data -m fast stop >/dev/null 2>&1
    wait_until 10 pg_gone $1
    psql_on $2 -c checkpoint >/dev/null
    as_pg $P-n$1 $BIN/repmgr -f $B/n$1/repmgr.conf node rejoin -d "host=198.51.100.1$2 user=repmgr dbname=repmgr" \
        --force-rewind --config-archive-dir=$B/n$1/archive >> $B/n$1/rejoin.log 2>&1
}
streams() {  # node $1 streams to the primary $2
    [ "$(psql_on "$2" -c "select state from pg_stat_replication where application_name = 'n$1'")" = streaming ]
}
declare -A mark
mark_logs() { local n; for n in $NODES; do mark[$n]=$(wc -l < $B/n$n/repmgrd.log); done; }
monitoring() {  # repmgrd on node $1 watches its upstream $2 again (since mark_logs)
    tail -n +"$((${mark[$1]:-0} + 1))" $B/n$1/repmgrd.log | grep -qE \
        "monitoring connection to upstream node \"n$2\"|restored as standby|resuming standby monitoring"
}
promoted_at() {  # the time node $1 was last promoted, as repmgr recorded it there
    psql_on "$1" -c "select extract(epoch from max(event_timestamp)) from repmgr.events
        where node_id = $1 and event = 'standby_promote' and successful"
}
rows_after() {  # rows node $1 acknowledged after the epoch $2 (0 when it does not answer)
    local c; c=$(psql_on "$1" -c "select count(*) from vip_probe where at > to_timestamp($2)"); echo "${c:-0}"
}
has_rows_after() { [ "$(rows_after "$1" "$2")" -gt 0 ]; }
held_elsewhere() {  # some node other than $1 has the primary VIP
    local n
    for n in $NODES; do [ "$n" != "$1" ] && has_addr $n $VIP && return 0; done
    return 1
}
primary_elsewhere() {  # some node other than $1 is a primary
    the_primary "$1" >/dev/null
}
svip_on_a_standby() { local h; h=$(holders $SVIP); [ -n "$h" ] && [ "$h" != 1 ]; }
all_agree() {  # every daemon finds node $1 rightful and none is stale
    local n
    for n in $NODES; do status_says $n ".stale_primary == false and .rightful_node == $1" || return 1; done
}

# preconditions: one line and stop, never a cascade of failures
for u in postgres vip; do getent passwd $u >/dev/null || die "no account '$u' (scripts/test creates it)"; done
for b in initdb pg_ctl psql repmgr repmgrd; do test -x $BIN/$b || die "$BIN/$b missing: apt-get install postgresql-15 postgresql-15-repmgr"; done
for c in jq setpriv; do command -v $c >/dev/null || die "$c missing"; done
test -f "$VIP_ROOT/vip-cli/target/vip-cli.jar" || die "vip is not built: mvn -B -q -DskipTests package"

log "network: n1 (.11), n2 (.12), n3 (.13), client (.100) on a bridge"
for ns in $P-sw $P-n1 $P-n2 $P-n3 $P-c; do ip netns add $ns || die "ip netns add $ns"; ip -n $ns link set lo up; done
ip -n $P-sw link add br0 type bridge; ip -n $P-sw link set br0 up
i=1
for h in n1 n2 n3 c; do
    ip -n $P-sw link add $h type veth peer name eth0 netns $P-$h || die "veth for $h"
    ip -n $P-sw link set $h master br0 up
    ip -n $P-$h link set eth0 address 02:00:00:00:00:0$i
    ip -n $P-$h link set eth0 up
    i=$((i + 1))
done
for n in $NODES; do ip -n $P-n$n addr add 198.51.100.1$n/24 dev eth0; done
ip -n $P-c addr add 198.51.100.100/24 dev eth0
chmod 755 "$B"
for n in $NODES; do
    mkdir -p $B/n$n/sock $B/n$n/run $B/n$n/archive
    chown -R postgres: $B/n$n; chown vip: $B/n$n/run
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
service_start_command='$BIN/pg_ctl -w -D $B/n$n/data -l $B/n$n/pg.log -o "-c listen_addresses=* -c cluster_name=n$n -c unix_socket_directories=$B/n$n/sock" start'
service_stop_command='$BIN/pg_ctl -w -D $B/n$n/data -m fast stop'
service_promote_command='$BIN/pg_ctl -w -D $B/n$n/data promote'
event_notification_command='echo %n %e %s 1<>$B/n$n/run/events'
event_notifications='standby_promote,repmgrd_failover_promote,standby_follow,repmgrd_failover_follow,node_rejoin'
log_file='$B/n$n/repmgrd.log'
repmgrd_pid_file='$B/n$n/repmgrd.pid'
CONF
    chown postgres: $B/n$n/repmgr.conf
done

log "PostgreSQL 15 on n1 (primary), n2 and n3 cloned as standbys"
as_pg $P-n1 $BIN/initdb -D $B/n1/data --auth=trust -U postgres >/dev/null || die "initdb on n1"
cat >> $B/n1/data/postgresql.conf <<CONF
shared_preload_libraries = 'repmgr'
wal_log_hints = on
wal_keep_size = '256MB'
CONF
printf 'host all all 198.51.100.0/24 trust\nhost replication all 198.51.100.0/24 trust\n' >> $B/n1/data/pg_hba.conf
pg_start 1 || die "PostgreSQL did not start on n1 (see $B/n1/pg.log)"
as_pg $P-n1 $BIN/psql -h $B/n1/sock -U postgres -qc "create user repmgr superuser" -c "create database repmgr owner repmgr" \
    || die "cannot create the repmgr user and database on n1"
as_pg $P-n1 $BIN/repmgr -f $B/n1/repmgr.conf primary register >/dev/null 2>&1 || die "repmgr primary register on n1"
for n in 2 3; do
    as_pg $P-n$n $BIN/repmgr -h 198.51.100.11 -U repmgr -d repmgr -f $B/n$n/repmgr.conf standby clone --fast-checkpoint \
        > $B/n$n/clone.log 2>&1 || die "repmgr standby clone on n$n (see $B/n$n/clone.log)"
    pg_start $n || die "PostgreSQL did not start on n$n"
    as_pg $P-n$n $BIN/repmgr -f $B/n$n/repmgr.conf standby register >/dev/null 2>&1 || die "repmgr standby register on n$n"
done
log "repmgrd and a vip daemon (--conninfo, --health-interval $HEALTH) on every node"
for n in $NODES; do
    as_pg $P-n$n $BIN/repmgrd -f $B/n$n/repmgr.conf --daemonize=false > $B/n$n/repmgrd.out 2>&1 &
    pids+=($!)
    start_daemon $n
done
for n in $NODES; do wait_until 30 daemon_ready $n || die "the vip daemon on n$n did not start (see $B/n$n/daemon.log)"; done
check "the primary VIP goes to n1 by itself (the rightful primary; no event was sent)" wait_until 10 only_on 1 $VIP
ip netns exec $P-c setpriv --reuid=postgres --regid=postgres --init-groups "$VIPB" pgprobe --json --every 20ms \
    --timeout 1s --conninfo "host=$VIP user=repmgr dbname=repmgr sslmode=disable" > $B/probe.jsonl 2> $B/probe.err &
probe=$!; pids+=($probe)
check "the client's probe writes through the VIP, to n1" wait_until 20 has_rows_after 1 0
check "the standby VIP settles on a standby" wait_until 15 svip_on_a_standby
for n in 2 3; do wait_until 20 monitoring $n 1; done

log "scenario 1: forged FIFO lines written as postgres"
as_pg $P-n2 sh -c "echo '2 standby_promote 1' 1<>$B/n2/run/events"
as_pg $P-n1 sh -c "echo '1 standby_follow 1' 1<>$B/n1/run/events"
sleep 1
check "a forged promote on the standby n2 does not give it the VIP" only_on 1 $VIP
check "a forged follow on the primary n1 does not take the VIP away" has_addr 1 $VIP
check "n2 counted the refused claim" status_says 2 '.fence_refusals >= 1'
check "n1 counted the refused release" status_says 1 '.fence_refusals >= 1'
check "the client's entry still points to n1" client_points_to 1 $VIP

log "scenario 2: n1's link goes down; n1's PostgreSQL keeps running as a primary"
ip -n $P-n1 link set eth0 down
cut=$(now)
wait_until 40 held_elsewhere 1
new=$(the_primary 1) || new=""
check "repmgr promoted another node, which took the VIP" test -n "$new"
new=${new:-2}
other=$((new == 2 ? 3 : 2))
log "n$new promoted and holds the VIP $(since "$cut" "$(now)") s after the cut"
check "n1 is still a primary, unreachable (the stale side)" is_primary 1
check "n$other follows n$new" wait_until 20 streams $other $new
promoted=$(promoted_at $new)
ip -n $P-n1 link set eth0 up
healed=$(now)
check "within 2 s of the heal the VIP is only on n$new" wait_until 2 only_on $new $VIP
log "one holder $(since "$healed" "$(now)") s after the heal"
sleep 2  # the old primary's link-up and a check have come and gone
check "and it stays so" only_on $new $VIP
check "the client's neighbour entry points to n$new" client_points_to $new $VIP
check "n1 says it is a stale primary (vip status)" status_says 1 ".stale_primary == true and .rightful_node == $new"
check "no row written after n$new's promotion is on n1" test "$(rows_after 1 "$promoted")" = 0
check "rows written after the heal are on n$new" wait_until 5 has_rows_after $new "$healed"
mark_logs
rejoin 1 $new
check "n1 rejoined as a standby" wait_until 20 streams 1 $new
check "and the VIP never came back to n1" only_on $new $VIP
wait_until 20 monitoring 1 $new

P2=$new
log "scenario 3: a partition in the switch: n$P2's bridge port detached (its link stays up)"
mark_logs
ip -n $P-sw link set n$P2 nomaster
cut=$(now)
wait_until 40 held_elsewhere $P2
new=$(the_primary $P2) || new=""
check "repmgr promoted another node, which took the VIP" test -n "$new"
new=${new:-1}
log "n$new promoted and holds the VIP $(since "$cut" "$(now)") s after the cut"
check "n$P2 saw nothing: it still holds the VIP as a primary" has_addr $P2 $VIP
promoted=$(promoted_at $new)
ip -n $P-sw link set n$P2 master br0
healed=$(now)
check "within twice the health interval of the heal the VIP is only on n$new" wait_until 4 only_on $new $VIP
log "one holder $(since "$healed" "$(now)") s after the heal"
check "the client's neighbour entry points to n$new" wait_until 2 client_points_to $new $VIP
check "no row written after n$new's promotion is on n$P2" test "$(rows_after $P2 "$promoted")" = 0
check "n$P2 says it is a stale primary" status_says $P2 ".stale_primary == true"
rejoin $P2 $new
check "n$P2 rejoined as a standby" wait_until 20 streams $P2 $new
for n in $NODES; do [ $n != $new ] && wait_until 20 monitoring $n $new; done
check "every daemon agrees: n$new holds the VIP, nobody is stale" wait_until 5 all_agree $new

P3=$new
log "scenario 4: the standbys' daemons killed (-9), then n$P3's postmaster killed; daemons back after the promotion"
for n in $NODES; do [ $n != $P3 ] && kill -9 "${daemon_pid[$n]}" && wait "${daemon_pid[$n]}" 2>/dev/null; done
kill -9 "$(head -1 $B/n$P3/data/postmaster.pid)"
killed=$(now)
wait_until 30 primary_elsewhere $P3
new=$(the_primary $P3) || new=""
check "repmgr promoted another node" test -n "$new"
new=${new:-1}
check "with no daemon there, nobody took the VIP yet" test -z "$(holders $VIP | tr -d "$P3 ")"
sleep 1
for n in $NODES; do [ $n != $P3 ] && start_daemon $n; done
restarted=$(now)
check "the restarted daemon on n$new claims the VIP by itself" wait_until 10 has_addr $new $VIP
log "VIP on n$new $(since "$restarted" "$(now)") s after the daemons were started again"
check "and n$P3 (its postgres dead) lets it go" wait_until 5 only_on $new $VIP
check "the client's entry points to n$new" wait_until 5 client_points_to $new $VIP
wait_until 10 pg_gone $P3
rm -f $B/n$P3/data/postmaster.pid
rejoin $P3 $new
check "n$P3 rejoined as a standby" wait_until 20 streams $P3 $new

P4=$new
log "scenario 5: every daemon restarted at once, then a minute of watching"
for n in $NODES; do kill "${daemon_pid[$n]}"; done
for n in $NODES; do wait "${daemon_pid[$n]}" 2>/dev/null; done
for n in $NODES; do start_daemon $n; done
for n in $NODES; do wait_until 30 daemon_ready $n; done
sleep 3
first=$(holders $SVIP)
moves=0; doubles=0; off=0; last=$first
end=$(( $(date +%s) + 60 ))
while [ "$(date +%s)" -lt "$end" ]; do
    h=$(holders $SVIP); p=$(holders $VIP)
    [ "$h" != "$last" ] && moves=$((moves + 1)) && log "standby VIP now on '$h'"
    [ "$(wc -w <<<"$h")" -gt 1 ] && doubles=$((doubles + 1))
    [ "$p" != "$P4" ] && off=$((off + 1))
    last=$h
    sleep 0.5
done
check "the primary VIP stayed on n$P4 alone for the minute" test "$off" = 0
check "the standby VIP settled on one standby (n$first)" sh -c "[ '$(wc -w <<<"$first")' = 1 ] && [ '$first' != '$P4' ]"
check "and stayed there for the minute (moves: $moves, double holders: $doubles samples)" test "$moves" = 0 -a "$doubles" = 0

kill -TERM "$probe" 2>/dev/null; wait "$probe" 2>/dev/null
while read -r w; do
    log "client outage: $(jq -r '.outage_ms | floor' <<<"$w") ms, from $(jq -r .last_good_server <<<"$w") to" \
        "$(jq -r .good_again_server <<<"$w"), $(jq -r .missing <<<"$w") acknowledged rows missing"
done < <(jq -c 'select(.event == "outage")' $B/probe.jsonl)
if [ "$failed" -gt 0 ]; then
    for f in $B/probe.err $B/n1/daemon.log $B/n2/daemon.log $B/n3/daemon.log; do echo "--- $f"; tail -25 "$f"; done
fi
echo "truth: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
