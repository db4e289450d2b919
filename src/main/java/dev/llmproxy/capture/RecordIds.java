package dev.llmproxy.capture;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Record ids are UUIDv7 (RFC 9562): 48 bits of Unix milliseconds first, so ids sort by time in text form,
 * which keeps store indexes append-mostly and lets an id break ties between records of the same millisecond.
 */
final class RecordIds {

  private static final SecureRandom RANDOM = new SecureRandom();

  private RecordIds() {}

  static String next(long epochMillis) {
    byte[] random = new byte[10];
    RANDOM.nextBytes(random);
    long high = (epochMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | (((random[0] & 0x0F) << 8) | (random[1] & 0xFF));
    long low = 0x8000_0000_0000_0000L | (toLong(random, 2) & 0x3FFF_FFFF_FFFF_FFFFL);
    return new UUID(high, low).toString();
  }

  private static long toLong(byte[] b, int from) {
    long v = 0;
    for (int i = from; i < from + 8; i++) {
      v = (v << 8) | (b[i] & 0xFF);
    }
    return v;
  }
}
