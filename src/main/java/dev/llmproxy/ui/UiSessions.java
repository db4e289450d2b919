package dev.llmproxy.ui;

import dev.llmproxy.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Login-form sessions: a random id in an HttpOnly cookie stands for "this browser presented the proxy key". The
 * key itself is never stored, only its SHA-256, so a session made with a key that a reload has since replaced is
 * no longer valid. Sessions last {@code ui.session_ttl} from login, on the gateway's clock. In memory and shared by
 * every event loop: a restart logs everyone out. Bounded: past {@value #MAX_SESSIONS} the oldest is dropped.
 */
final class UiSessions {

  static final int MAX_SESSIONS = 1000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Session(byte[] keyDigest, Instant createdAt) {}

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Clock clock;

  UiSessions(Clock clock) {
    this.clock = clock;
  }

  /** A new session for a browser that presented {@code key}. @return its id, for the cookie */
  String create(Secret key) {
    byte[] id = new byte[32];
    RANDOM.nextBytes(id);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    if (sessions.size() >= MAX_SESSIONS) {
      sessions.entrySet().stream().min(Comparator.comparing(e -> e.getValue().createdAt()))
          .ifPresent(oldest -> sessions.remove(oldest.getKey()));
    }
    sessions.put(token, new Session(digest(key.value()), clock.instant()));
    return token;
  }

  /** Whether {@code token} is a live session made with {@code currentKey}; an expired one is forgotten. */
  boolean valid(String token, Secret currentKey, Duration ttl) {
    if (token == null || currentKey == null) {
      return false;
    }
    Session s = sessions.get(token);
    if (s == null) {
      return false;
    }
    if (!clock.instant().isBefore(s.createdAt().plus(ttl))) {
      sessions.remove(token);
      return false;
    }
    return MessageDigest.isEqual(s.keyDigest(), digest(currentKey.value()));
  }

  void remove(String token) {
    if (token != null) {
      sessions.remove(token);
    }
  }

  int size() {
    return sessions.size();
  }

  private static byte[] digest(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
