package dev.vip.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConninfoTest {

    @Test
    void repmgrStyle() {
        Conninfo c = Conninfo.parse("host=node1 user=repmgr dbname=repmgr connect_timeout=2");
        assertEquals(Map.of("host", "node1", "user", "repmgr", "dbname", "repmgr", "connect_timeout", "2"), c.values());
        assertEquals("node1:5432/repmgr", c.target());
        assertEquals("repmgr", c.properties().getProperty("user"));
    }

    @Test
    void quotedValuesSpacesAndEscapes() {
        Conninfo c = Conninfo.parse("  host = 198.51.100.11  port=5433 password='it''s' dbname='my db' "
                .replace("it''s", "it\\'s") + "user=a\\ b");
        assertEquals("198.51.100.11", c.values().get("host"));
        assertEquals("it's", c.values().get("password"));
        assertEquals("my db", c.values().get("dbname"));
        assertEquals("a b", c.values().get("user"));
        assertEquals("198.51.100.11:5433/my db", c.target());
        assertFalse(c.toString().contains("it's"), "the password is masked");
    }

    @Test
    void hostaddrWinsAndIpv6IsBracketed() {
        assertEquals("[2001:db8::11]:5432/repmgr", Conninfo.parse("host=node1 hostaddr=2001:db8::11 dbname=repmgr")
                .target());
    }

    @Test
    void noValueCanAddUrlParametersOrOverrideTheTimeouts() throws Exception {
        // a dbname, host or user that looks like URL syntax stays what it is: pgjdbc gets properties
        Conninfo c = Conninfo.parse("host=db1 dbname='x?socketTimeout=0&loginTimeout=0' user='u&connectTimeout=0' "
                + "socketTimeout=0 options=-csearch_path=evil");
        java.util.Properties props = c.properties();
        props.setProperty("socketTimeout", "1");
        java.util.Properties parsed = org.postgresql.Driver.parseURL(c.jdbcUrl(), props);
        assertEquals("x?socketTimeout=0&loginTimeout=0", parsed.getProperty("PGDBNAME"));
        assertEquals("u&connectTimeout=0", parsed.getProperty("user"));
        assertEquals("1", parsed.getProperty("socketTimeout"), "the caller's timeout stands");
        assertEquals(null, parsed.getProperty("loginTimeout"));
        assertEquals(null, parsed.getProperty("connectTimeout"));
        assertEquals(null, parsed.getProperty("options"), "only the keys vip knows are passed on");
    }

    @Test
    void aPasswordIsSeenAndAPassfileIsHandedToPgjdbc() {
        assertEquals(true, Conninfo.parse("host=db1 password=secret").hasPassword());
        assertEquals(false, Conninfo.parse("host=db1 passfile=/etc/vip/pgpass").hasPassword());
        Conninfo.parse("host=db1 passfile=/etc/vip/pgpass").properties();
        assertEquals("/etc/vip/pgpass", System.getProperty("org.postgresql.pgpassfile"));
        System.clearProperty("org.postgresql.pgpassfile");
    }

    @Test
    void unixSocketHostIsExplained() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Conninfo.parse("host=/var/run/postgresql dbname=repmgr").jdbcUrl());
        assertEquals(true, e.getMessage().contains("TCP host"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"host", "host=", "=x", "host='unterminated", "host=a b"})
    void malformed(String text) {
        if (text.equals("host=")) {
            assertEquals("", Conninfo.parse(text).values().get("host")); // libpq accepts an empty value
            return;
        }
        assertThrows(IllegalArgumentException.class, () -> Conninfo.parse(text));
    }
}
