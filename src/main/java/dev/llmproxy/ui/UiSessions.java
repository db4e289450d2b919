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
 * no longer valid. Nor is the id: sessions are found by the id's SHA-256, so the lookup compares digests of what
 * the caller sent, never the caller's text against a live id (no timing to learn an id from, character by
 * character), and a heap dump holds no usable cookie. Sessions last {@code ui.session_ttl} from login, on the gateway's clock. In memory and shared by
 * every event loop: a restart logs everyone out. Bounded: past {@value #MAX_SESSIONS} the oldest is dropped.
 */
final class UiSessions {

  static final int MAX_SESSIONS = 1000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Session(byte[] keyDigest, Instant createdAt) {}

  /** By the SHA-256 of the session id (Base64), never by the id itself. */
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
    sessions.put(lookupKey(token), new Session(digest(key.value()), clock.instant()));
    return token;
  }

  /** Whether {@code token} is a live session made with {@code currentKey}; an expired one is forgotten. */
  boolean valid(String token, Secret currentKey, Duration ttl) {
    if (token == null || currentKey == null) {
      return false;
    }
    String lookupKey = lookupKey(token);
    Session s = sessions.get(lookupKey);
    if (s == null) {
      return false;
    }
    if (!clock.instant().isBefore(s.createdAt().plus(ttl))) {
      sessions.remove(lookupKey);
      return false;
    }
    return MessageDigest.isEqual(s.keyDigest(), digest(currentKey.value()));
  }

  void remove(String token) {
    if (token != null) {
      sessions.remove(lookupKey(token));
    }
  }

  int size() {
    return sessions.size();
  }

  private static String lookupKey(String token) {
    return Base64.getEncoder().encodeToString(digest(token));
  }

  private static byte[] digest(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
