package dev.vip.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterSurveyTest {
    private static ClusterSurvey.Node primary(int id, long timeline, long lsn) {
        return new ClusterSurvey.Node(id, "db" + id, "primary", null, "192.0.2.1" + id, "primary", timeline, lsn, null, true, null);
    }

    private static ClusterSurvey.Node standby(int id, long lsn) {
        return new ClusterSurvey.Node(id, "db" + id, "standby", 1, "192.0.2.1" + id, "standby", 2L, lsn, null, true, null);
    }

    private static ClusterSurvey.Node unreachable(int id) {
        return new ClusterSurvey.Node(id, "db" + id, "standby", 1, "192.0.2.1" + id, "unreachable", null, null, null, null,
                "connection refused");
    }

    private static ClusterSurvey.VipAnswer vip(String role, String... holders) {
        return new ClusterSurvey.VipAnswer(role.equals("primary") ? "192.0.2.2/32" : "192.0.2.3/32", role, List.of(holders));
    }

    @Test
    void aHealthyClusterHasNoProblem() {
        List<ClusterSurvey.Node> nodes = ClusterSurvey.withLag(List.of(standby(2, 1000), primary(1, 2, 1216)));
        assertEquals(List.of(), ClusterSurvey.problems(nodes, List.of(vip("primary", "db1"), vip("standby", "db2"))));
        assertEquals(1, nodes.get(0).id(), "sorted by id");
        assertEquals(216L, nodes.get(1).lagBytes(), "the standby's replay behind the primary's WAL");
        assertEquals(null, nodes.get(0).lagBytes());
    }

    @Test
    void aStalePrimaryAndAVipOnItAreFlagged() {
        List<ClusterSurvey.Node> nodes = List.of(primary(1, 1, 50), primary(2, 2, 100), standby(3, 100));
        List<String> p = ClusterSurvey.problems(nodes, List.of(vip("primary", "db1")));
        assertEquals(2, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("db1 is a stale primary (timeline 1; db2 is the primary on timeline 2)"), p.get(0));
        assertEquals("the primary VIP 192.0.2.2/32 is on db1, not on the primary db2", p.get(1));
    }

    @Test
    void twoAnswersNoAnswerNoPrimaryAndSilenceAreFlagged() {
        assertEquals(List.of("the primary VIP 192.0.2.2/32 is answered by 2 hosts: db1, an unknown host (02:00:00:00:00:09)"),
                ClusterSurvey.problems(List.of(primary(1, 2, 9)),
                        List.of(vip("primary", "db1", "an unknown host (02:00:00:00:00:09)"))));
        assertEquals(List.of("the primary VIP 192.0.2.2/32 is on no node (nobody answered for it)"),
                ClusterSurvey.problems(List.of(primary(1, 2, 9)), List.of(vip("primary"))));
        assertEquals(List.of("db2 does not answer: connection refused", "no node answers as a primary"),
                ClusterSurvey.problems(List.of(standby(1, 0), unreachable(2)), List.of()));
        assertEquals(List.of("2 primaries on the same timeline: db2, db1 (split brain: the daemons give the primary "
                        + "VIP to db1, the lowest node id (Arbiter); fence the others)"),
                ClusterSurvey.problems(List.of(primary(2, 2, 9), primary(1, 2, 9)), List.of()));
        assertEquals(List.of("the standby VIP 192.0.2.3/32 is on db1, not on a standby (db2)"),
                ClusterSurvey.problems(List.of(primary(1, 2, 9), standby(2, 9)), List.of(vip("standby", "db1"))));
    }

    @Test
    void lsnTextIsReadAsBytes() {
        assertEquals(0x16B374D848L, ClusterSurvey.lsn("16/B374D848"));
        assertEquals(0L, ClusterSurvey.lsn("0/0"));
        assertEquals(null, ClusterSurvey.lsn(null));
        assertEquals("192.0.2.11", ClusterSurvey.host("host=192.0.2.11 user=repmgr dbname=repmgr connect_timeout=2"));
        assertEquals(null, ClusterSurvey.host("user=repmgr"));
    }
}
