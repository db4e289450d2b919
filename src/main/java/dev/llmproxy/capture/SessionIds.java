package dev.llmproxy.capture;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A request's session: the client's own id from {@code capture.session_header}, or else a stable hash of the
 * conversation's start (system prompt and first user message), which every later turn of an agent's
 * conversation repeats, so its requests group together without the client's help.
 */
final class SessionIds {

  static final int MAX_HEADER_CHARS = 200;

  private SessionIds() {}

  /** @return the session id, or null when there is neither a header nor any text to hash */
  static String of(String headerValue, String systemPrompt, String firstUserMessage) {
    if (headerValue != null) {
      String clean = headerValue.strip().replaceAll("\\p{Cntrl}", "");
      if (!clean.isEmpty()) {
        return clean.length() > MAX_HEADER_CHARS ? clean.substring(0, MAX_HEADER_CHARS) : clean;
      }
    }
    if (systemPrompt == null && firstUserMessage == null) {
      return null;
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(String.valueOf(systemPrompt).getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(String.valueOf(firstUserMessage).getBytes(StandardCharsets.UTF_8));
      return "h-" + HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
