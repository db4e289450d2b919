package dev.llmproxy.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmproxy.config.TrustedProxies;
import dev.llmproxy.net.IpRange;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientIpTest {

  private final TrustedProxies trusted = new TrustedProxies(List.of(
      IpRange.parse("10.0.0.0/8"), IpRange.parse("127.0.0.1")));

  @Test
  void takesTheNearestUntrustedHop() {
    assertEquals("203.0.113.7", ClientIp.fromForwardedFor("127.0.0.1", List.of("203.0.113.7"), trusted));
    // The client forged the leftmost entry; our proxies (10.x) appended the real address.
    assertEquals("198.51.100.1",
        ClientIp.fromForwardedFor("127.0.0.1", List.of("1.1.1.1, 198.51.100.1, 10.0.0.5"), trusted));
    assertEquals("198.51.100.1",
        ClientIp.fromForwardedFor("127.0.0.1", List.of("1.1.1.1", "198.51.100.1"), trusted), "repeated headers");
  }

  @Test
  void fallsBackToTheNearestTrustedHop() {
    assertEquals("127.0.0.1", ClientIp.fromForwardedFor("127.0.0.1", List.of(), trusted));
    assertEquals("10.0.0.9", ClientIp.fromForwardedFor("127.0.0.1", List.of("10.0.0.9"), trusted));
    assertEquals("127.0.0.1", ClientIp.fromForwardedFor("127.0.0.1", List.of("not-an-ip"), trusted));
  }

  @Test
  void normalizesSoOneClientIsOneBucket() {
    assertEquals("198.51.100.1", ClientIp.normalize("198.51.100.1:4711").orElseThrow());
    assertEquals("2001:db8:0:0:0:0:0:1", ClientIp.normalize("[2001:db8::1]:443").orElseThrow());
    assertEquals("2001:db8:0:0:0:0:0:1", ClientIp.normalize("2001:DB8::1").orElseThrow());
  }
}
