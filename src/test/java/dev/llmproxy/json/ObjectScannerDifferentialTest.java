package dev.llmproxy.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonScan#topLevel} against Jackson's streaming parser on the same bytes: thousands of generated request
 * bodies and mutations of each (cut short, a byte replaced, inserted, removed) must get the same verdict, and, when
 * accepted, the same top-level fields with the same byte offsets, text and counts. Where the verdicts differ on
 * purpose ({@link ScanOutcome#refusedUnlikeJackson}), the scan must refuse.
 */
class ObjectScannerDifferentialTest {

  private static final int BODIES = 4000;
  private static final int MUTATIONS_EACH = 8;

  @Test
  void generatedBodiesAndTheirMutationsAreJudgedAsJacksonJudgesThem() {
    RandomJson json = new RandomJson(20_251_130L);
    int accepted = 0;
    int refused = 0;
    int withModel = 0;
    for (int n = 0; n < BODIES; n++) {
      byte[] valid = json.object();
      ScanOutcome outcome = compare(valid, json.random(), "body " + n);
      assertTrue(outcome.accepted(), () -> "a generated body is valid JSON: " + printable(valid));
      withModel += outcome.fields().stream().anyMatch(f -> f.name().equals("model")) ? 1 : 0;
      for (int m = 0; m < MUTATIONS_EACH; m++) {
        byte[] mutated = json.mutation(valid);
        if (compare(mutated, json.random(), "mutation " + m + " of body " + n).accepted()) {
          accepted++;
        } else {
          refused++;
        }
      }
    }
    // The comparison means something only if both verdicts occur often, and the fields are there to compare.
    assertTrue(accepted > BODIES / 2, "mutations still accepted: " + accepted);
    assertTrue(refused > BODIES * 4, "mutations refused: " + refused);
    assertTrue(withModel > BODIES / 4, "bodies with a model: " + withModel);
  }

  /** Both verdicts on {@code doc}, read either as a whole array or as a slice at an offset of a larger one. */
  static ScanOutcome compare(byte[] doc, Random random, String label) {
    ScanOutcome ours;
    if (random.nextBoolean()) {
      ours = ScanOutcome.ours(doc);
    } else {
      byte[] framed = new byte[doc.length + 9];
      random.nextBytes(framed);
      System.arraycopy(doc, 0, framed, 5, doc.length);
      ours = ScanOutcome.ours(framed, 5, doc.length);
    }
    ScanOutcome jackson = ScanOutcome.refusedUnlikeJackson(doc, 0, doc.length)
        ? ScanOutcome.refused() : ScanOutcome.jackson(doc);
    assertEquals(jackson, ours, () -> label + ": " + printable(doc));
    return ours;
  }

  static String printable(byte[] doc) {
    StringBuilder s = new StringBuilder();
    for (byte b : doc) {
      int c = b & 0xFF;
      s.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("<%02X>", c));
    }
    return s.toString();
  }
}
