package dev.llmproxy.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.config.Secret;
import dev.llmproxy.support.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UiSessionsTest {

  static final Secret KEY = new Secret("proxy-key-1");
  static final Duration TTL = Duration.ofHours(12);

  @Test
  void aSessionLastsItsTtlFromLoginOnTheGivenClock() {
    MutableClock clock = MutableClock.startingNow();
    UiSessions sessions = new UiSessions(clock);
    String token = sessions.create(KEY);
    assertTrue(sessions.valid(token, KEY, TTL));
    clock.advance(TTL.minusSeconds(1));
    assertTrue(sessions.valid(token, KEY, TTL));
    clock.advance(Duration.ofSeconds(1));
    assertFalse(sessions.valid(token, KEY, TTL));
    assertEquals(0, sessions.size(), "an expired session is forgotten");
  }

  @Test
  void aSessionIsBoundToTheKeyItWasMadeWith() {
    UiSessions sessions = new UiSessions(MutableClock.startingNow());
    String token = sessions.create(KEY);
    assertFalse(sessions.valid(token, new Secret("proxy-key-2"), TTL), "a rotated key ends the session");
    assertFalse(sessions.valid(token, null, TTL));
    assertFalse(sessions.valid("made-up", KEY, TTL));
    assertFalse(sessions.valid(null, KEY, TTL));
  }

  @Test
  void tokensAreRandomAndNeverTheKey() {
    UiSessions sessions = new UiSessions(MutableClock.startingNow());
    String a = sessions.create(KEY);
    String b = sessions.create(KEY);
    assertNotEquals(a, b);
    assertFalse(a.contains(KEY.value()));
    assertEquals(43, a.length(), "256 random bits, base64url");
    sessions.remove(a);
    assertFalse(sessions.valid(a, KEY, TTL));
    assertTrue(sessions.valid(b, KEY, TTL));
  }

  @Test
  void theOldestSessionGoesWhenTheTableIsFull() {
    MutableClock clock = MutableClock.startingNow();
    UiSessions sessions = new UiSessions(clock);
    String first = sessions.create(KEY);
    for (int i = 1; i < UiSessions.MAX_SESSIONS; i++) {
      clock.advance(Duration.ofMillis(1));
      sessions.create(KEY);
    }
    assertTrue(sessions.valid(first, KEY, TTL));
    clock.advance(Duration.ofMillis(1));
    String last = sessions.create(KEY);
    assertEquals(UiSessions.MAX_SESSIONS, sessions.size());
    assertFalse(sessions.valid(first, KEY, TTL));
    assertTrue(sessions.valid(last, KEY, TTL));
  }
}
