package dev.llmproxy.ui;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The loopback rule's pure parts: which peer addresses and Host names count as this machine. */
class UiGateTest {

  @Test
  void loopbackPeersAreIpLiteralsOfTheLoopbackRanges() {
    for (String peer : new String[] {"127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1"}) {
      assertTrue(UiGate.loopbackLiteral(peer), peer);
    }
    for (String peer : new String[] {"10.0.0.1", "192.168.1.20", "203.0.113.7", "::ffff:203.0.113.7", "fe80::1",
        "0.0.0.0", "localhost", "127.0.0.1.evil.example", "999.0.0.1", ""}) {
      assertFalse(UiGate.loopbackLiteral(peer), peer);
    }
  }

  @Test
  void loopbackHostHeadersNameThisMachine() {
    for (String host : new String[] {"127.0.0.1:8765", "127.0.0.1", "localhost:8765", "LOCALHOST", "[::1]:8765",
        "ui.localhost:8765"}) {
      assertTrue(UiGate.loopbackHost(host), host);
    }
    for (String host : new String[] {"attacker.example:8765", "127.0.0.1.nip.io", "my-laptop:8765", "[fe80::1]:80",
        "10.1.1.1:8765", "localhost.example.com"}) {
      assertFalse(UiGate.loopbackHost(host), host);
    }
  }
}
