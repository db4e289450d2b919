package dev.llmproxy.recovery;

import dev.llmproxy.fallback.ClientBody;
import dev.llmproxy.routing.Candidate;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What the routes that may continue a broken answer receive, in the client's protocol (each route's own
 * preparation, e.g. its model name or a translation, still applies): for a route with {@code prefill: true}, the
 * request plus the delivered text as the assistant's turn, so the model goes on from there; for one with
 * {@code prefill: false}, the request itself (it restarts, and the relay skips what the client already has).
 *
 * <p>The prefill is the delivered text without its trailing whitespace: Anthropic rejects a final assistant turn
 * that ends in whitespace, and a prefill may reach Anthropic through translation whatever the client speaks.
 * {@link TextSplice#afterPrefill} accounts for the whitespace held back. Both protocols take the same shape:
 * a trailing {@code {"role": "assistant", "content": "..."}} message; when the client's request already ends with
 * an assistant turn (its own prefill), the delivered text is appended to that turn, since the model's answer
 * continues it.
 */
final class ContinuationBody implements ClientBody {

  private final JsonObject request;
  private final JsonObject prefilled;

  /** @param delivered the answer text the client has */
  ContinuationBody(JsonObject request, String delivered) {
    this.request = request;
    String prefill = prefillOf(delivered);
    this.prefilled = prefill.isEmpty() ? request : withPrefill(request, prefill);
  }

  @Override
  public JsonObject forRoute(Candidate route) {
    return route.route().prefill() ? prefilled : request;
  }

  /** The delivered text without its trailing whitespace (the Unicode kind too, e.g. no-break spaces). */
  static String prefillOf(String delivered) {
    int end = delivered.length();
    while (end > 0 && isSpace(delivered.charAt(end - 1))) {
      end--;
    }
    return delivered.substring(0, end);
  }

  /** The trailing whitespace {@link #prefillOf} leaves out. */
  static String heldBack(String delivered) {
    return delivered.substring(prefillOf(delivered).length());
  }

  static JsonObject withPrefill(JsonObject request, String prefill) {
    JsonObject body = request.copy();
    if (!(body.getValue("messages") instanceof JsonArray messages)) {
      return body;
    }
    Object last = messages.isEmpty() ? null : messages.getValue(messages.size() - 1);
    if (last instanceof JsonObject turn && "assistant".equals(turn.getValue("role"))) {
      Object content = turn.getValue("content");
      if (content instanceof String text) {
        turn.put("content", text + prefill);
      } else if (content instanceof JsonArray parts) {
        parts.add(new JsonObject().put("type", "text").put("text", prefill));
      } else {
        turn.put("content", prefill);
      }
    } else {
      messages.add(new JsonObject().put("role", "assistant").put("content", prefill));
    }
    return body;
  }

  private static boolean isSpace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c);
  }
}
