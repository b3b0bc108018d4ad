#!/usr/bin/env bash
# End-to-end: two PostgreSQL 15 nodes managed by repmgr 5.3 (repmgrd, failover=automatic) and a client,
# in network namespaces of their own; vip daemons on both nodes take repmgr's events through the
# documented one-liner (the cluster: tests/e2e/cluster.sh). Scenarios, in the order they run, each
# checked against the kernel (ip -j addr / neigh) and through writes from the client:
#   1. kill -9 of the primary's postmaster: the VIP ends on n2 only, the client's entry points to n2,
#      writes through the VIP resume;
#   2. the old primary restarted as a stray primary (not rejoined): it does not take the VIP, the client
#      keeps writing to n2;
#   3. n1 rejoins as a standby (repmgr node rejoin --force-rewind): the VIP never appears on n1;
#   4. n1's PostgreSQL stops and starts again: the standby VIP leaves n1 for n2 and comes back;
#   5. a switchover back to n1, done by hand as repmgr would without ssh (pause repmgrd, stop n2 cleanly,
#      promote n1, rejoin n2, unpause): the VIP follows to n1 and writes land there.
# A client runs `vip pgprobe` through the VIP from start to end: each outage window it saw is checked
# and printed. A second VIP, the standby VIP (.20), follows a streaming standby (issue 7): on n2 at the
# start, on n2 (the primary: no standby streams) after the failover, never on the stray primary, on n1
# once it streams again, back on n2 when n1's PostgreSQL stops, and on n2 after the switchover; a
# client reads through it after each move. A second primary VIP and an IPv6 standby VIP move with them.
# Checks its preconditions (root, accounts, programs, the build) first; a set-up step that fails stops
# it with one line. Prints a timeline; ends with "e2e: N passed, N failed"; exit 0 only when every check
# passed. Run by scripts/test and scripts/demo (root). Uses 198.51.100.0/24 and 2001:db8::/64 only;
# ends every process it started and removes everything it made, even on failure or interruption.
set -uo pipefail
VIP_ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
. "$VIP_ROOT/scripts/lib.sh"
. "$VIP_ROOT/tests/e2e/cluster.sh"
vip_require_root "$@"
vip_contain "$@"
vip_on_exit cluster_keep
cluster_preconditions
cluster_up

log "the start: n1 primary, n2 streaming standby"
check "the VIP starts on n1" has_vip n1
check "writes through the VIP land on n1" wait_until 5 write_through_vip 1
check "the standby VIP starts on n2 (the streaming standby)" wait_until 10 has_svip n2
check "and not on n1" lacks_svip n1
check "reads through the standby VIP land on n2" wait_until 5 read_through_svip 2
check "the second primary VIP follows the first: on n1" wait_until 5 has_addr n1 $PVIP2
check "the IPv6 standby VIP is on n2 with the other standby VIP" wait_until 10 has_addr n2 $SVIP6
check "the client reaches it there (ping -6)" wait_until 5 client_pings -6 $SVIP6
check "its IPv6 neighbour entry points to n2" client_v6_points_to 2
check "the client's probe writes through the VIP" probe_writing
# no pause here: a failover inside n1's announcement rounds is what the daemon's claim grace is for

