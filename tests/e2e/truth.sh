#!/usr/bin/env bash
# End-to-end, issue 13: the daemon decides from PostgreSQL's truth, not from who announced last.
# Three PostgreSQL 15 nodes managed by repmgr 5.3 (repmgrd, failover=automatic) and a client, in network
# namespaces of their own; a vip daemon per node with --conninfo (it asks its own server and every node of
# repmgr.nodes), a primary VIP (.10) and a standby VIP (.20). The client writes through the primary VIP
# with `vip pgprobe` from start to end. Scenarios, in this order, each judged on the kernel's state
# (ip -j addr / neigh) and on the rows the servers hold:
#   1. forged FIFO lines written as postgres: a promote on a standby and a follow on the primary change
#      nothing; the daemons count the refusals (vip status);
#   2. the primary's own link goes down (its daemon lets go of the VIP at once): repmgr promotes another
#      node, the third follows (rewound as an operator would when asynchronous replication had taken it
#      past the fork); the link comes
#      back while the old primary's PostgreSQL still runs as a primary: within 2 s of the heal the VIP is
#      only on the new primary, the client's neighbour entry points there, the old one says it is a stale
#      primary, and no row written after the promotion is on the old primary; then it rejoins;
#   3. the same with a partition in the switch (the node's bridge port detached; its link stays up, so it
#      sees no event): cut off from both others it lets go of the VIP before repmgr promotes; one holder
#      within twice the health interval after the heal; then it rejoins;
#   4. the daemons of both standbys killed (-9) just before the primary is killed, started again after the
#      promotion (its event lost): the new primary's daemon claims the VIP by itself;
#   5. every daemon restarted at once, then a minute of watching: the primary VIP stays on the primary,
#      the standby VIP settles on one standby and stays there;
#   6. both standbys' repmgrd frozen (SIGSTOP, so their last sight of the primary only grows): the primary
#      keeps the VIP while they stream from it; cut off in the switch it lets go, and after the heal it
#      takes the VIP back once they have streamed from it steadily again, no repmgrd having seen it;
#   7. a standby's repmgrd that has not looked at the primary yet (a route rule on it refuses its
#      connections to the primary's PostgreSQL, and its server restarts, so repmgr's "last seen" is -1):
#      the primary lets go of the VIP within seconds and stays in doubt while that one says nothing, though
#      the other standby's repmgrd sees it all along; once the rule is gone it takes the VIP back, and
#      nobody was promoted;
#   8. the primary's PostgreSQL hangs (every process of it stopped, SIGSTOP; its repmgrd and daemon run):
#      its daemon, whose questions time out, lets go of the VIP once the standbys' repmgrd have lost sight
#      of it, before repmgr promotes another node (a hung server that continues just then would take
#      writes on the old timeline through a VIP it kept); after the promotion it continues, a stale
#      primary: the VIP goes to the new primary alone, and the old one takes no row after the promotion
#      but the write in flight when it stopped (its client gave up; it runs when the server continues).
# vip status --cluster is checked twice: in scenario 2 (exit 1, n1 named a stale primary) and at the end
# (exit 0 from a standby and from the primary, each VIP answered by the right node alone).
# The cluster is tests/e2e/cluster.sh's, with three nodes. Ends with "truth: N passed, N failed"; exit 0
# only when every check passed. Run by scripts/test (root). Uses 198.51.100.0/24 and 2001:db8::/64 only;
# ends every process it started and removes everything it made, even on failure or interruption.
set -uo pipefail
VIP_ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
. "$VIP_ROOT/scripts/lib.sh"
CLUSTER_NODES="1 2 3"
CLUSTER_TRUTH=1
. "$VIP_ROOT/tests/e2e/cluster.sh"
NODES=$CLUSTER_NODES
vip_require_root "$@"
vip_contain "$@"
vip_on_exit cluster_keep

