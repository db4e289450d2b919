package dev.llmproxy.rules;

import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A condition on a piece of text: {@code /regex/} is a Java regular expression found anywhere in the text;
 * anything else is a case-insensitive substring (or, with {@link #exact}, the whole text). Compiled once, with
 * the config.
 */
public final class TextPattern {

  private final String source;
  private final Pattern regex;
  private final String literal;
  private final boolean exact;

  private TextPattern(String source, Pattern regex, String literal, boolean exact) {
    this.source = source;
    this.regex = regex;
    this.literal = literal;
    this.exact = exact;
  }

  /** @throws IllegalArgumentException with a message fit for a config error */
  public static TextPattern parse(String text) {
    return parse(text, false);
  }

  /** Like {@link #parse}, but a plain string must equal the whole text (case-sensitively): model names. */
  public static TextPattern exactOrRegex(String text) {
    return parse(text, true);
  }

  private static TextPattern parse(String text, boolean exact) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("must not be empty");
    }
    if (text.length() >= 2 && text.startsWith("/") && text.endsWith("/")) {
      try {
        return new TextPattern(text, Pattern.compile(text.substring(1, text.length() - 1)), null, false);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("invalid regular expression " + text + ": " + e.getDescription());
      }
    }
    return new TextPattern(text, null, exact ? text : text.toLowerCase(Locale.ROOT), exact);
  }

  public boolean matches(String text) {
    if (text == null) {
      return false;
    }
    if (regex != null) {
      return regex.matcher(text).find();
    }
    return exact ? text.equals(literal) : text.toLowerCase(Locale.ROOT).contains(literal);
  }

  /** Equal when written the same way (for the reload diff; compiled regexes have no equality of their own). */
  @Override
  public boolean equals(Object other) {
    return other instanceof TextPattern p && p.source.equals(source) && p.exact == exact;
  }

  @Override
  public int hashCode() {
    return source.hashCode() * 31 + (exact ? 1 : 0);
  }

  @Override
  public String toString() {
    return source;
  }
}
