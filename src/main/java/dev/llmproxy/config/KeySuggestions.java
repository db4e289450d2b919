package dev.llmproxy.config;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** The known config key an unknown one was probably meant to be: a typo, a missing or extra letter, a swap. */
final class KeySuggestions {

  private KeySuggestions() {}

  /** @return the closest known key within a small edit distance, or null when none is close */
  static String closest(String unknown, Set<String> known) {
    String typed = unknown.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : new TreeSet<>(known)) {  // sorted: the same suggestion on every run
      int d = distance(typed, candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    // One edit for short keys, two for longer ones: "backend" -> backends, "timout" -> timeout, "modles" -> models.
    int allowed = typed.length() <= 4 ? 1 : 2;
    return bestDistance <= allowed ? best : null;
  }

  /** Edit distance counting an insertion, deletion, substitution or swap of neighbours as one edit. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
