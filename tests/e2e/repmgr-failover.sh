#!/usr/bin/env bash
# End-to-end: two PostgreSQL 15 nodes managed by repmgr 5.3 (repmgrd, failover=automatic) and a client,
# in network namespaces of their own; vip daemons on both nodes take repmgr's events through the
# documented one-liner. Scenarios, each checked against the kernel (ip -j addr / neigh) and through
# writes from the client:
#   1. kill -9 of the primary's postmaster: the VIP ends on n2 only, the client's entry points to n2,
#      writes through the VIP resume;
#   4. the old primary restarted as a stray primary (not rejoined): it does not take the VIP, the client
#      keeps writing to n2;
#   2. n1 rejoins as a standby (repmgr node rejoin --force-rewind): the VIP never appears on n1;
#   3. a switchover back to n1, done by hand as repmgr would without ssh (pause repmgrd, stop n2 cleanly,
#      promote n1, rejoin n2, unpause): the VIP follows to n1 and writes land there.
# A client runs `vip pgprobe` through the VIP from start to end: each outage window it saw is checked
# and printed. A second VIP, the standby VIP (.20), follows a streaming standby (issue 7): on n2 at the
# start, on n2 (the primary: no standby streams) after the failover, never on the stray primary, on n1
# once it streams again, back on n2 when n1's PostgreSQL stops, and on n2 after the switchover; a
# client reads through it after each move.
# Prints a timeline; ends with "N passed, N failed"; exit 0 only when every check passed.
# Run by scripts/test (root). Uses 198.51.100.0/24 only; removes everything it made, even on failure.
#
# For scripts/bench-failover: E2E_ONLY_FAILOVER=1 stops after scenario 1; E2E_HOOK=jvm makes repmgr run
# `vip hook` (a JVM per event, handing the claim to the daemon) instead of the FIFO one-liner; both then
# put a timestamp script before the command (the moment repmgr fires the event) and print a RESULT line.
set -uo pipefail
ONLY_FAILOVER=${E2E_ONLY_FAILOVER:-0}
STANDBY=${E2E_STANDBY:-1}  # 0: no standby VIP (the failover benchmark's setting)
STANDBY_ROUNDS=${E2E_STANDBY_ROUNDS:-0}  # N > 0 (scripts/bench-standby): N rounds of n2 stopping and
                                         # streaming again, timed, then exit