wait_within() {  # wait_within SECONDS command...: as wait_until, to a tenth of a second
    local end; end=$(awk -v s="$1" -v n="$(date +%s.%N)" 'BEGIN { printf "%.3f", n + s }'); shift
    until "$@"; do awk -v e="$end" -v n="$(date +%s.%N)" 'BEGIN { exit !(n >= e) }' && return 1; sleep 0.1; done
}
holders() {  # the nodes that have address $1, e.g. "2" or "1 2"
    local out="" n
    for n in $NODES; do has_addr n$n "$1" && out="$out $n"; done
    echo "${out# }"
}
only_on() { [ "$(holders "$2")" = "$1" ]; }
points_to() { lladdr_is -4 "$2" "$1"; }
is_primary() { [ "$(sql "$1" -c 'select pg_is_in_recovery()' 2>/dev/null)" = f ]; }
the_primary() {  # the node other than $1 whose server is a primary
    local n
    for n in $NODES; do
        [ "$n" = "${1:-0}" ] && continue
        is_primary $n && { echo $n; return 0; }
    done
    return 1
}
status_says() { "$VIPB" status --json --socket $B/n$1/run/vip.sock 2>/dev/null | jq -e "$2" >/dev/null; }
# vip status --cluster --json from node $1 (root in its namespace, as an operator's check would run), every
# VIP the daemons manage; the report in $B/cluster.json, its exit code in $B/cluster.rc
cluster_report() {
    ip netns exec $P-n$1 "$VIPB" status --cluster --json --conninfo "host=198.51.100.1$1 user=repmgr dbname=repmgr" \
        -i eth0 -a $VIP/32 --standby-address $SVIP/32 --vip primary:$PVIP2/32,standby:$SVIP6/64 \
        > $B/cluster.json 2> $B/cluster.err
    echo $? > $B/cluster.rc
}
cluster_says() { [ "$(cat $B/cluster.rc)" = "$1" ] && jq -e "$2" $B/cluster.json >/dev/null; }
daemon_ready() { test -S $B/n$1/run/vip.sock && status_says "$1" '.ok'; }
rejoin() {  # rejoin node $1 to the primary $2 as a standby (its server stopped first)
    pg_stop $1 >/dev/null 2>&1
    wait_until 10 postmaster_gone $1
    sql $2 -c checkpoint >/dev/null
    as_pg $P-n$1 $BIN/repmgr -f $B/n$1/repmgr.conf node rejoin -d "host=198.51.100.1$2 user=repmgr dbname=repmgr" \
        --force-rewind --config-archive-dir=$B/n$1/archive >> $B/n$1/rejoin.log 2>&1
}
promoted_at() {  # the time node $1 was last promoted, as repmgr recorded it there
    sql "$1" -c "select extract(epoch from max(event_timestamp)) from repmgr.events
        where node_id = $1 and event = 'standby_promote' and successful"
}
rows_after() {  # rows node $1 acknowledged after the epoch $2 (0 when it does not answer)
    local c; c=$(sql "$1" -c "select count(*) from vip_probe where at > to_timestamp($2)" 2>/dev/null); echo "${c:-0}"
}
has_rows_after() { [ "$(rows_after "$1" "$2")" -gt 0 ]; }
# Rows the client wrote to the stale primary $1 after it had started writing to the new primary $2
# (promoted at epoch $3): the probe writes one row at a time in sequence, so a row on the stale side
# whose seq is at or above the first the new primary took after its promotion was sent there after the
# client had moved: the VIP led it back. A row written before the partition whose packets the client's
# kernel delivered late, after the heal (TCP retransmits even after the probe gave up and closed), has
# an older seq; late_deliveries counts every row stamped after the promotion, whenever it was sent: the
# old primary's daemon lets go of the VIP when its link drops or it is cut off, so there must be none.
stale_writes() {
    local first c
    first=$(sql "$2" -c "select min(seq) from vip_probe where at > to_timestamp($3)" 2>/dev/null)
    [ -n "$first" ] || { echo 0; return; }
    c=$(sql "$1" -c "select count(*) from vip_probe where at > to_timestamp($3) and seq >= $first" 2>/dev/null)
    echo "${c:-0}"
}
late_deliveries() {
    local c; c=$(sql "$1" -c "select count(*) from vip_probe where at > to_timestamp($2)" 2>/dev/null); echo "${c:-0}"
}
held_elsewhere() {  # some node other than $1 has the primary VIP
    local n
    for n in $NODES; do [ "$n" != "$1" ] && has_addr n$n $VIP && return 0; done
    return 1
}
primary_elsewhere() { the_primary "$1" >/dev/null; }
svip_on_a_standby() { local h; h=$(holders $SVIP); [ -n "$h" ] && [ "$h" != 1 ]; }
all_agree() {  # every daemon finds node $1 rightful and none is stale
    local n
    for n in $NODES; do status_says $n ".stale_primary == false and .rightful_node == $1" || return 1; done
}

