package dev.llmproxy.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** IP literals without DNS, and the ranges matched against them (trusted_proxies, client_ip, the UI's loopback). */
class IpLiteralTest {

  @Test
  void literalsParseAndNamesOrMalformedAddressesDoNot() {
    assertArrayEquals(new byte[] {10, 1, 2, 3}, IpLiteral.parse(" 10.1.2.3 ").orElseThrow());
    assertEquals(16, IpLiteral.parse("[2001:db8::1]").orElseThrow().length);
    assertEquals(4, IpLiteral.parse("::ffff:203.0.113.7").orElseThrow().length, "IPv4-mapped is IPv4");
    // Each of these would be a DNS query to InetAddress (no colon, not a valid IPv4 literal), or is no address.
    for (String text : new String[] {"1.2.3.4.5", "300.1.1.1", "10.1", "1..2.3", "localhost", "proxy.example.com",
        "fe80::zz", "1:2:3", "", "   ", "1.2.3.+4"}) {
      assertEquals(Optional.empty(), IpLiteral.parse(text).map(b -> "bytes"), text);
    }
    assertEquals(Optional.empty(), IpLiteral.parse(null));
  }

  @Test
  void loopbackPeersAreIpLiteralsOfTheLoopbackRanges() {
    for (String peer : new String[] {"127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "[::1]",
        "::ffff:127.0.0.1"}) {
      assertTrue(IpLiteral.isLoopback(peer), peer);
    }
    for (String peer : new String[] {"10.0.0.1", "192.168.1.20", "203.0.113.7", "::ffff:203.0.113.7", "fe80::1",
        "0.0.0.0", "::", "localhost", "127.0.0.1.evil.example", "999.0.0.1", ""}) {
      assertFalse(IpLiteral.isLoopback(peer), peer);
    }
  }

  @Test
  void rangesMatchByPrefix() {
    IpRange ten = IpRange.parse("10.0.0.0/8");
    assertTrue(ten.contains("10.200.3.4"));
    assertFalse(ten.contains("11.0.0.1"));
    assertFalse(ten.contains("::ffff:11.0.0.1"));
    assertTrue(ten.contains("::ffff:10.0.0.1"), "an IPv4-mapped peer is its IPv4 address");
    assertFalse(ten.contains("not-an-ip"));
    assertFalse(ten.contains((String) null));
    IpRange odd = IpRange.parse("192.168.1.128/25");
    assertTrue(odd.contains("192.168.1.200"));
    assertFalse(odd.contains("192.168.1.127"));
    assertTrue(IpRange.parse("127.0.0.1").contains("127.0.0.1"));
    assertFalse(IpRange.parse("127.0.0.1").contains("127.0.0.2"));
    assertTrue(IpRange.parse("2001:db8::/32").contains("2001:db8:1::5"));
    assertFalse(IpRange.parse("2001:db8::/32").contains("10.0.0.1"));
    assertEquals("10.0.0.0/8", ten.toString());
    assertEquals(IpRange.parse(" 10.0.0.0/8"), ten);
  }

  @Test
  void badRangesSayWhatIsWrongForTheConfigError() {
    assertEquals("must be an IP address or CIDR range, got \"proxy.example.com\"",
        assertThrows(IllegalArgumentException.class, () -> IpRange.parse("proxy.example.com")).getMessage());
    assertEquals("invalid prefix length in \"10.0.0.0/33\"",
        assertThrows(IllegalArgumentException.class, () -> IpRange.parse("10.0.0.0/33")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> IpRange.parse("::1/129"));
    assertThrows(IllegalArgumentException.class, () -> IpRange.parse("10.0.0.0/x"));
  }
}
