package dev.llmproxy.capture.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What full-text search sees: words (runs of letters and digits), lower-cased. The proxy cuts text into words
 * itself, for the index and for queries, so SQLite FTS5 and PostgreSQL's {@code tsvector} index the same words
 * and a query finds the same rows on both. A query matches rows that contain all of its words.
 */
public final class SearchText {

  /** Longer texts are indexed up to here: huge prompts would make every insert slow for little search value. */
  public static final int MAX_CHARS = 256 * 1024;
  private static final Pattern NOT_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

  private SearchText() {}

  /** The words of {@code text}, space-separated. */
  public static String index(String text) {
    if (text == null || text.isEmpty()) {
      return "";
    }
    String bounded = text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) : text;
    return String.join(" ", words(bounded));
  }

  /** The words of a query, in order, without repeats. */
  public static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    if (text == null) {
      return out;
    }
    for (String w : NOT_WORD.split(text.toLowerCase(Locale.ROOT))) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }

  static List<String> queryWords(String q) {
    return words(q).stream().distinct().limit(32).toList();
  }
}