log "scenario 1: kill -9 of n1's postmaster"
kill -9 "$(head -1 $B/n1/data/postmaster.pid)"
killed=$(now)
check "the VIP moves to n2" wait_until 30 has_vip n2
log "VIP on n2 $(since "$killed" "$(now)") s after the kill"
check "the VIP leaves n1" wait_until 5 lacks_vip n1
check "the client's entry points to n2" wait_until 5 client_points_to 2
check "writes through the VIP resume, on n2" wait_until 10 write_through_vip 2
sleep 2.5  # one health check after the promotion
check "both VIPs on n2: no standby streams, the standby VIP stays with the primary" has_svip n2
check "the standby VIP is not on n1" lacks_svip n1
check "the second primary VIP moved to n2 too" wait_until 5 has_addr n2 $PVIP2
check "and left n1" lacks_addr n1 $PVIP2
check "the IPv6 standby VIP is on n2" has_addr n2 $SVIP6
# the fault end to end, from the client's side: what it lived through, in order
promoted=$(sql 2 -c "select extract(epoch from min(event_timestamp)) from repmgr.events
    where node_id = 2 and event = 'standby_promote' and successful" 2>/dev/null)
announced=$(announced_at 2 $VIP "$killed")
back=$(sql 2 -c "select extract(epoch from min(at)) from vip_probe where at > to_timestamp($killed)" 2>/dev/null)
last=$(sql 2 -c "select extract(epoch from max(at)) from vip_probe where at < to_timestamp($killed)" 2>/dev/null)
ms() { [ -n "$1" ] && awk -v a="$killed" -v b="$1" 'BEGIN { printf "%+8.0f ms", (b - a) * 1000 }' || echo "       ? ms"; }
log "scenario 1 as the client lived it (ms from the kill):"
log "  $(ms "$last")  the last write before the kill that n2 has (acknowledged by n1)"
log "  $(ms "$killed")  kill -9 of n1's postmaster: from here every write fails"
log "  $(ms "$promoted")  repmgr has promoted n2 (its standby_promote event: detection and promotion, repmgr's part)"
log "  $(ms "$announced")  n2's announcement of the VIP reaches the client (the vip daemon's part ends)"
log "  $(ms "$back")  the client's first write acknowledged again, by n2"

log "scenario 2: n1 restarted as a stray primary, not rejoined"
wait_until 10 postmaster_gone 1
rm -f $B/n1/data/postmaster.pid
setup "restarting PostgreSQL on n1" $B/n1/pg.log "$FIX_KEEP" pg_start 1
sleep 3
check "the stray primary does not take the VIP" lacks_vip n1
check "n2 keeps the VIP" has_vip n2
check "the client keeps writing to n2" write_through_vip 2
check "the stray primary does not take the standby VIP either" lacks_svip n1
setup "stopping PostgreSQL on n1" $B/n1/pg.log "$FIX_KEEP" pg_stop 1

log "scenario 3: n1 rejoins as a standby"
sql 2 -c "checkpoint"
( while [ -d "$B" ]; do has_vip n1 && echo "VIP seen on n1 at $(now)"; sleep 0.1; done ) > $B/n1-samples &
sampler=$!
as_pg $P-n1 $BIN/repmgr -f $B/n1/repmgr.conf node rejoin -d "host=198.51.100.12 user=repmgr dbname=repmgr" \
    --force-rewind --config-archive-dir=$B/n1/archive > $B/n1/rejoin.log 2>&1
check "repmgr node rejoin succeeded" grep -q "NOTICE: NODE REJOIN successful" $B/n1/rejoin.log
check "n1 is a standby" sh -c "ip netns exec $P-n1 setpriv --reuid=postgres --regid=postgres --init-groups $BIN/psql -h $B/n1/sock -U repmgr -d repmgr -qAtc 'select pg_is_in_recovery()' | grep -qx t"
sleep 2
kill $sampler 2>/dev/null
check "the VIP never appeared on n1 during the rejoin" test ! -s $B/n1-samples
check "n2 still holds the VIP" has_vip n2
check "writes through the VIP still land on n2" write_through_vip 2
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
jq_status() { jq -e "$2" <<<"$1" >/dev/null; }
check "vip status on n1 shows both VIPs, their roles, where the standby VIP is and why" jq_status \
    "$("$VIPB" status --json --socket $B/n1/run/vip.sock)" \
    '.role == "primary" and .held == false and .standby_role == "standby" and .standby_held == true
     and .standby_address == "'$SVIP'/32" and .standby_placed_on == "node 1" and (.standby_reason | test("n1 \\(node 1\\) streams"))'

log "scenario 4: n1's PostgreSQL stops"
pg_stop 1 >/dev/null; stopped=$(now)
check "the standby VIP returns to n2" wait_until 10 has_svip n2
log "standby VIP on n2 $(since "$stopped" "$(now)") s after n1's PostgreSQL stopped"
check "and leaves n1" wait_until 5 lacks_svip n1
check "the client's entry for the standby VIP points to n2" wait_until 5 client_svip_points_to 2
check "reads through the standby VIP land on n2" wait_until 5 read_through_svip 2
setup "starting PostgreSQL on n1 again" $B/n1/pg.log "$FIX_KEEP" pg_start 1
check "n1 streams again" wait_until 20 streams 1 2
check "and gets the standby VIP back" wait_until 10 has_svip n1
check "the client's entry for it points to n1 again" wait_until 5 client_svip_points_to 1
check "reads through it land on n1 again" wait_until 5 read_through_svip 1

log "scenario 5: switchover back to n1 (without ssh: pause repmgrd, stop n2, promote n1, rejoin n2)"
as_pg $P-n1 $BIN/repmgr -f $B/n1/repmgr.conf service pause > $B/switchover.log 2>&1
as_pg $P-n2 $BIN/pg_ctl -w -D $B/n2/data -m fast stop >> $B/switchover.log 2>&1
as_pg $P-n1 $BIN/repmgr -f $B/n1/repmgr.conf standby promote >> $B/switchover.log 2>&1
check "repmgr standby promote on n1 succeeded" grep -q "STANDBY PROMOTE successful" $B/switchover.log
check "the VIP follows to n1" wait_until 10 has_vip n1
check "and leaves n2" wait_until 5 lacks_vip n2
sql 1 -c "checkpoint"
as_pg $P-n2 $BIN/repmgr -f $B/n2/repmgr.conf node rejoin -d "host=198.51.100.11 user=repmgr dbname=repmgr" \
    --force-rewind --config-archive-dir=$B/n2/archive >> $B/switchover.log 2>&1
check "n2 rejoined as a standby" grep -q "NODE REJOIN successful" $B/switchover.log
as_pg $P-n1 $BIN/repmgr -f $B/n1/repmgr.conf service unpause >> $B/switchover.log 2>&1
check "the client's entry points to n1" wait_until 5 client_points_to 1
check "writes through the VIP land on n1" wait_until 10 write_through_vip 1
check "n2 does not hold the VIP" lacks_vip n2
check "the standby VIP is on n2, the new standby" wait_until 10 has_svip n2
check "the client's entry for the standby VIP points to n2" wait_until 5 client_svip_points_to 2
check "and not on n1, the new primary" wait_until 5 lacks_svip n1
check "reads through the standby VIP land on n2" wait_until 5 read_through_svip 2
check "the second primary VIP is on n1" has_addr n1 $PVIP2
check "and not on n2" lacks_addr n2 $PVIP2
check "the IPv6 standby VIP is on n2" wait_until 5 has_addr n2 $SVIP6
check "and not on n1" wait_until 5 lacks_addr n1 $SVIP6

log "the client's probe: every outage window"
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
jq_true() { jq -se "$1" "$2" >/dev/null; }
check "the probe saw the failover: an outage that ended on n2, from n1" \
    jq_true '.[0].last_good_server == "n1" and .[0].good_again_server == "n2"' $B/outages.jsonl
check "the probe saw the switchover: its last outage ended on n1" jq_true '.[-1].good_again_server == "n1"' $B/outages.jsonl
log "probe: $(jq -r 'select(.event == "summary") | "\(.attempts) attempts, \(.good) acknowledged, \(.outages) outages, longest \(.longest_ms | floor) ms, \(.missing) acknowledged rows missing at the end"' $B/probe.jsonl)"

[ "$failed" -gt 0 ] && cluster_logs
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
