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
        assertEquals("jdbc:postgresql://node1:5432/repmgr", c.jdbcUrl());
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
        assertEquals("jdbc:postgresql://198.51.100.11:5433/my db", c.jdbcUrl());
        assertFalse(c.toString().contains("it's"), "the password is masked");
    }

    @Test
    void hostaddrWinsAndIpv6IsBracketed() {
        assertEquals("jdbc:postgresql://[2001:db8::11]:5432/repmgr",
                Conninfo.parse("host=node1 hostaddr=2001:db8::11 dbname=repmgr").jdbcUrl());
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
