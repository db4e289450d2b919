package dev.llmproxy.capture;

import dev.llmproxy.capture.store.RequestRow;
import dev.llmproxy.capture.store.SearchText;
import dev.llmproxy.demotion.StreamAssembler;
import dev.llmproxy.pipeline.AttemptRecord;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.routing.Candidate;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the record (format version {@value #VERSION}, described in docs/capture.md) from a finished exchange:
 * decodes the bodies, reassembles a stream, derives the session, masks every secret, and encodes the line.
 * Runs on the capture writer thread, never on an event loop.
 */
final class RecordBuilder {

  static final int VERSION = 1;
  static final String TRUNCATION_MARK = "…[llm-proxy: truncated, %d bytes in all]";

  private RecordBuilder() {}

  static CaptureRecord build(FinishedExchange x) {
    long max = x.settings().maxBodyBytes();
    List<String> truncated = new ArrayList<>();
    long endedAt = x.startedAtMillis() + x.durationMillis();
    String id = RecordIds.next(x.startedAtMillis());

    JsonObject request = new JsonObject();
    if (!x.headers().isEmpty()) {
      request.put("headers", headers(x.headers()));
    }
    Object requestBody;
    // As the serving route received it; when no route answered, the request as it would have been sent.
    Buffer requestBytes = x.sentBody() != null ? x.sentBody() : x.rawBody();
    if (requestBytes != null && requestBytes.length() > max) {
      requestBody = cut(requestBytes, max);
      truncated.add("request.body");
    } else if (x.sentBody() != null) {
      requestBody = decode(x.sentBody());
    } else if (x.body() != null) {
      requestBody = x.body();
    } else {
      // Not decoded on the request path (the proxy forwards the client's bytes): decoded here, off the event loop.
      requestBody = x.rawBody() == null ? null : decode(x.rawBody());
    }
    JsonObject parsedRequest = requestBody instanceof JsonObject o ? o : null;
    String systemPrompt = MessageText.systemPrompt(parsedRequest);
    request.put("body", requestBody);
    request.put("system_prompt", systemPrompt);
    String sessionId = SessionIds.of(x.sessionHeaderValue(), systemPrompt, MessageText.firstUserMessage(parsedRequest));

    JsonObject response = new JsonObject();
    Object answer = null;
    boolean streamed = x.streamBytes() != null || x.decodedEvents() != null;
    if (streamed) {
      List<CaptureTap.Event> events =
          x.decodedEvents() != null ? x.decodedEvents() : CaptureTap.clientEvents(x.streamBytes());
      answer = reassemble(x.kind(), x.protocol(), events);
      response.put("message", answer);
      if (x.streamTruncated()) {
        truncated.add("response.message");
      }
      if (x.settings().includeRawEvents()) {
        JsonArray raw = new JsonArray();
        for (CaptureTap.Event e : events) {
          raw.add(new JsonObject().put("event", e.name()).put("data", e.data()));
        }
        response.put("events", raw);
      }
    } else if (x.responseBody() != null) {
      if (x.responseBody().length() > max) {
        answer = cut(x.responseBody(), max);
        truncated.add("response.body");
      } else {
        answer = decode(x.responseBody());
      }
      response.put("body", answer);
    }
    String answerText = MessageText.answerText(answer);
    response.put("text", answerText.isEmpty() ? null : answerText);

    JsonArray attempts = new JsonArray();
    for (AttemptRecord a : x.attempts()) {
      attempts.add(new JsonObject().put("alias", a.alias()).put("backend", a.backend()).put("model", a.model())
          .put("status", a.status() > 0 ? a.status() : null).put("outcome", a.outcome()).put("ms", a.millis()));
    }
    boolean fallback = fallback(x.attempts());
    JsonArray legs = new JsonArray();
    x.legs().forEach(route -> legs.add(route(route)));
    JsonArray recoveries = new JsonArray();
    for (CaptureTap.Recovery r : x.recoveries()) {
      Object continuationBody = null;
      if (r.body() != null && r.body().length() > max) {
        continuationBody = cut(r.body(), max);
        truncated.add("recoveries.request_body");
      } else if (r.body() != null) {
        continuationBody = decode(r.body());
      }
      recoveries.add(new JsonObject()
          .put("broken_route", route(r.broke().route()))
          .put("reason", r.broke().reason())
          .put("delivered_chars", r.broke().delivered().length())
          .put("continued_on", r.continuedOn() == null ? null : route(r.continuedOn()))
          .put("request_body", continuationBody));
    }

    JsonObject usage = new JsonObject()
        .put("prompt_tokens", x.promptTokens() < 0 ? null : x.promptTokens())
        .put("completion_tokens", x.completionTokens() < 0 ? null : x.completionTokens());

    JsonObject record = new JsonObject()
        .put("v", VERSION)
        .put("id", id)
        .put("trace_id", x.traceId())
        .put("session_id", sessionId)
        .put("started_at", Instant.ofEpochMilli(x.startedAtMillis()).toString())
        .put("first_byte_at", x.ttfbMillis() < 0 ? null
            : Instant.ofEpochMilli(x.startedAtMillis() + x.ttfbMillis()).toString())
        .put("ended_at", Instant.ofEpochMilli(endedAt).toString())
        .put("duration_ms", x.durationMillis())
        .put("ttfb_ms", x.ttfbMillis() < 0 ? null : x.ttfbMillis())
        .put("client_ip", x.clientIp())
        .put("method", x.method())
        .put("path", x.path())
        .put("endpoint", x.endpoint())
        .put("protocol", x.protocol().id())
        .put("alias", x.alias())
        .put("routing_rule", x.routingRule())
        .put("client_key", x.clientKey())
        .put("passthrough", x.passthrough())
        .put("route_protocol", routeProtocol(x))
        .put("backend", x.backend())
        .put("model", x.model())
        .put("stream", x.stream())
        .put("status", x.status())
        .put("request", request)
        .put("response", response)
        .put("usage", usage)
        .put("attempts", attempts)
        .put("fallback", fallback)
        .put("legs", legs)
        .put("recoveries", recoveries)
        .put("error", x.error())
        .put("client_gone", x.clientGone())
        .put("bytes_out", x.bytesOut());
    if (!truncated.isEmpty()) {
      record.put("truncated", new JsonArray(truncated));
    }
    JsonObject masked = RecordMasking.mask(record, RecordMasking.credentialValues(x.credentials()));
    String line = masked.encode();

    JsonObject maskedRequest = masked.getJsonObject("request");
    JsonObject maskedResponse = masked.getJsonObject("response");
    Object maskedAnswer = maskedResponse.getValue(streamed ? "message" : "body");
    Object maskedRequestBody = maskedRequest.getValue("body");
    String search = SearchText.index(String.join("\n",
        maskedRequestBody instanceof JsonObject o ? MessageText.requestText(o) : String.valueOf(maskedRequestBody),
        MessageText.answerText(maskedAnswer), MessageText.answerExtras(maskedAnswer),
        masked.getString("error") == null ? "" : masked.getString("error")));
    RequestRow row = new RequestRow(id, x.startedAtMillis(), masked.getString("trace_id"),
        masked.getString("session_id"), x.clientIp(), x.method(), x.endpoint(), x.protocol().id(), x.alias(),
        x.backend(), x.model(), x.status(), x.stream(), x.durationMillis(), x.ttfbMillis(), x.promptTokens(),
        x.completionTokens(), x.attempts().size(), fallback, masked.getString("error"), RecordRows.routing(masked),
        search, line);
    return new CaptureRecord(line, row);
  }

  /**
   * The protocol {@code request.body} is in: the serving route's when the request was translated for it, else
   * the client's (a passed-through request never is); null when no route answered.
   */
  static String routeProtocol(FinishedExchange x) {
    if (x.sentBody() == null || x.legs().isEmpty()) {
      return null;
    }
    Candidate first = x.legs().get(0);  // the route request.body was sent to
    return !x.passthrough() && first.translates(x.protocol()) ? first.backend().protocol().id() : x.protocol().id();
  }

  /**
   * A stream's events as the answer the same request would have got without streaming: a Responses API stream
   * as its response object ({@link StreamAssembler} for {@link Endpoint#RESPONSES}, the one the proxy's demotion
   * uses, with an in-stream {@code error} event kept as the response's {@code error}); a chat or messages stream
   * by its protocol ({@link StreamReassembly}).
   */
  static JsonObject reassemble(Endpoint kind, Protocol protocol, List<CaptureTap.Event> events) {
    if (kind == Endpoint.RESPONSES) {
      StreamAssembler assembler = StreamAssembler.of(Endpoint.RESPONSES);
      events.forEach(e -> assembler.onEvent(e.name(), e.data()));
      JsonObject response = assembler.result();
      if (assembler.error() != null && response.getValue("error") == null) {
        response.put("error", assembler.error());
      }
      return response;
    }
    return protocol == Protocol.ANTHROPIC ? StreamReassembly.anthropic(events) : StreamReassembly.openAi(events);
  }

  private static JsonObject route(Candidate route) {
    return new JsonObject().put("alias", route.alias()).put("backend", route.backend().name())
        .put("model", route.model());
  }

  /** Served by another route than the first one tried (L1 or L2); same-route retries are not fallbacks. */
  static boolean fallback(List<AttemptRecord> attempts) {
    if (attempts.size() < 2) {
      return false;
    }
    AttemptRecord first = attempts.get(0);
    return attempts.stream().anyMatch(a -> !a.alias().equals(first.alias()) || !a.backend().equals(first.backend())
        || !a.model().equals(first.model()));
  }

  private static JsonObject headers(List<Map.Entry<String, String>> headers) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : headers) {
      out.merge(h.getKey().toLowerCase(Locale.ROOT), h.getValue(), (a, b) -> a + ", " + b);
    }
    return new JsonObject(out);
  }

  /** JSON as JSON; anything else (an HTML error page, plain text) as a string. */
  private static Object decode(Buffer body) {
    if (body.length() == 0) {
      return null;
    }
    try {
      return Json.decodeValue(body);
    } catch (RuntimeException e) {
      return body.toString(StandardCharsets.UTF_8);
    }
  }

  /** The first {@code max} bytes as text, with a marker that says the rest is missing and how much there was. */
  private static String cut(Buffer body, long max) {
    String head = new String(body.getBytes(0, (int) max), StandardCharsets.UTF_8);
    if (!head.isEmpty() && head.charAt(head.length() - 1) == '\uFFFD') {
      head = head.substring(0, head.length() - 1);  // a multi-byte character cut in half
    }
    return head + String.format(TRUNCATION_MARK, body.length());
  }
}
