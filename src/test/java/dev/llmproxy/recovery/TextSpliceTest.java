package dev.llmproxy.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a continuation's text joins what the client has: nothing repeated, nothing lost. */
class TextSpliceTest {

  /** What the client's text becomes: the delivered text, then what the splice lets through of each piece. */
  private static String client(String delivered, TextSplice splice, String... pieces) {
    StringBuilder text = new StringBuilder(delivered);
    for (String piece : pieces) {
      text.append(splice.join(piece));
    }
    return text.toString();
  }

  @Test
  void theWhitespaceHeldBackFromThePrefillIsNotRepeatedWhenTheModelSendsItAgain() {
    String delivered = "The answer is ";
    TextSplice splice = TextSplice.afterPrefill(ContinuationBody.heldBack(delivered));
    assertEquals("The answer is 42.", client(delivered, splice, " 42", "."));
    assertTrue(splice.joined());
  }

  @Test
  void aContinuationThatDoesNotStartWithTheWhitespaceIsPassedWhole() {
    TextSplice splice = TextSplice.afterPrefill(" ");
    assertEquals("The answer is 42.", client("The answer is ", splice, "42."));
  }

  @Test
  void heldBackWhitespaceIsMatchedAcrossPiecesAndOnlyAsFarAsItAgrees() {
    assertEquals("Title\n\nBody", client("Title\n\n", TextSplice.afterPrefill("\n\n"), "\n", "\nBody"));
    assertEquals("Title\n\n item", client("Title\n\n", TextSplice.afterPrefill("\n\n"), "\n item"),
        "the model's single newline is the client's first one; its text after it goes on");
    assertEquals("Done.", client("Done.", TextSplice.afterPrefill(""), ""), "nothing held back: all passes");
  }

  @Test
  void aRestartMustRepeatTheDeliveredTextExactlyAndOnlyTheRestPasses() {
    TextSplice splice = TextSplice.restart("Hello wor");
    assertEquals("", splice.join("Hel"));
    assertEquals("", splice.join("lo"));
    assertFalse(splice.joined());
    assertEquals("ld!", splice.join(" world!"));
    assertTrue(splice.joined());
    assertNull(splice.mismatch());
    assertEquals(" Bye", splice.join(" Bye"));
  }

  @Test
  void aRestartThatDiffersIsAMismatchAtTheFirstDifferentCharacter() {
    TextSplice splice = TextSplice.restart("Hello world");
    assertEquals("", splice.join("Hello"));
    assertEquals("", splice.join(" World"));
    assertEquals("it differs from the delivered text at character 6", splice.mismatch());
    assertEquals("", splice.join("more"), "nothing passes after a mismatch");
  }

  @Test
  void aRestartThatFinishesBeforeRepeatingEverythingIsAMismatch() {
    TextSplice splice = TextSplice.restart("Hello world");
    splice.join("Hello");
    splice.legFinished();
    assertEquals("it repeated only 5 of the 11 delivered characters", splice.mismatch());
    TextSplice prefill = TextSplice.afterPrefill(" ");
    prefill.legFinished();
    assertNull(prefill.mismatch(), "a prefilled continuation may end at once (the answer was nearly done)");
  }

  @Test
  void noCharacterIsLostOrRepeatedWhereverTheCutFalls() {
    String answer = "One two  three\n\nfour\tfive six.";
    for (int cut = 1; cut < answer.length(); cut++) {
      String delivered = answer.substring(0, cut);
      String prefill = ContinuationBody.prefillOf(delivered);
      String continuation = answer.substring(prefill.length());  // a model continuing the prefill faithfully
      for (List<String> pieces : List.of(List.of(continuation), split(continuation))) {
        TextSplice afterPrefill = TextSplice.afterPrefill(ContinuationBody.heldBack(delivered));
        assertEquals(answer, client(delivered, afterPrefill, pieces.toArray(String[]::new)), "cut at " + cut);
        TextSplice restart = TextSplice.restart(delivered);
        assertEquals(answer, client(delivered, restart, split(answer).toArray(String[]::new)), "cut at " + cut);
      }
    }
  }

  private static List<String> split(String text) {
    return text.chars().mapToObj(c -> String.valueOf((char) c)).toList();
  }
}
