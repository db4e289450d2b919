package dev.llmproxy.observability;

import dev.llmproxy.config.Backend;
import dev.llmproxy.config.Secret;
import dev.llmproxy.config.Snapshot;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Removes credentials from log text, whatever logged it (our lines, a library's, a debug dump of headers).
 * Two layers: patterns for the shapes keys have in the wild, and the exact secrets of the live config (backend
 * keys, header values, the proxy key), which catch keys of any shape.
 *
 * <p>Both layers live in one immutable {@link Rules} swapped atomically, because every appender on every thread
 * reads them; {@link #register(Snapshot)} runs at start and on each reload.
 */
public final class LogMasking {

  static final String MASK = "****";

  /**
   * Shapes of credentials in text. OpenAI keys are {@code sk-…} / {@code sk-proj-…}, Anthropic keys
   * {@code sk-ant-…}; the look-behind keeps words such as "task-list" intact. Header forms cover the two ways
   * clients authenticate ({@code Authorization: Bearer …}, Anthropic's {@code x-api-key: …}) as they appear in
   * header dumps ({@code name: value}, {@code name=value}, JSON {@code "name":"value"}). Config key names such as
   * {@code api_key} are left out on purpose: config messages ("backends[1].api_key: environment variable … is
   * not set") would be garbled, and configured values are masked literally anyway.
   */
  private static final List<Replacement> PATTERNS = List.of(
      new Replacement(Pattern.compile("(?<![A-Za-z0-9])(sk-(?:ant-)?)[A-Za-z0-9_\\-]{6,}"), "$1" + MASK),
      new Replacement(Pattern.compile("(?i)\\b(bearer\\s+)[^\\s\"',;}\\]]+"), "$1" + MASK),
      new Replacement(Pattern.compile(
          "(?i)((?:x-api-key|authorization)[\"']?\\s*[:=]\\s*[\"']?)(?!bearer\\b)[^\\s\"',;}\\]]+"),
          "$1" + MASK));

  /** Fields whose whole value is a credential, when a header map is logged as a JSON object. */
  private static final Set<String> SENSITIVE_FIELDS = Set.of(
      "authorization", "proxy-authorization", "x-api-key", "api-key", "api_key", "proxy_api_key", "cookie",
      "set-cookie");

  /** Shorter secrets are not masked literally: masking every "abc" in every line would garble the logs. */
  static final int MIN_SECRET_LENGTH = 4;

  private record Replacement(Pattern pattern, String with) {}

  /** @param secretList the same secrets as {@code secrets}, for a cheap contains() check before the regex */
  private record Rules(boolean patterns, Pattern secrets, List<String> secretList) {}

  /**
   * Every credential pattern above needs one of these in the text (the first case-sensitive, as its pattern is):
   * checking for them first skips the regexes for the many log values that hold no credential.
   */
  private static final String[] PATTERN_HINTS = {"bearer", "x-api-key", "authorization"};

  private static volatile Rules rules = new Rules(true, null, List.of());

  private LogMasking() {}

  /** Masks the secrets of {@code snapshot} from now on (and no longer those of the previous config). */
  public static void register(Snapshot snapshot) {
    Set<String> secrets = new LinkedHashSet<>();
    add(secrets, snapshot.proxyApiKey());
    for (Backend b : snapshot.backends().values()) {
      add(secrets, b.apiKey());
      b.headers().values().forEach(s -> add(secrets, s));
      if (b.bedrock() != null) {
        add(secrets, b.bedrock().accessKeyId());
        add(secrets, b.bedrock().secretAccessKey());
        add(secrets, b.bedrock().sessionToken());
      }
    }
    snapshot.clientKeys().values().forEach(s -> add(secrets, s));
    if (snapshot.ui() != null) {
      add(secrets, snapshot.ui().password());
    }
    if (snapshot.cluster() != null && snapshot.cluster().enabled()) {
      add(secrets, snapshot.cluster().redisUrl());
      snapshot.cluster().redisPassword().ifPresent(secrets::add);
    }
    if (snapshot.capture() != null) {
      snapshot.capture().secrets().forEach(s -> add(secrets, s));  // store password, Loki token
    }
    boolean patterns = snapshot.logging() == null || snapshot.logging().maskSensitive();
    rules = rules(patterns, secrets);
  }

  private static Rules rules(boolean patterns, Set<String> secrets) {
    List<String> usable = secrets.stream().filter(s -> s != null && s.length() >= MIN_SECRET_LENGTH).toList();
    return new Rules(patterns, literalPattern(secrets), usable);
  }

  /** For tests and for secrets known outside a snapshot. */
  public static void register(boolean patterns, Set<String> secrets) {
    rules = rules(patterns, secrets);
  }

  /** {@code text} with every known secret and every credential-shaped token replaced by {@value #MASK}. */
  public static String mask(String text) {
    return mask(text, rules.patterns());
  }

  /**
   * Like {@link #mask(String)}, with the key-shape patterns applied even when {@code logging.mask_sensitive} is
   * off: traffic captures keep whole conversations for a long time, so they are always masked.
   */
  public static String maskAlways(String text) {
    return mask(text, true);
  }

  private static String mask(String text, boolean patterns) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    Rules r = rules;
    String out = text;
    if (r.secrets() != null && containsAny(out, r.secretList())) {
      out = r.secrets().matcher(out).replaceAll(MASK);
    }
    if (patterns && mayHoldCredential(out)) {
      for (Replacement p : PATTERNS) {
        Matcher m = p.pattern().matcher(out);
        if (m.find()) {
          out = m.replaceAll(p.with());
        }
      }
    }
    return out;
  }

  private static boolean containsAny(String text, List<String> secrets) {
    for (String secret : secrets) {
      if (text.contains(secret)) {
        return true;
      }
    }
    return false;
  }

  /** One pass over the text: only where a hint's first letter is found is the hint compared. */
  private static boolean mayHoldCredential(String text) {
    if (text.contains("sk-")) {
      return true;
    }
    for (int i = 0, n = text.length(); i < n; i++) {
      char c = (char) (text.charAt(i) | 0x20);  // ASCII letters to lower case; nothing else becomes b, x or a
      if ((c == 'b' || c == 'x' || c == 'a') && startsHint(text, i, c)) {
        return true;
      }
    }
    return false;
  }

  private static boolean startsHint(String text, int at, char first) {
    for (String hint : PATTERN_HINTS) {
      if (hint.charAt(0) == first && text.regionMatches(true, at, hint, 0, hint.length())) {
        return true;
      }
    }
    return false;
  }

  /** Whether a field of this name (a header name in a dump) holds a credential as its whole value. */
  public static boolean isSensitiveField(String name) {
    return name != null && SENSITIVE_FIELDS.contains(name.toLowerCase(Locale.ROOT));
  }

  private static void add(Set<String> secrets, Secret secret) {
    if (secret != null) {
      secrets.add(secret.value());
    }
  }

  private static Pattern literalPattern(Set<String> secrets) {
    List<String> usable = secrets.stream()
        .filter(s -> s != null && s.length() >= MIN_SECRET_LENGTH)
        // Longest first, so a secret that contains another is masked whole.
        .sorted(Comparator.comparingInt(String::length).reversed())
        .toList();
    if (usable.isEmpty()) {
      return null;
    }
    return Pattern.compile(usable.stream().map(Pattern::quote).collect(Collectors.joining("|")));
  }
}