# repmgrd restarted on every standby, watching the primary $1 again, before the next fault. That is
# repmgr's state, not the VIP's: a rejoined node's fresh repmgrd has been seen (1 run in about 5, and in
# the long soak) not to report its upstream within 20 s; it is restarted once more, and if it still does
# not, that is said and the next scenario, which needs repmgr to fail over, judges it
repmgrd_again() {
    cluster_repmgrd_fresh $1 || cluster_repmgrd_fresh $1 ||
        log "note: a standby's repmgrd does not report watching n$1 after two restarts (repmgr's state; the next scenario depends on it)"
}

cluster_preconditions
cluster_up
check "the primary VIP went to n1 by itself (the rightful primary; no event was sent)" only_on 1 $VIP
check "the client's probe writes through the VIP, to n1" wait_until 20 has_rows_after 1 0
check "the standby VIP settles on a standby" wait_until 15 svip_on_a_standby

log "scenario 1: forged FIFO lines written as postgres"
as_pg $P-n2 sh -c "echo '2 standby_promote 1' 1<>$B/n2/run/events"
as_pg $P-n1 sh -c "echo '1 standby_follow 1' 1<>$B/n1/run/events"
sleep 1
check "a forged promote on the standby n2 does not give it the VIP" only_on 1 $VIP
check "a forged follow on the primary n1 does not take the VIP away" has_addr n1 $VIP
check "n2 counted the refused claim" status_says 2 '.fence_refusals >= 1'
check "n1 counted the refused release" status_says 1 '.fence_refusals >= 1'
check "the client's entry still points to n1" points_to 1 $VIP

log "scenario 2: n1's link goes down; n1's PostgreSQL keeps running as a primary"
ip -n $P-n1 link set eth0 down
cut=$(now)
check "n1 let go of the VIP at once (its link is down; the standbys may promote one of them)" wait_within 1 lacks_addr n1 $VIP
wait_until 40 held_elsewhere 1
new=$(the_primary 1) || new=""
check "repmgr promoted another node, which took the VIP" test -n "$new"
new=${new:-2}
other=$((new == 2 ? 3 : 2))
log "n$new promoted and holds the VIP $(since "$cut" "$(now)") s after the cut"
check "n1 is still a primary, unreachable (the stale side)" is_primary 1
# With asynchronous replication the third node may have replayed WAL from n1 past the point where n$new
# was promoted; repmgr then cannot make it follow ("forked off current database system timeline") and
# an operator rewinds it. That is repmgr's and PostgreSQL's business, not the VIP's: do what the
# operator would, say so, and judge the VIP on what follows.
if ! wait_until 20 streams $other $new; then
    why=$(grep -o 'follow target server.s timeline.*' $B/n$other/repmgrd.log | tail -1)
    log "n$other did not follow n$new by itself (repmgrd: ${why:-no reason logged}); rejoined with --force-rewind, as an operator would"
    rejoin $other $new
fi
check "n$other follows n$new" wait_until 20 streams $other $new
promoted=$(promoted_at $new)
ip -n $P-n1 link set eth0 up
healed=$(now)
check "within 2 s of the heal the VIP is only on n$new" wait_within 2 only_on $new $VIP
log "one holder $(since "$healed" "$(now)") s after the heal"
sleep 2  # the old primary's link-up and a check have come and gone
check "and it stays so" only_on $new $VIP
check "the client's neighbour entry points to n$new" points_to $new $VIP
check "n1 says it is a stale primary (vip status)" status_says 1 ".stale_primary == true and .rightful_node == $new"
cluster_report 3
check "vip status --cluster on n3 exits 1: n1 is a stale primary" cluster_says 1 \
    '.problems | any(startswith("n1 is a stale primary"))'
