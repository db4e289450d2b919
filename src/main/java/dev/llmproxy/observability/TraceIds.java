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

  public static String generate() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return String.format("%016x%016x", r.nextLong(), r.nextLong());
  }
}