NICE=${E2E_DAEMON_NICE:--10}  # as systemd/vip-daemon.service
HOOK=${E2E_HOOK:-fifo}
VIP_ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
P=vipe2e$$
B=$(mktemp -d /tmp/vip-e2e.XXXXXX)
BIN=/usr/lib/postgresql/15/bin
VIPB=$VIP_ROOT/bin/vip
VIP=198.51.100.10
SVIP=198.51.100.20
PVIP2=198.51.100.30        # a second primary VIP (--vip primary:...)
SVIP6=2001:db8::20         # a second standby VIP, IPv6 (--vip standby:...)
passed=0; failed=0
t0=$(date +%s.%N)
ts() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%6.2f", b - a }'; }
log() { echo "[$(ts) s] $*"; }
check() {  # check "what" command...
    local what=$1; shift
    if "$@"; then passed=$((passed + 1)); log "ok: $what"; else failed=$((failed + 1)); log "FAILED: $what"; fi
}
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for n in 1 2; do
        [ -f "$B/n$n/data/postmaster.pid" ] && kill -9 "$(head -1 "$B/n$n/data/postmaster.pid")" 2>/dev/null
    done
    sleep 1
    [ -n "${E2E_KEEP:-}" ] && rm -rf "$E2E_KEEP" && cp -a "$B" "$E2E_KEEP"
    for ns in $P-n1 $P-n2 $P-c $P-sw; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "$B"
}
trap cleanup EXIT
as_pg() { local ns=$1; shift; ip netns exec "$ns" setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
has_vip() { ip -n "$P-$1" -j addr show dev eth0 | jq -e --arg v "$VIP" '[.[0].addr_info[] | select(.local == $v)] | length == 1' >/dev/null; }
lacks_vip() { ! has_vip "$1"; }
has_svip() { ip -n "$P-$1" -j addr show dev eth0 | jq -e --arg v "$SVIP" '[.[0].addr_info[] | select(.local == $v)] | length == 1' >/dev/null; }
lacks_svip() { ! has_svip "$1"; }
has_addr() { ip -n "$P-$1" -j addr show dev eth0 | jq -e --arg v "$2" '[.[0].addr_info[] | select(.local == $v)] | length == 1' >/dev/null; }
lacks_addr() { ! has_addr "$1" "$2"; }
client_v6_points_to() { [ "$(ip -n $P-c -j -6 neigh show $SVIP6 dev eth0 | jq -r '.[0].lladdr // ""')" = "02:00:00:00:00:0$1" ]; }
client_svip_points_to() { [ "$(ip -n $P-c -j neigh show $SVIP dev eth0 | jq -r '.[0].lladdr // ""')" = "02:00:00:00:00:0$1" ]; }
read_through_svip() {  # a read through the standby VIP is answered by node $1
    local id; id=$(ip netns exec $P-c setpriv --reuid=postgres --regid=postgres --init-groups \
        $BIN/psql "host=$SVIP user=repmgr dbname=repmgr connect_timeout=2" -qAtc \
        "select current_setting('cluster_name') from probe limit 1" 2>>$B/client.err | head -1)
    [ "$id" = "n$1" ]
}
streams() {  # node $1 streams to the primary, node $2, as its pg_stat_replication says
    [ "$(as_pg $P-n$2 $BIN/psql -h $B/n$2/sock -U repmgr -d repmgr -qAtc \
        "select state from pg_stat_replication where application_name = 'n$1'" 2>/dev/null)" = streaming ]
}
now() { date +%s.%N; }
reads_on() { as_pg $P-n$1 $BIN/psql -h $B/n$1/sock -U repmgr -d repmgr -qAtc "select 1" >/dev/null 2>&1; }
client_points_to() { [ "$(ip -n $P-c -j neigh show $VIP dev eth0 | jq -r '.[0].lladdr // ""')" = "02:00:00:00:00:0$1" ]; }
write_through_vip() {  # the row lands on node $1
    local id; id=$(ip netns exec $P-c setpriv --reuid=postgres --regid=postgres --init-groups \
        $BIN/psql "host=$VIP user=repmgr dbname=repmgr connect_timeout=2" -qAtc \
        "insert into probe(at) values (now()) returning current_setting('cluster_name')" 2>>$B/client.err | head -1)
    [ "$id" = "n$1" ]
}
wait_until() {  # wait_until SECONDS command...
    local limit=$1; shift; local end; end=$(awk -v s="$limit" 'BEGIN { srand(); print srand() + s }')
    until "$@"; do [ "$(date +%s)" -ge "$end" ] && return 1; sleep 0.1; done
}
pg_start() {
    as_pg $P-n$1 $BIN/pg_ctl -w -D $B/n$1/data -l $B/n$1/pg.log \
        -o "-c listen_addresses=* -c cluster_name=n$1 -c unix_socket_directories=$B/n$1/sock" start >/dev/null
}

notify_command() {  # the documented one-liner, or (bench) a stamp then the one-liner or the JVM hook
    local n=$1
    if [ "$ONLY_FAILOVER" = 1 ]; then
        printf '%s' "$B/stamp $B/n$n/stamps %e; "
    fi
    if [ "$HOOK" = jvm ]; then
        printf '%s' "$VIPB hook -i eth0 -a $VIP/32 -l eth0:0 --socket $B/n$n/run/vip.sock --conninfo \"host=198.51.100.1$n user=repmgr dbname=repmgr connect_timeout=2\" %n %e %s"
    else
        printf '%s' "echo %n %e %s 1<>$B/n$n/run/events"
    fi
}
epoch() { date -d "$1" +%s.%N; }

jq_true() { jq -se "$1" "$2" >/dev/null; }
jq_status() { jq -e "$2" <<<"$1" >/dev/null; }
stop_probe() { kill -TERM "$probe" 2>/dev/null; wait "$probe" 2>/dev/null; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

log "network: n1 (.11), n2 (.12), client (.100) on a bridge"
for ns in $P-sw $P-n1 $P-n2 $P-c; do ip netns add $ns; ip -n $ns link set lo up; done
ip -n $P-sw link add br0 type bridge; ip -n $P-sw link set br0 up
i=1
for h in n1 n2 c; do
    ip -n $P-sw link add $h type veth peer name eth0 netns $P-$h
    ip -n $P-sw link set $h master br0 up
    ip -n $P-$h link set eth0 address 02:00:00:00:00:0$i
    ip -n $P-$h link set eth0 up
    i=$((i + 1))
done
ip -n $P-n1 addr add 198.51.100.11/24 dev eth0
ip -n $P-n2 addr add 198.51.100.12/24 dev eth0
ip -n $P-c addr add 198.51.100.100/24 dev eth0
ip -n $P-c addr add 2001:db8::100/64 dev eth0 nodad
chmod 755 "$B"
printf '#!/bin/sh\ndate "+%%s.%%N $2" >> "$1"\n' > $B/stamp; chmod 755 $B/stamp
for n in 1 2; do
    mkdir -p $B/n$n/sock $B/n$n/run $B/n$n/archive
    chown -R postgres: $B/n$n; chown vip: $B/n$n/run
    cat > $B/n$n/repmgr.conf <<CONF
node_id=$n
node_name='n$n'
conninfo='host=198.51.100.1$n port=5432 user=repmgr dbname=repmgr connect_timeout=2'
data_directory='$B/n$n/data'
pg_bindir='$BIN'
failover=automatic
promote_command='$BIN/repmgr standby promote -f $B/n$n/repmgr.conf --log-to-file'
follow_command='$BIN/repmgr standby follow -f $B/n$n/repmgr.conf --log-to-file --upstream-node-id=%n'
monitor_interval_secs=1
reconnect_attempts=2
reconnect_interval=1
connection_check_type=ping
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

log "PostgreSQL 15 on n1, repmgr primary register"
as_pg $P-n1 $BIN/initdb -D $B/n1/data --auth=trust -U postgres >/dev/null
cat >> $B/n1/data/postgresql.conf <<CONF
shared_preload_libraries = 'repmgr'
wal_log_hints = on
wal_keep_size = '256MB'
CONF
printf 'host all all 198.51.100.0/24 trust\nhost replication all 198.51.100.0/24 trust\n' >> $B/n1/data/pg_hba.conf
pg_start 1
as_pg $P-n1 $BIN/psql -h $B/n1/sock -U postgres -qc "create user repmgr superuser" -c "create database repmgr owner repmgr"
as_pg $P-n1 $BIN/psql -h $B/n1/sock -U repmgr -d repmgr -qc "create table probe (id serial primary key, at timestamptz)"
as_pg $P-n1 $BIN/repmgr -f $B/n1/repmgr.conf primary register >/dev/null 2>&1
log "n2: standby clone, standby register"
as_pg $P-n2 $BIN/repmgr -h 198.51.100.11 -U repmgr -d repmgr -f $B/n2/repmgr.conf standby clone --fast-checkpoint >/dev/null 2>&1
pg_start 2
as_pg $P-n2 $BIN/repmgr -f $B/n2/repmgr.conf standby register >/dev/null 2>&1
log "repmgrd and vip daemon on both nodes"
for n in 1 2; do
    sargs=()
    [ "$STANDBY" = 1 ] && sargs=(--standby-address $SVIP/32 --standby-label eth0:1 --health-interval 2s
        --conninfo "host=198.51.100.1$n user=repmgr dbname=repmgr"
        --vip primary:$PVIP2/32:eth0:2,standby:$SVIP6/64 --nodad)
    as_pg $P-n$n $BIN/repmgrd -f $B/n$n/repmgr.conf --daemonize=false > $B/n$n/repmgrd.out 2>&1 &
    pids+=($!)
    ip netns exec $P-n$n nice -n "$NICE" setpriv --reuid=vip --regid=vip --groups=postgres --inh-caps=+net_admin,+net_raw \
        --ambient-caps=+net_admin,+net_raw "$VIPB" daemon -i eth0 -a $VIP/32 -l eth0:0 \
        --socket $B/n$n/run/vip.sock --events-fifo $B/n$n/run/events --events-group postgres \
        --allow-group postgres --node-id $n "${sargs[@]}" > $B/n$n/daemon.log 2>&1 &
    pids+=($!)
done
wait_until 30 test -p $B/n1/run/events -a -p $B/n2/run/events -a -S $B/n1/run/vip.sock -a -S $B/n2/run/vip.sock
ip netns exec $P-n1 "$VIPB" add -q -i eth0 -a $VIP/32 --socket $B/n1/run/vip.sock
check "the VIP starts on n1" has_vip n1
check "writes through the VIP land on n1" wait_until 5 write_through_vip 1
if [ "$STANDBY" = 1 ]; then
    check "the standby VIP starts on n2 (the streaming standby)" wait_until 10 has_svip n2
    check "and not on n1" lacks_svip n1
    check "reads through the standby VIP land on n2" wait_until 5 read_through_svip 2
    check "the second primary VIP follows the first: on n1" wait_until 5 has_addr n1 $PVIP2
    check "the IPv6 standby VIP is on n2 with the other standby VIP" wait_until 10 has_addr n2 $SVIP6
    check "the client reaches it there (ping -6)" wait_until 5 ip netns exec $P-c ping -6 -c 1 -W 1 -q $SVIP6
    check "its IPv6 neighbour entry points to n2" client_v6_points_to 2
fi
if [ "$ONLY_FAILOVER" = 1 ]; then  # the announcements of the VIP the client sees, with their sender MAC
    ip netns exec $P-c tcpdump -i eth0 -n -e -l -tt --immediate-mode "arp and arp[14:4] = 0xc633640a" \
        > $B/client-arp 2>/dev/null &
    pids+=($!)
fi
if [ -n "${E2E_PCAP:-}" ]; then  # for a closer look: every frame the client sees
    ip netns exec $P-c tcpdump -i eth0 -s 200 --immediate-mode -w $B/client.pcap 2>/dev/null &
    pids+=($!)
fi
probe_writing() {
    local rows; rows=$(as_pg $P-n1 $BIN/psql -h $B/n1/sock -U repmgr -d repmgr -qAtc "select count(*) from vip_probe" 2>/dev/null)
    [ "${rows:-0}" -gt 0 ]
}
ip netns exec $P-c setpriv --reuid=postgres --regid=postgres --init-groups "$VIPB" pgprobe --json --every 10ms \
    --timeout 1s --conninfo "host=$VIP user=repmgr dbname=repmgr sslmode=disable" > $B/probe.jsonl 2> $B/probe.err &
probe=$!; pids+=($probe)
check "the client's probe writes through the VIP" wait_until 20 probe_writing
wait_until 20 grep -q "monitoring connection to upstream node" $B/n2/repmgrd.log
# no pause here: a failover inside n1's announcement rounds is what the daemon's claim grace is for

if [ "$STANDBY_ROUNDS" -gt 0 ]; then
    # kernel timestamps of n2's address changes, and the announcements of the standby VIP at the client
    ip -n $P-n2 -ts monitor address > $B/n2-addr-events 2>/dev/null &
    pids+=($!)
    ip netns exec $P-c tcpdump -i eth0 -n -e -l -tt --immediate-mode "arp and arp[14:4] = 0xc6336414" \
        > $B/client-sarp 2>/dev/null &
    pids+=($!)
    sleep 1
    svip_event() {  # svip_event Deleted|added AFTER: the first such change of the standby VIP on n2 after AFTER
        local t
        while read -r t; do
            t=$(date -d "${t:1:26}" +%s.%N)
            awk -v t="$t" -v a="$2" 'BEGIN { exit !(t >= a) }' && { echo "$t"; return 0; }
        done < <(grep " $SVIP/32 " $B/n2-addr-events | grep -E "$1" | awk '{ print $1 }')
        return 1
    }
    jitter() { sleep "$((RANDOM % 2)).$(printf '%03d' $((RANDOM % 1000)))"; }  # 0-2 s: no phase lock with the checks
    for r in $(seq "$STANDBY_ROUNDS"); do
        jitter
        down=$(now)  # the shutdown stops the WAL receiver first: ineligible from its start
        as_pg $P-n2 $BIN/pg_ctl -w -D $B/n2/data -m fast stop >/dev/null
        wait_until 10 has_svip n1
        left=""; end=$(( $(date +%s) + 5 ))
        until left=$(svip_event "Deleted" "$down") || [ "$(date +%s)" -ge "$end" ]; do sleep 0.1; done
        jitter
        pg_start 2
        until streams 2 1 && reads_on 2; do sleep 0.02; done; up=$(now)  # eligible: streams and takes reads
        wait_until 10 has_svip n2
        garp=""; end=$(( $(date +%s) + 5 ))
        until [ -n "$garp" ] || [ "$(date +%s)" -ge "$end" ]; do
            sleep 0.1
            garp=$(awk -v u="$up" '$1 >= u && $2 == "02:00:00:00:00:02" { print $1; exit }' $B/client-sarp)
        done
        if [ -n "$left" ] && [ -n "$garp" ]; then
            echo "SRESULT round=$r ineligible_to_gone_ms=$(since "$down" "$left" | awk '{ print $1 * 1000 }')" \
                "eligible_to_answering_ms=$(since "$up" "$garp" | awk '{ print $1 * 1000 }')"
        else
            failed=$((failed + 1)); log "FAILED: round $r: no removal or no announcement seen"
        fi
    done
    echo "e2e: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]; exit
fi

log "scenario 1: kill -9 of n1's postmaster"
kill -9 "$(head -1 $B/n1/data/postmaster.pid)"
killed=$(date +%s.%N)
check "the VIP moves to n2" wait_until 30 has_vip n2
log "VIP on n2 $(awk -v a="$killed" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s after the kill"
check "the VIP leaves n1" wait_until 5 lacks_vip n1
check "the client's entry points to n2" wait_until 5 client_points_to 2
check "writes through the VIP resume, on n2" wait_until 10 write_through_vip 2
if [ "$STANDBY" = 1 ]; then
    sleep 2.5  # one health check after the promotion
    check "both VIPs on n2: no standby streams, the standby VIP stays with the primary" has_svip n2
    check "the standby VIP is not on n1" lacks_svip n1
    check "the second primary VIP moved to n2 too" wait_until 5 has_addr n2 $PVIP2
    check "and left n1" lacks_addr n1 $PVIP2
    check "the IPv6 standby VIP is on n2" has_addr n2 $SVIP6
fi
if [ "$ONLY_FAILOVER" = 1 ]; then
    stop_probe
    w=$(jq -c 'select(.event == "outage")' $B/probe.jsonl | head -1)
    fired=$(awk '{ print $1; exit }' $B/n2/stamps 2>/dev/null)
    garp=$(awk -v f="${fired:-0}" '$1 >= f && $2 == "02:00:00:00:00:02" { print $1; exit }' $B/client-arp)
    if [ -n "$w" ] && [ -n "$fired" ] && [ -n "$garp" ]; then
        good=$(epoch "$(jq -r .last_good <<<"$w")"); again=$(epoch "$(jq -r .good_again <<<"$w")")
        echo "RESULT hook=$HOOK outage_ms=$(since "$good" "$again" | awk '{ print $1 * 1000 }')" \
            "repmgr_ms=$(since "$good" "$fired" | awk '{ print $1 * 1000 }')" \
            "vip_move_ms=$(since "$fired" "$again" | awk '{ print $1 * 1000 }')" \
            "event_to_garp_ms=$(since "$fired" "$garp" | awk '{ print $1 * 1000 }')" \
            "garp_to_write_ms=$(since "$garp" "$again" | awk '{ print $1 * 1000 }')" \
            "kill_to_event_ms=$(since "$killed" "$fired" | awk '{ print $1 * 1000 }')" \
            "from=$(jq -r .last_good_server <<<"$w") to=$(jq -r .good_again_server <<<"$w") missing=$(jq -r .missing <<<"$w")"
    else
        failed=$((failed + 1)); log "FAILED: no outage window, event stamp or announcement"
    fi
    echo "e2e: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]; exit
fi

log "scenario 4: n1 restarted as a stray primary, not rejoined"
wait_until 10 sh -c "! kill -0 \$(head -1 $B/n1/data/postmaster.pid 2>/dev/null) 2>/dev/null"
rm -f $B/n1/data/postmaster.pid
pg_start 1
sleep 3
check "the stray primary does not take the VIP" lacks_vip n1
check "n2 keeps the VIP" has_vip n2
check "the client keeps writing to n2" write_through_vip 2
[ "$STANDBY" = 1 ] && check "the stray primary does not take the standby VIP either" lacks_svip n1
as_pg $P-n1 $BIN/pg_ctl -w -D $B/n1/data -m fast stop >/dev/null

log "scenario 2: n1 rejoins as a standby"
as_pg $P-n2 $BIN/psql -h $B/n2/sock -U repmgr -d repmgr -qc "checkpoint"
( while [ -d "$B" ]; do has_vip n1 && echo "VIP seen on n1 at $(date +%s.%N)"; sleep 0.1; done ) > $B/n1-samples &
sampler=$!; pids+=($sampler)
as_pg $P-n1 $BIN/repmgr -f $B/n1/repmgr.conf node rejoin -d "host=198.51.100.12 user=repmgr dbname=repmgr" \
    --force-rewind --config-archive-dir=$B/n1/archive > $B/n1/rejoin.log 2>&1
check "repmgr node rejoin succeeded" grep -q "NOTICE: NODE REJOIN successful" $B/n1/rejoin.log
check "n1 is a standby" sh -c "ip netns exec $P-n1 setpriv --reuid=postgres --regid=postgres --init-groups $BIN/psql -h $B/n1/sock -U repmgr -d repmgr -qAtc 'select pg_is_in_recovery()' | grep -qx t"
sleep 2
kill $sampler 2>/dev/null
check "the VIP never appeared on n1 during the rejoin" test ! -s $B/n1-samples
check "n2 still holds the VIP" has_vip n2
check "writes through the VIP still land on n2" write_through_vip 2
if [ "$STANDBY" = 1 ]; then
    wait_until 20 streams 1 2; streaming=$(now)
    check "the standby VIP moves to n1 once it streams" wait_until 10 has_svip n1
    log "standby VIP on n1 $(since "$streaming" "$(now)") s after n1 streams (health check every 2 s)"
    check "and leaves n2" wait_until 5 lacks_svip n2
    check "the client's entry for the standby VIP points to n1" wait_until 5 client_svip_points_to 1
    check "reads through the standby VIP land on n1" wait_until 5 read_through_svip 1
    check "the primary VIP stays on n2" has_vip n2
    check "the IPv6 standby VIP moved to n1 as well" wait_until 5 has_addr n1 $SVIP6
    check "and left n2" wait_until 5 lacks_addr n2 $SVIP6
    check "the client's IPv6 neighbour entry for it points to n1 (unsolicited NA)" wait_until 5 client_v6_points_to 1
    check "vip status on n1 shows both VIPs, their roles, where the standby VIP is and why" jq_status \
        "$("$VIPB" status --json --socket $B/n1/run/vip.sock)" \
        '.role == "primary" and .held == false and .standby_role == "standby" and .standby_held == true
         and .standby_address == "'$SVIP'/32" and .standby_placed_on == "node 1" and (.standby_reason | test("n1 \\(node 1\\) streams"))'

    log "scenario 5: n1's PostgreSQL stops"
    as_pg $P-n1 $BIN/pg_ctl -w -D $B/n1/data -m fast stop >/dev/null; stopped=$(now)
    check "the standby VIP returns to n2" wait_until 10 has_svip n2
    log "standby VIP on n2 $(since "$stopped" "$(now)") s after n1's PostgreSQL stopped"
    check "and leaves n1" wait_until 5 lacks_svip n1
    check "the client's entry for the standby VIP points to n2" wait_until 5 client_svip_points_to 2
    check "reads through the standby VIP land on n2" wait_until 5 read_through_svip 2
    pg_start 1
    check "n1 streams again" wait_until 20 streams 1 2
    check "and gets the standby VIP back" wait_until 10 has_svip n1
    check "the client's entry for it points to n1 again" wait_until 5 client_svip_points_to 1
    check "reads through it land on n1 again" wait_until 5 read_through_svip 1
fi

log "scenario 3: switchover back to n1 (without ssh: pause repmgrd, stop n2, promote n1, rejoin n2)"
as_pg $P-n1 $BIN/repmgr -f $B/n1/repmgr.conf service pause > $B/switchover.log 2>&1
as_pg $P-n2 $BIN/pg_ctl -w -D $B/n2/data -m fast stop >> $B/switchover.log 2>&1
as_pg $P-n1 $BIN/repmgr -f $B/n1/repmgr.conf standby promote >> $B/switchover.log 2>&1
check "repmgr standby promote on n1 succeeded" grep -q "STANDBY PROMOTE successful" $B/switchover.log
check "the VIP follows to n1" wait_until 10 has_vip n1
check "and leaves n2" wait_until 5 lacks_vip n2
as_pg $P-n1 $BIN/psql -h $B/n1/sock -U repmgr -d repmgr -qc "checkpoint"
as_pg $P-n2 $BIN/repmgr -f $B/n2/repmgr.conf node rejoin -d "host=198.51.100.11 user=repmgr dbname=repmgr" \
    --force-rewind --config-archive-dir=$B/n2/archive >> $B/switchover.log 2>&1
check "n2 rejoined as a standby" grep -q "NODE REJOIN successful" $B/switchover.log
as_pg $P-n1 $BIN/repmgr -f $B/n1/repmgr.conf service unpause >> $B/switchover.log 2>&1
check "the client's entry points to n1" wait_until 5 client_points_to 1
check "writes through the VIP land on n1" wait_until 10 write_through_vip 1
check "n2 does not hold the VIP" lacks_vip n2
if [ "$STANDBY" = 1 ]; then
    check "the standby VIP is on n2, the new standby" wait_until 10 has_svip n2
    check "the client's entry for the standby VIP points to n2" wait_until 5 client_svip_points_to 2
    check "and not on n1, the new primary" wait_until 5 lacks_svip n1
    check "reads through the standby VIP land on n2" wait_until 5 read_through_svip 2
    check "the second primary VIP is on n1" has_addr n1 $PVIP2
    check "and not on n2" lacks_addr n2 $PVIP2
    check "the IPv6 standby VIP is on n2" wait_until 5 has_addr n2 $SVIP6
    check "and not on n1" wait_until 5 lacks_addr n1 $SVIP6
fi

stop_probe
jq -c 'select(.event == "outage")' $B/probe.jsonl > $B/outages.jsonl
k=0
while read -r w; do
    k=$((k + 1))
    log "client outage $k: last good write +$(since "$t0" "$(epoch "$(jq -r .last_good <<<"$w")")") s" \
        "($(jq -r .last_good_server <<<"$w")), first failed +$(since "$t0" "$(epoch "$(jq -r .first_failed <<<"$w")")") s," \
        "good again +$(since "$t0" "$(epoch "$(jq -r .good_again <<<"$w")")") s ($(jq -r .good_again_server <<<"$w")):" \
        "$(jq -r '.outage_ms | floor' <<<"$w") ms without a write, $(jq -r .failed_attempts <<<"$w") failed attempts," \
        "$(jq -r .missing <<<"$w") acknowledged rows missing"
done < $B/outages.jsonl
check "the probe saw the failover: an outage that ended on n2, from n1" \
    jq_true '.[0].last_good_server == "n1" and .[0].good_again_server == "n2"' $B/outages.jsonl
check "the probe saw the switchover: its last outage ended on n1" jq_true '.[-1].good_again_server == "n1"' $B/outages.jsonl
log "probe: $(jq -r 'select(.event == "summary") | "\(.attempts) attempts, \(.good) acknowledged, \(.outages) outages, longest \(.longest_ms | floor) ms, \(.missing) acknowledged rows missing at the end"' $B/probe.jsonl)"

if [ "$failed" -gt 0 ]; then
    for f in $B/probe.err $B/client.err $B/n1/daemon.log $B/n2/daemon.log $B/n1/repmgrd.log $B/n2/repmgrd.log $B/n1/rejoin.log \
        $B/switchover.log; do
        echo "--- $f"; tail -15 "$f"
    done
fi
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
