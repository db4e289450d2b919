package dev.llmproxy.ui;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The loopback rule's pure part: which Host names count as this machine (peer addresses: net/IpLiteralTest). */
class UiGateTest {

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