check "and sees both primary VIPs answered by n$new alone" cluster_says 1 \
    "[.vips[] | select(.role == \"primary\") | .holders] == [[\"n$new\"], [\"n$new\"]]"
check "no row the client wrote after it moved to n$new is on n1" test "$(stale_writes 1 $new "$promoted")" = 0
check "no row at all on n1 stamped after n$new's promotion" test "$(late_deliveries 1 "$promoted")" = 0
check "rows written after the heal are on n$new" wait_until 5 has_rows_after $new "$healed"
rejoin 1 $new
check "n1 rejoined as a standby" wait_until 20 streams 1 $new
check "and the VIP never came back to n1" only_on $new $VIP
repmgrd_again $new

P2=$new
log "scenario 3: a partition in the switch: n$P2's bridge port detached (its link stays up)"
ip -n $P-sw link set n$P2 nomaster
cut=$(now)
wait_until 40 held_elsewhere $P2
new=$(the_primary $P2) || new=""
check "repmgr promoted another node, which took the VIP" test -n "$new"
new=${new:-1}
log "n$new promoted and holds the VIP $(since "$cut" "$(now)") s after the cut"
check "n$P2, cut off from both others, let go of the VIP (its link stayed up)" lacks_addr n$P2 $VIP
promoted=$(promoted_at $new)
ip -n $P-sw link set n$P2 master br0
healed=$(now)
check "within twice the health interval of the heal the VIP is only on n$new" wait_within 4 only_on $new $VIP
log "one holder $(since "$healed" "$(now)") s after the heal"
check "the client's neighbour entry points to n$new" wait_until 2 points_to $new $VIP
check "no row the client wrote after it moved to n$new is on n$P2" test "$(stale_writes $P2 $new "$promoted")" = 0
check "no row at all on n$P2 stamped after n$new's promotion" test "$(late_deliveries $P2 "$promoted")" = 0
check "n$P2 learns it is a stale primary within two health checks" wait_until 5 status_says $P2 ".stale_primary == true"
rejoin $P2 $new
check "n$P2 rejoined as a standby" wait_until 20 streams $P2 $new
repmgrd_again $new
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
for n in $NODES; do [ $n != $P3 ] && cluster_daemon $n; done
restarted=$(now)
check "the restarted daemon on n$new claims the VIP by itself" wait_until 10 has_addr n$new $VIP
log "VIP on n$new $(since "$restarted" "$(now)") s after the daemons were started again"
check "and n$P3 (its postgres dead) lets it go" wait_until 5 only_on $new $VIP
check "the client's entry points to n$new" wait_until 5 points_to $new $VIP
wait_until 10 postmaster_gone $P3
rm -f $B/n$P3/data/postmaster.pid
rejoin $P3 $new
check "n$P3 rejoined as a standby" wait_until 20 streams $P3 $new

P4=$new
log "scenario 5: every daemon restarted at once, then a minute of watching"
for n in $NODES; do kill "${daemon_pid[$n]}"; done
for n in $NODES; do wait "${daemon_pid[$n]}" 2>/dev/null; done
for n in $NODES; do cluster_daemon $n; done
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
cluster_report $first
check "vip status --cluster on the standby n$first: exit 0, no problem" cluster_says 0 '.ok and .problems == []'
check "it sees one primary, two standbys with their lag, each VIP on one node" cluster_says 0 \
    "([.nodes[].role] | sort) == [\"primary\", \"standby\", \"standby\"] and ([.nodes[] | select(.role == \"standby\") | .lag_bytes | type] == [\"number\", \"number\"]) and .vips[0].holders == [\"n$P4\"] and .vips[1].holders == [\"n$first\"] and ([.vips[].holders | length] == [1, 1, 1, 1])"
