package dev.llmproxy.capture.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A position in a listing ordered newest first: the last row's time and id (the tie-breaker). Opaque to
 * clients (base64url); a page never skips or repeats a row however many rows arrive meanwhile.
 */
record Cursor(long at, String key) {

  String encode() {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((at + ":" + key).getBytes(StandardCharsets.UTF_8));
  }

  /** @throws IllegalArgumentException for anything that is not a cursor this store issued */
  static Cursor decode(String text) {
    try {
      String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
      int colon = plain.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("malformed");
      }
      return new Cursor(Long.parseLong(plain.substring(0, colon)), plain.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid cursor \"" + text + "\" (use next_cursor of the previous page)");
    }
  }
}
