package dev.vip.core.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Who may claim and release: credentials from the socket, groups from the account databases. */
class AuthorizerTest {
    private static final int POSTGRES_GID = 104;
    private static final int DBA_GID = 2000;

    // uid -> (name, primary gid); gid -> members
    private static final Map<Integer, Object[]> USERS = Map.of(
            101, new Object[] {"postgres", POSTGRES_GID},
            1000, new Object[] {"alice", 1000},       // in dba as a supplementary member
            1001, new Object[] {"bob", 1001},         // in no allowed group
            1002, new Object[] {"carol", DBA_GID});   // dba as primary group
    private static final Map<Integer, Set<String>> GROUPS = Map.of(DBA_GID, Set.of("alice"),
            POSTGRES_GID, Set.of());

    private static final Authorizer.Accounts ACCOUNTS = new Authorizer.Accounts() {
        @Override
        public Optional<String> name(int uid) {
            return Optional.ofNullable(USERS.get(uid)).map(u -> (String) u[0]);
        }

        @Override
        public Optional<Integer> primaryGroup(int uid) {
            return Optional.ofNullable(USERS.get(uid)).map(u -> (Integer) u[1]);
        }

        @Override
        public Set<String> members(int gid) {
            return GROUPS.getOrDefault(gid, Set.of());
        }
    };

    static Stream<Arguments> table() {
        return Stream.of(
                // what, peer uid, peer gid (SO_PEERCRED), allowed users, allowed groups -> may change
                Arguments.of("root always", 0, 0, Set.of(), Set.of(), true),
                Arguments.of("an allowed user", 1001, 1001, Set.of(1001), Set.of(), true),
                Arguments.of("nobody else without groups", 1001, 1001, Set.of(), Set.of(), false),
                Arguments.of("the peer's own gid is allowed", 101, POSTGRES_GID, Set.of(), Set.of(POSTGRES_GID), true),
                Arguments.of("a supplementary member of an allowed group", 1000, 1000, Set.of(), Set.of(DBA_GID), true),
                Arguments.of("an account whose primary group is allowed, peer running with another gid", 1002, 1002,
                        Set.of(), Set.of(DBA_GID), true),
                Arguments.of("not a member", 1001, 1001, Set.of(), Set.of(DBA_GID, POSTGRES_GID), false),
                Arguments.of("a uid without an account", 4242, 4242, Set.of(), Set.of(DBA_GID), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(String what, int uid, int gid, Set<Integer> users, Set<Integer> groups, boolean may) {
        assertEquals(may, new Authorizer(users, groups, ACCOUNTS).mayChange(uid, gid), what);
    }
}