cluster_report $P4
check "and on the primary n$P4 too (its own VIPs found on its interface)" cluster_says 0 \
    ".ok and .asked_from == \"n$P4\" and .vips[0].holders == [\"n$P4\"]"

log "scenario 6: both standbys' repmgrd frozen (SIGSTOP): their last sight of n$P4 only grows, no failover can come"
log "streaming from n$P4 (pg_stat_replication): $(sql $P4 -c "select string_agg(application_name || ' ' || state, ', ' order by 1) from pg_stat_replication" 2>/dev/null)"
frozen_pids=""
for n in $NODES; do [ $n != $P4 ] && frozen_pids="$frozen_pids $(cat $B/n$n/repmgrd.pid)"; done
kill -STOP $frozen_pids
sleep 10  # more than twice --doubt-after
check "n$P4 keeps the VIP: its standbys stream from it steadily, and a stale repmgrd alone is no doubt" only_on $P4 $VIP
check "its daemon finds it rightful, not in doubt" status_says $P4 '.standing == "rightful"'
ip -n $P-sw link set n$P4 nomaster
cut=$(now)
check "cut off in the switch from both others, n$P4 lets go of the VIP" wait_until 10 lacks_addr n$P4 $VIP
log "n$P4 let go $(since "$cut" "$(now)") s after the cut"
sleep 2
ip -n $P-sw link set n$P4 master br0
healed=$(now)
check "it comes back to n$P4 after the heal, though no repmgrd has seen it since (its standbys stream from it again, steadily)" \
    wait_until 40 only_on $P4 $VIP
log "the VIP back on n$P4 $(since "$healed" "$(now)") s after the heal (3 x --doubt-after of steady streaming, 12 s, is the rule)"
check "and no other node was promoted" test -z "$(the_primary $P4)"
kill -CONT $frozen_pids
check "the client's neighbour entry points to n$P4" wait_until 5 points_to $P4 $VIP

# node $1's repmgrd runs but has not seen its upstream since its server started (repmgr's -1)
unlooked() {
    [ "$(sql "$1" -c "select repmgr.repmgrd_is_running() and repmgr.get_upstream_last_seen() = -1" 2>/dev/null)" = t ]
}
nobody_holds() { [ -z "$(holders "$1")" ]; }
nobody_holds_for() {  # nobody_holds_for SECONDS ADDRESS: no node has it at any sample (0.2 s apart)
    local end; end=$(awk -v a="$(now)" -v d="$1" 'BEGIN { printf "%.1f", a + d }')
    while awk -v a="$(now)" -v e="$end" 'BEGIN { exit !(a < e) }'; do
        nobody_holds "$2" || { log "held by n$(holders "$2")"; return 1; }
        sleep 0.2
    done
}

A=$(for n in $NODES; do [ $n != $P4 ] && echo $n; done | tail -1)  # the lower priority: a tie elects the other
O=$((6 - P4 - A))
log "scenario 7: n$A's repmgrd has not looked at n$P4 yet (n$A refuses its own connections to n$P4:5432; its server restarts)"
check "n$O's repmgrd watches n$P4" wait_until 20 repmgrd_watches $O $P4
ip -n $P-n$A rule add to 198.51.100.1$P4/32 ipproto tcp dport 5432 prohibit pref 100
pg_stop $A >/dev/null 2>&1
pg_start $A >/dev/null 2>&1
restarted=$(now)
check "n$A's repmgrd runs and has not seen n$P4 since its server started (repmgr's -1)" wait_until 20 unlooked $A
check "n$P4 lets go of the VIP within 15 s: no news from n$A's repmgrd is not good news" wait_until 15 nobody_holds $VIP
log "n$P4 off the VIP $(since "$restarted" "$(now)") s after n$A's server restarted (--doubt-after, 4 s, of no word while it does not stream is the rule)"
check "its daemon says it is in doubt" status_says $P4 '.standing == "doubted"'
check "while n$O's repmgrd watches n$P4 and sees it" repmgrd_watches $O $P4
check "nobody holds the VIP for 8 s more" nobody_holds_for 8 $VIP
check "n$A's repmgrd still has not seen n$P4" unlooked $A
check "and no node was promoted" test -z "$(the_primary $P4)"
ip -n $P-n$A rule del pref 100
lifted=$(now)
check "once n$A reaches n$P4 again, the VIP comes back to n$P4" wait_until 60 only_on $P4 $VIP
log "the VIP back on n$P4 $(since "$lifted" "$(now)") s after the rule was lifted"
check "and no node was promoted" test -z "$(the_primary $P4)"

