package dev.llmproxy.capture;

import dev.llmproxy.observability.LogMasking;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks a record before it is written anywhere: every string value goes through {@link LogMasking#maskAlways}
 * (the live config's secrets and key-shaped tokens) and loses the request's own credentials (the values of its
 * credential headers: in the transparent mode, the client's provider key, which the config does not know and
 * whose shape may be anything), and fields whose whole value is a credential (header names such as
 * {@code authorization}, {@code x-amz-security-token}) are replaced. Value by value rather than on the encoded
 * line, so the masks can never break the JSON. Copy on write: the input is never changed, and a part with nothing
 * to mask is shared rather than copied (most of a record), which keeps the writer's allocations down.
 */
final class RecordMasking {

  static final String MASK = "****";
  /** Credential headers beyond those every log line masks ({@link LogMasking#isSensitiveField}): AWS's. */
  private static final Set<String> CREDENTIAL_FIELDS = Set.of("x-amz-security-token");
  /** A request credential shorter than this is not masked literally: it would garble ordinary text. */
  static final int MIN_CREDENTIAL_LENGTH = 8;
  /** The parts of an AWS SigV4 {@code Authorization} value that identify or prove the signer's credentials. */
  private static final Pattern SIGV4_PARTS = Pattern.compile("(?:Credential=([^/,\\s]+)|Signature=([0-9a-fA-F]+))");

  private RecordMasking() {}

  static JsonObject mask(JsonObject in) {
    return mask(in, List.of());
  }

  /** @param credentials masked literally in every string, besides what {@link LogMasking} masks */
  static JsonObject mask(JsonObject in, List<String> credentials) {
    return (JsonObject) value(in, credentials);
  }

  /**
   * The secrets in a request's credential header values: each whole value, a bearer token without its scheme,
   * and of an AWS SigV4 signature the access key id and the signature.
   */
  static List<String> credentialValues(List<String> headerValues) {
    List<String> out = new ArrayList<>();
    for (String value : headerValues) {
      String v = value.trim();
      add(out, v);
      int space = v.indexOf(' ');
      if (space > 0) {
        add(out, v.substring(space + 1).trim());  // "Bearer <key>", "Basic <token>"
      }
      Matcher sigv4 = SIGV4_PARTS.matcher(v);
      while (sigv4.find()) {
        add(out, sigv4.group(1) != null ? sigv4.group(1) : sigv4.group(2));
      }
    }
    // Longest first, so a value is masked whole before a part of it could be.
    out.sort(Comparator.comparingInt(String::length).reversed());
    return out;
  }

  private static void add(List<String> out, String secret) {
    if (secret != null && secret.length() >= MIN_CREDENTIAL_LENGTH && !out.contains(secret)) {
      out.add(secret);
    }
  }

  /** {@code v} itself when nothing in it needs masking, else a masked copy. */
  static Object value(Object v) {
    return value(v, List.of());
  }

  private static Object value(Object v, List<String> credentials) {
    if (v instanceof String s) {
      String masked = LogMasking.maskAlways(s);
      for (String credential : credentials) {
        if (masked.contains(credential)) {
          masked = masked.replace(credential, MASK);
        }
      }
      return masked.equals(s) ? s : masked;
    }
    if (v instanceof JsonObject o) {
      Map<String, Object> copy = null;
      Map<String, Object> map = o.getMap();
      int i = 0;
      for (Map.Entry<String, Object> e : map.entrySet()) {
        Object before = wrap(e.getValue());
        Object after = sensitive(e.getKey()) && before instanceof String ? MASK : value(before, credentials);
        if (copy == null && after != before) {
          copy = new LinkedHashMap<>(Math.max(16, map.size() * 2));
          int j = 0;
          for (Map.Entry<String, Object> earlier : map.entrySet()) {
            if (j++ == i) {
              break;
            }
            copy.put(earlier.getKey(), earlier.getValue());
          }
        }
        if (copy != null) {
          copy.put(e.getKey(), after);
        }
        i++;
      }
      return copy == null ? o : new JsonObject(copy);
    }
    if (v instanceof JsonArray a) {
      List<Object> list = a.getList();
      List<Object> copy = null;
      for (int i = 0; i < list.size(); i++) {
        Object before = wrap(list.get(i));
        Object after = value(before, credentials);
        if (copy == null && after != before) {
          copy = new ArrayList<>(list.subList(0, i));
        }
        if (copy != null) {
          copy.add(after);
        }
      }
      return copy == null ? a : new JsonArray(copy);
    }
    return v;
  }

  private static boolean sensitive(String field) {
    return LogMasking.isSensitiveField(field) || CREDENTIAL_FIELDS.contains(field.toLowerCase(Locale.ROOT));
  }

  /** Vert.x JSON may hold plain maps and lists inside; treat them as the JSON types they stand for. */
  @SuppressWarnings("unchecked")
  private static Object wrap(Object v) {
    if (v instanceof Map<?, ?> m) {
      return new JsonObject((Map<String, Object>) m);
    }
    if (v instanceof List<?> l) {
      return new JsonArray((List<Object>) l);
    }
    return v;
  }
}
