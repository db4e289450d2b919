package dev.llmproxy.detection;

import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A body matcher from the config: a case-insensitive substring, or a regular expression written {@code /.../}.
 * Compiled once, at config load.
 */
public record BodyPattern(String text, String lowerLiteral, Pattern regex) {

  /** @throws IllegalArgumentException when a {@code /regex/} does not compile */
  public static BodyPattern parse(String text) {
    if (text.length() >= 2 && text.startsWith("/") && text.endsWith("/")) {
      try {
        return new BodyPattern(text, null, Pattern.compile(text.substring(1, text.length() - 1),
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("invalid regular expression " + text + ": " + e.getDescription());
      }
    }
    if (text.isEmpty()) {
      throw new IllegalArgumentException("empty pattern would match every body");
    }
    return new BodyPattern(text, text.toLowerCase(Locale.ROOT), null);
  }

  /** @param lowerBody the body already lower-cased once for all literal patterns */
  public boolean matches(String body, String lowerBody) {
    return regex != null ? regex.matcher(body).find() : lowerBody.contains(lowerLiteral);
  }
}
