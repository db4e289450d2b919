package dev.llmproxy.translation;

import dev.llmproxy.protocol.ExactJson;
import dev.llmproxy.protocol.Protocol;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A provider's error in the other protocol's status and shape, so the client's SDK raises the exception class it
 * would for its own provider (and retries what it would retry). Overload is Anthropic's 529
 * {@code overloaded_error} and OpenAI's 503; the rate-limit and retry headers travel with the error.
 */
public final class ErrorTranslation {

  /** Headers that tell a client when to retry or how much quota is left. */
  private static final String[] KEPT_HEADERS = {"retry-after", "retry-after-ms"};

  private ErrorTranslation() {}

  /** An error answer for the client: status, JSON body in its protocol, and the headers to keep. */
  public record TranslatedError(int status, JsonObject body, Map<String, String> headers) {}

  /** What both protocols agree an error is: a status, a kind, a message. */
  private record Neutral(int status, String anthropicType, String openAiType, String openAiCode, String message) {}

  public static TranslatedError response(Protocol backend, Protocol client, int status, MultiMap headers, Buffer body) {
    Neutral error = backend == Protocol.ANTHROPIC ? fromAnthropic(status, body) : fromOpenAi(status, body);
    Map<String, String> kept = new LinkedHashMap<>();
    if (headers != null) {
      for (String name : KEPT_HEADERS) {
        String value = headers.get(name);
        if (value != null) {
          kept.put(name, value);
        }
      }
      headers.forEach((name, value) -> {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.startsWith("x-ratelimit-") || lower.startsWith("anthropic-ratelimit-")) {
          kept.put(lower, value);
        }
      });
    }
    if (client == Protocol.ANTHROPIC) {
      return new TranslatedError(anthropicStatus(error), anthropicBody(error), kept);
    }
    return new TranslatedError(openAiStatus(error), openAiBody(error), kept);
  }

  /** The client's in-band error event for an upstream in-band error (OpenAI {@code error} chunk or Anthropic event). */
  static void streamEvent(Protocol backend, Protocol client, JsonObject upstreamError, Buffer out) {
    Neutral error = backend == Protocol.ANTHROPIC ? fromAnthropicJson(0, upstreamError, null)
        : fromOpenAiJson(0, upstreamError, null);
    if (client == Protocol.ANTHROPIC) {
      Sse.named(out, "error", anthropicBody(error));
    } else {
      Sse.data(out, openAiBody(error));
    }
  }

  private static Neutral fromAnthropic(int status, Buffer body) {
    return fromAnthropicJson(status, ExactJson.objectOrNull(body), body);
  }

  private static Neutral fromAnthropicJson(int status, JsonObject json, Buffer raw) {
    JsonObject error = json != null && json.getValue("error") instanceof JsonObject e ? e : new JsonObject();
    String type = error.getValue("type") instanceof String t ? t : typeForStatus(status);
    String message = error.getValue("message") instanceof String m ? m : rawText(raw, status);
    return switch (type) {
      case "invalid_request_error" -> new Neutral(or(status, 400), type, "invalid_request_error", null, message);
      case "authentication_error" -> new Neutral(401, type, "invalid_request_error", "invalid_api_key", message);
      case "permission_error" -> new Neutral(403, type, "invalid_request_error", "permission_denied", message);
      case "not_found_error" -> new Neutral(404, type, "invalid_request_error", "not_found", message);
      case "request_too_large" -> new Neutral(413, type, "invalid_request_error", "request_too_large", message);
      case "rate_limit_error" -> new Neutral(429, type, "rate_limit_exceeded", "rate_limit_exceeded", message);
      case "billing_error" -> new Neutral(402, type, "insufficient_quota", "insufficient_quota", message);
      case "overloaded_error" -> new Neutral(529, type, "server_error", "overloaded", message);
      case "timeout_error" -> new Neutral(504, type, "server_error", "timeout", message);
      default -> new Neutral(or(status, 500), "api_error", "server_error", null, message);
    };
  }

  private static Neutral fromOpenAi(int status, Buffer body) {
    return fromOpenAiJson(status, ExactJson.objectOrNull(body), body);
  }

  private static Neutral fromOpenAiJson(int status, JsonObject json, Buffer raw) {
    JsonObject error = json != null && json.getValue("error") instanceof JsonObject e ? e : new JsonObject();
    String message = error.getValue("message") instanceof String m ? m : rawText(raw, status);
    String type = error.getValue("type") instanceof String t ? t : null;
    String code = error.getValue("code") instanceof String c ? c : null;
    if ("insufficient_quota".equals(code) || "insufficient_quota".equals(type)) {
      return new Neutral(402, "billing_error", "insufficient_quota", "insufficient_quota", message);
    }
    int effective = status > 0 ? status : statusForOpenAiType(type, code);
    String openAiType = type != null ? type : effective >= 500 ? "server_error" : "invalid_request_error";
    String anthropicType = switch (effective) {
      case 400, 422 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 503, 529 -> "overloaded_error";
      case 504 -> "timeout_error";
      default -> effective >= 500 ? "api_error" : "invalid_request_error";
    };
    return new Neutral(effective, anthropicType, openAiType, code, message);
  }

  private static int statusForOpenAiType(String type, String code) {
    String key = code != null ? code : type == null ? "" : type;
    return switch (key) {
      case "rate_limit_exceeded", "requests", "tokens" -> 429;
      case "invalid_api_key" -> 401;
      case "model_not_found" -> 404;
      case "invalid_request_error", "context_length_exceeded" -> 400;
      case "overloaded", "service_unavailable" -> 503;
      default -> 500;
    };
  }

  private static int anthropicStatus(Neutral error) {
    return switch (error.anthropicType()) {
      case "overloaded_error" -> 529;
      case "rate_limit_error" -> 429;
      default -> error.status();
    };
  }

  private static int openAiStatus(Neutral error) {
    return error.status() == 529 ? 503 : error.status();
  }

  private static JsonObject anthropicBody(Neutral error) {
    return new JsonObject().put("type", "error")
        .put("error", new JsonObject().put("type", error.anthropicType()).put("message", error.message()));
  }

  private static JsonObject openAiBody(Neutral error) {
    return new JsonObject().put("error", new JsonObject()
        .put("message", error.message())
        .put("type", error.openAiType())
        .put("param", null)
        .put("code", error.openAiCode()));
  }

  private static String typeForStatus(int status) {
    return switch (status) {
      case 400 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 503, 529 -> "overloaded_error";
      case 504 -> "timeout_error";
      default -> "api_error";
    };
  }

  /** A body that is not the provider's JSON (a proxy's HTML page): its start, so the client sees something true. */
  private static String rawText(Buffer raw, int status) {
    if (raw == null || raw.length() == 0) {
      return "Upstream answered HTTP " + status + " with no body.";
    }
    String text = raw.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
    return "Upstream answered HTTP " + status + ": " + (text.length() > 300 ? text.substring(0, 300) + "…" : text);
  }

  private static int or(int status, int fallback) {
    return status > 0 ? status : fallback;
  }
}