log "scenario 8: n$P4's PostgreSQL hangs (SIGSTOP of its processes), while its repmgrd and vip daemon run"
repmgrd_again $P4  # scenario 7 may have left n$A's repmgrd degraded (it looks at its upstream no more)
check "both standbys' repmgrd watch n$P4" wait_until 20 eval "repmgrd_watches $A $P4 && repmgrd_watches $O $P4"
sleep 6  # three of n$P4's looks: its daemon has heard both repmgrd say so (a new one's silence is no doubt for that long)
check "and still do" eval "repmgrd_watches $A $P4 && repmgrd_watches $O $P4"
check "n$P4 alone holds the VIP" wait_until 20 only_on $P4 $VIP
hung=$(stop_node_processes $P4 postgres)
stopped=$(now)
wait_until 30 lacks_addr n$P4 $VIP
released=$(now)
promoted_then=$(the_primary $P4)
check "n$P4's daemon lets go of the VIP while its server hangs ($(since "$stopped" "$released") s)" lacks_addr n$P4 $VIP
check "before repmgr promotes another node (none was a primary then: '$promoted_then')" test -z "$promoted_then"
check "its daemon says it is in doubt" status_says $P4 '.standing == "doubted"'
log "n$P4's daemon: $(grep -E '^[^ ]+ vip daemon: (release|standing)' $B/n$P4/daemon.log | tail -1 | cut -d' ' -f4- | cut -c1-400)"
wait_until 40 primary_elsewhere $P4
new=$(the_primary $P4) || new=""
kill -CONT $hung 2>/dev/null
continued=$(now)
check "repmgr promoted another node" test -n "$new"
new=${new:-$A}
log "n$new promoted $(since "$stopped" "$(now)") s after n$P4's server stopped; it continues now, a stale primary"
check "the VIP goes to n$new alone" wait_until 10 only_on $new $VIP
check "n$P4's daemon finds its server a stale primary" wait_until 10 status_says $P4 '.stale_primary == true'
prom=$(promoted_at $new)
prom=${prom:-$continued}
sleep 2  # writes the client might still send to the old primary
check "no row the client sent after moving to n$new landed on n$P4 (the VIP never led it back)" \
    test "$(stale_writes $P4 $new "$prom")" = 0
# The statement the client had sent when the server stopped, which it reads only when it continues, runs
# then, on the old timeline (its client gave up long before: never acknowledged); no VIP can take back
# bytes a server has received. Any other row there after the promotion is a failure.
late=$(sql $P4 -c "select string_agg(seq::text, ',' order by seq) from vip_probe where at > to_timestamp($prom)" 2>/dev/null)
before=$(jq -r "select(.event == \"outage\" and .last_good_server == \"n$P4\") | .last_good_seq" $B/probe.jsonl | tail -1)
check "n$P4 took no row after the promotion but the one in flight when it stopped (rows: ${late:-none}; the \
client's last acknowledged write before: ${before:-?})" test -n "$before" -a "${late:-$((before + 1))}" = "$((before + 1))"

stop_probe
while read -r w; do
    log "client outage: $(jq -r '.outage_ms | floor' <<<"$w") ms, from $(jq -r .last_good_server <<<"$w") to" \
        "$(jq -r .good_again_server <<<"$w"), $(jq -r .missing <<<"$w") acknowledged rows missing"
done < <(jq -c 'select(.event == "outage")' $B/probe.jsonl)
[ "$failed" -gt 0 ] && cluster_logs
echo "truth: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
