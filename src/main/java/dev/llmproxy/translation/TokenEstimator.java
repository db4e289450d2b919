package dev.llmproxy.translation;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.llmproxy.config.BackendTranslation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * An honest estimate for {@code POST /v1/messages/count_tokens} when the route's backend speaks OpenAI, which has
 * no such endpoint. The Anthropic request is translated to the chat request the backend would get, and counted
 * with OpenAI's {@code o200k_base} tokenizer (jtokkit) the way OpenAI's cookbook counts chat messages: the text
 * of every message plus 3 tokens of framing each, 3 for the reply's priming, and the tool definitions' JSON.
 * Images count a flat {@value #IMAGE_TOKENS} (their size is not known without decoding them). Exact for OpenAI's
 * GPT-4o family's text; an approximation for other models and tokenizers, and labelled as such: the caller
 * returns {@link Estimate#method()} in a response header.
 *
 * <p>The first call loads the tokenizer's vocabulary (about 3.6 MB, a few hundred milliseconds): call
 * {@link #warmUp()} at start-up or run the first count off the event loop.
 */
public final class TokenEstimator {

  static final int IMAGE_TOKENS = 1_600;
  static final int PER_MESSAGE = 3;
  static final int REPLY_PRIMING = 3;

  /** The count and how it was obtained, e.g. {@code estimate; tokenizer=o200k_base}. */
  public record Estimate(long inputTokens, String method) {
    /** The body Anthropic's count_tokens answers with. */
    public JsonObject body() {
      return new JsonObject().put("input_tokens", inputTokens);
    }
  }

  private TokenEstimator() {}

  private static final class Holder {
    static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
  }

  /** Loads the vocabulary now; blocking, so not on an event loop. */
  public static void warmUp() {
    Holder.ENCODING.countTokens("warm up");
  }

  /** Estimates the input tokens of an Anthropic messages (or count_tokens) request body. */
  public static Estimate anthropicRequest(JsonObject body) {
    JsonObject chat = AnthropicToOpenAiRequest.translate(body, BackendTranslation.DEFAULTS);
    long tokens = REPLY_PRIMING;
    if (chat.getValue("messages") instanceof JsonArray messages) {
      for (Object m : messages) {
        if (m instanceof JsonObject message) {
          tokens += PER_MESSAGE + message(message);
        }
      }
    }
    if (chat.getValue("tools") instanceof JsonArray tools) {
      tokens += count(tools.encode());
    }
    return new Estimate(tokens, "estimate; tokenizer=" + Holder.ENCODING.getName());
  }

  private static long message(JsonObject message) {
    long tokens = count(String.valueOf(message.getValue("role")));
    Object content = message.getValue("content");
    if (content instanceof String s) {
      tokens += count(s);
    } else if (content instanceof JsonArray parts) {
      for (Object p : parts) {
        if (p instanceof JsonObject part) {
          tokens += "text".equals(part.getValue("type")) ? count(part.getString("text", "")) : IMAGE_TOKENS;
        }
      }
    }
    if (message.getValue("tool_calls") instanceof JsonArray calls) {
      tokens += count(calls.encode());
    }
    return tokens;
  }

  private static long count(String text) {
    return text.isEmpty() ? 0 : Holder.ENCODING.countTokensOrdinary(text);
  }
}
