package dev.llmproxy.recovery;

/**
 * Where a continuation leg's text joins the text the client already has. Fed the leg's text piece by piece, it
 * hands back what the client still needs of each piece.
 *
 * <ul>
 *   <li>{@link #afterPrefill}: the leg continued a prefill, which is the delivered text without its trailing
 *       whitespace (Anthropic rejects a prefill ending in whitespace, and a translated request may reach
 *       Anthropic). The model usually starts with that whitespace again; whatever part of the leg's text repeats
 *       the held-back whitespace, character for character from the start, is dropped, because the client has it.
 *       Never fails.
 *   <li>{@link #restart}: the leg got the original request (a route without prefill) and must repeat the delivered
 *       text exactly before anything new; the repeat is dropped. A difference, or a finish before the repeat is
 *       complete, is a {@link #mismatch}.
 * </ul>
 *
 * Text before the join is never repeated to the client and text after it never lost: the client's text is the
 * delivered text followed by the leg's text minus a prefix equal to the text the client already had at the cut.
 */
final class TextSplice {

  private final String expected;
  private final boolean strict;
  private int matched;
  private boolean joined;
  private String mismatch;

  private TextSplice(String expected, boolean strict) {
    this.expected = expected;
    this.strict = strict;
    this.joined = expected.isEmpty();
  }

  /** @param heldBack the delivered text's trailing whitespace, which the prefill left out */
  static TextSplice afterPrefill(String heldBack) {
    return new TextSplice(heldBack, false);
  }

  /** @param delivered everything the client has of the answer's text */
  static TextSplice restart(String delivered) {
    return new TextSplice(delivered, true);
  }

  /** What the client receives of {@code piece}, the leg's next text: all of it once joined, maybe "". */
  String join(String piece) {
    if (joined || mismatch != null) {
      return mismatch != null ? "" : piece;
    }
    int i = 0;
    while (i < piece.length() && matched < expected.length()) {
      if (piece.charAt(i) != expected.charAt(matched)) {
        if (strict) {
          mismatch = "it differs from the delivered text at character " + matched;
          return "";
        }
        joined = true;
        return piece.substring(i);
      }
      i++;
      matched++;
    }
    if (matched == expected.length()) {
      joined = true;
    }
    return piece.substring(i);
  }

  /** The leg finished its answer (or stopped producing text): a restart must have repeated everything by now. */
  void legFinished() {
    if (!joined && mismatch == null && strict) {
      mismatch = "it repeated only " + matched + " of the " + expected.length() + " delivered characters";
    }
  }

  /** Whether the leg's text has reached the cut (a restart: repeated everything delivered). */
  boolean joined() {
    return joined;
  }

  /** Why a restart cannot be joined to the stream; null when it can (so far). */
  String mismatch() {
    return mismatch;
  }
}
