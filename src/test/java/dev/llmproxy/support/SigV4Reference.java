package dev.llmproxy.support;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 written from the specification, independent of the SDK the proxy signs with: tests
 * check it against AWS's published test suite, then use it to check the proxy's signatures (the mock Bedrock
 * verifies every request with it).
 */
public final class SigV4Reference {

  private static final Pattern AUTHORIZATION = Pattern.compile(
      "AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)/(\\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request, "
          + "SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})");

  /** The parts of an {@code Authorization} header; null fields when it does not have SigV4's shape. */
  public record Parsed(String accessKeyId, String date, String region, String service, List<String> signedHeaders,
      String signature) {}

  private SigV4Reference() {}

  public static Parsed parse(String authorization) {
    Matcher m = authorization == null ? null : AUTHORIZATION.matcher(authorization);
    if (m == null || !m.matches()) {
      return null;
    }
    return new Parsed(m.group(1), m.group(2), m.group(3), m.group(4), List.of(m.group(5).split(";")), m.group(6));
  }

  /**
   * The signature of a request.
   *
   * @param rawPath the path as sent (already percent-encoded); non-S3 services encode it once more
   * @param rawQuery the query as sent, or null
   * @param header a header's value by lower-case name
   */
  public static String signature(String secretKey, String amzDate, String region, String service, String method,
      String rawPath, String rawQuery, List<String> signedHeaders, Function<String, String> header, byte[] body) {
    String canonical = method + "\n"
        + encode(rawPath, false) + "\n"
        + canonicalQuery(rawQuery) + "\n"
        + canonicalHeaders(signedHeaders, header) + "\n"
        + String.join(";", signedHeaders) + "\n"
        + sha256Hex(body);
    String date = amzDate.substring(0, 8);
    String scope = date + "/" + region + "/" + service + "/aws4_request";
    String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
        + sha256Hex(canonical.getBytes(StandardCharsets.UTF_8));
    byte[] key = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), date);
    key = hmac(key, region);
    key = hmac(key, service);
    key = hmac(key, "aws4_request");
    return HexFormat.of().formatHex(hmac(key, toSign));
  }

  private static String canonicalHeaders(List<String> names, Function<String, String> header) {
    StringBuilder out = new StringBuilder();
    for (String name : names) {
      String value = header.apply(name);
      out.append(name).append(':').append(value == null ? "" : value.trim().replaceAll(" +", " ")).append('\n');
    }
    return out.toString();
  }

  private static String canonicalQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return "";
    }
    TreeMap<String, List<String>> params = new TreeMap<>();
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String k = encode(eq < 0 ? pair : pair.substring(0, eq), true);
      String v = encode(eq < 0 ? "" : pair.substring(eq + 1), true);
      params.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : params.entrySet()) {
      e.getValue().stream().sorted().forEach(v -> parts.add(e.getKey() + "=" + v));
    }
    return String.join("&", parts);
  }

  /** RFC 3986 percent-encoding of everything but unreserved characters (and '/' in a path). */
  static String encode(String text, boolean slash) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xFF);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !slash)) {
        out.append(c);
      } else {
        out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xFF));
      }
    }
    return out.toString();
  }

  public static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
