package dev.llmproxy.observability;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** The request's trace id: the client's {@code X-Trace-ID} when it is sane, otherwise a new random one. */
public final class TraceIds {

  public static final String HEADER = "X-Trace-ID";
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private TraceIds() {}

  /** A client value is kept only if it cannot break a log line or a header (no spaces, bounded length). */
  public static String accept(String fromClient) {
    return fromClient != null && SANE.matcher(fromClient).matches() ? fromClient : generate();
  }

  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** 32 lower-case hex digits (128 random bits); written by hand, String.format is slow for a per-request id. */
  public static String generate() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    byte[] id = new byte[32];
    hex(r.nextLong(), id, 0);
    hex(r.nextLong(), id, 16);
    return new String(id, java.nio.charset.StandardCharsets.US_ASCII);
  }

  private static void hex(long bits, byte[] into, int at) {
    for (int i = 15; i >= 0; i--) {
      into[at + i] = HEX[(int) (bits & 0xf)];
      bits >>>= 4;
    }
  }
}
