package dev.llmproxy.json;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Eight bytes of an array read as one little-endian {@code long} and searched all at once (SWAR): the bytes of a
 * JSON string that need a look are rare, so a scan reads a word, sees none, and moves eight bytes on. Each search
 * marks the high bit of every byte it matched; only the lowest mark is exact (a borrow can mark bytes above it), which
 * is all a scan needs: {@link #firstMarked} is where to look next.
 */
final class ByteWords {

  static final int SIZE = Long.BYTES;

  private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long QUOTES = broadcast('"');
  private static final long BACKSLASHES = broadcast('\\');
  private static final long SPACES = broadcast(' ');
  /** Multiplying bytes of 0 or 1 by it gathers them, in order, into the top byte. */
  private static final long GATHER = 0x0102040810204080L;

  private ByteWords() {}

  /** The eight bytes at {@code i}, the one at {@code i} lowest; {@code i + 8} must not pass the array's end. */
  static long load(byte[] array, int i) {
    return (long) WORDS.get(array, i);
  }

  static long broadcast(int b) {
    return (b & 0xFFL) * ONES;
  }

  /** Marks the bytes of {@code word} equal to the byte {@code pattern} repeats ({@link #broadcast}). */
  static long equalTo(long word, long pattern) {
    long x = word ^ pattern;
    return (x - ONES) & ~x & HIGH_BITS;
  }

  /**
   * Marks the bytes a JSON string scan must stop at: its closing quote, a backslash (an escape), a control byte
   * (refused unescaped) and any non-ASCII byte (a UTF-8 sequence to check). Cheaper than three {@link #equalTo}s:
   * a non-ASCII byte is marked by its own high bit, so for the others (below 0x80) a subtraction alone tells, its
   * high bit set only where the byte was 0 (after the xor) or below 0x20.
   */
  static long stringStops(long word) {
    return ((word ^ QUOTES) - ONES | (word ^ BACKSLASHES) - ONES | word - SPACES | word) & HIGH_BITS;
  }

  /** The marks of a word as eight bits, bit k for byte k. */
  static long markBits(long marks) {
    return ((marks >>> 7) * GATHER) >>> 56;
  }

  /** The offset (0 to 7) of the first marked byte; {@code marks} must not be 0. */
  static int firstMarked(long marks) {
    return Long.numberOfTrailingZeros(marks) >>> 3;
  }
}
