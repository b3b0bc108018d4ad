package dev.vip.core.daemon;

import java.util.Optional;
import java.util.Set;

/**
 * Who may claim and release: root, the configured users, and members of the configured groups. The
 * peer's uid and gid come from the socket (SO_PEERCRED, given by the kernel at connect time: no other
 * process can stand in for it, unlike a /proc entry read later by pid); its other groups are those the
 * group database gives that uid's account (as {@code id USER} shows, whatever groups the process itself
 * dropped or gained since its login).
 */
final class Authorizer {
    /** The account and group lookups; the system's through jnr-posix, a table in tests. */
    public interface Accounts {
        /** The login name of {@code uid}, if the password database has one. */
        Optional<String> name(int uid);

        /** The primary group of {@code uid}'s account, if any. */
        Optional<Integer> primaryGroup(int uid);

        /** The member names of group {@code gid} (its supplementary members), empty if there is none. */
        Set<String> members(int gid);
    }

    private final Set<Integer> uids;
    private final Set<Integer> gids;
    private final Accounts accounts;

    public Authorizer(Set<Integer> uids, Set<Integer> gids, Accounts accounts) {
        this.uids = Set.copyOf(uids);
        this.gids = Set.copyOf(gids);
        this.accounts = accounts;
    }

    /** @param uid the peer's uid, @param gid its gid, both from SO_PEERCRED */
    public boolean mayChange(int uid, int gid) {
        if (uid == 0 || uids.contains(uid) || gids.contains(gid)) {
            return true;
        }
        if (gids.isEmpty()) {
            return false;
        }
        if (accounts.primaryGroup(uid).filter(gids::contains).isPresent()) {
            return true;
        }
        Optional<String> name = accounts.name(uid);
        return name.isPresent() && gids.stream().anyMatch(g -> accounts.members(g).contains(name.get()));
    }

    /** The system's account and group databases (NSS included), through jnr-posix. */
    public static Accounts systemAccounts() {
        jnr.posix.POSIX posix = jnr.posix.POSIXFactory.getNativePOSIX();
        return new Accounts() {
            @Override
            public Optional<String> name(int uid) {
                return Optional.ofNullable(posix.getpwuid(uid)).map(jnr.posix.Passwd::getLoginName);
            }

            @Override
            public Optional<Integer> primaryGroup(int uid) {
                return Optional.ofNullable(posix.getpwuid(uid)).map(p -> (int) p.getGID());
            }

            @Override
            public Set<String> members(int gid) {
                jnr.posix.Group g = posix.getgrgid(gid);
                return g == null || g.getMembers() == null ? Set.of() : new java.util.HashSet<>(java.util.Arrays.asList(g.getMembers()));
            }
        };
    }
}
