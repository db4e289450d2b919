package dev.llmproxy.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.eventstream.HeaderValue;
import software.amazon.awssdk.eventstream.Message;

/**
 * A local Bedrock runtime on a loopback port (a {@link MockUpstream} underneath, which records requests). Every
 * request's signature is verified with {@link SigV4Reference} — the {@code Authorization} header's shape, the
 * signed headers, the payload hash, the signature itself — and refused with 403 as Bedrock would, the reason
 * kept in {@link #signatureFailures()}. Streams are real AWS eventstream frames with their CRCs.
 */
public final class MockBedrock implements AutoCloseable {

  private final MockUpstream upstream;
  private final String region;
  private final String accessKeyId;
  private final String secretKey;
  private final List<String> failures = new CopyOnWriteArrayList<>();

  private MockBedrock(MockUpstream upstream, String region, String accessKeyId, String secretKey) {
    this.upstream = upstream;
    this.region = region;
    this.accessKeyId = accessKeyId;
    this.secretKey = secretKey;
  }

  public static MockBedrock start(Vertx vertx, String region, String accessKeyId, String secretKey) {
    MockBedrock bedrock = new MockBedrock(MockUpstream.start(vertx, "bedrock"), region, accessKeyId, secretKey);
    bedrock.message(new JsonObject().put("type", "message").put("role", "assistant"));
    return bedrock;
  }

  /** The base URL, as a backend's {@code url:} (Bedrock paths have no /v1). */
  public String url() {
    return upstream.url().substring(0, upstream.url().length() - "/v1".length());
  }

  public MockUpstream upstream() {
    return upstream;
  }

  public List<String> signatureFailures() {
    return List.copyOf(failures);
  }

  /** Answers {@code /invoke} with this message. */
  public void message(JsonObject message) {
    upstream.always(verified((req, body, up) -> req.response().putHeader("content-type", "application/json")
        .end(message.toBuffer())));
  }

  /** Answers with Bedrock's error shape: {@code {"message": ...}} and {@code x-amzn-ErrorType}. */
  public void error(int status, String type, String message) {
    upstream.always(verified((req, body, up) -> req.response().setStatusCode(status)
        .putHeader("content-type", "application/json")
        .putHeader("x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/")
        .end(new JsonObject().put("message", message).encode())));
  }

  /** Answers with these eventstream bytes, written {@code chunkSize} bytes at a time (frames split across writes). */
  public void stream(Buffer frames, int chunkSize) {
    upstream.always(verified((req, body, up) -> {
      HttpServerResponse response = req.response().setChunked(true)
          .putHeader("content-type", "application/vnd.amazon.eventstream")
          .putHeader("x-amzn-requestid", "mock-request-1");
      writeChunks(up.vertx(), response, frames, 0, chunkSize);
    }));
  }

  private static void writeChunks(Vertx vertx, HttpServerResponse response, Buffer all, int from, int size) {
    if (response.closed()) {
      return;
    }
    if (from >= all.length()) {
      response.end();
      return;
    }
    response.write(all.getBuffer(from, Math.min(all.length(), from + size)));
    vertx.setTimer(1, t -> writeChunks(vertx, response, all, from + size, size));
  }

  private MockUpstream.Reply verified(MockUpstream.Reply inner) {
    return (req, body, up) -> {
      String problem = verify(req, body);
      if (problem != null) {
        failures.add(problem);
        req.response().setStatusCode(403).putHeader("content-type", "application/json")
            .putHeader("x-amzn-ErrorType", "InvalidSignatureException")
            .end(new JsonObject().put("message", problem).encode());
        return;
      }
      inner.send(req, body, up);
    };
  }

  private String verify(HttpServerRequest req, Buffer body) {
    SigV4Reference.Parsed auth = SigV4Reference.parse(req.getHeader("authorization"));
    if (auth == null) {
      return "Authorization is not a SigV4 header: " + req.getHeader("authorization");
    }
    if (!auth.accessKeyId().equals(accessKeyId) || !auth.region().equals(region) || !auth.service().equals("bedrock")) {
      return "wrong credential scope: " + auth;
    }
    for (String required : List.of("host", "x-amz-date", "x-amz-content-sha256")) {
      if (!auth.signedHeaders().contains(required)) {
        return "signed headers lack " + required + ": " + auth.signedHeaders();
      }
    }
    String payloadHash = SigV4Reference.sha256Hex(body.getBytes());
    if (!payloadHash.equals(req.getHeader("x-amz-content-sha256"))) {
      return "payload hash mismatch: header " + req.getHeader("x-amz-content-sha256") + ", body " + payloadHash;
    }
    String expected = SigV4Reference.signature(secretKey, req.getHeader("x-amz-date"), region, "bedrock",
        req.method().name(), req.path(), req.query(), auth.signedHeaders(), req::getHeader, body.getBytes());
    return expected.equals(auth.signature()) ? null : "signature mismatch";
  }

  @Override
  public void close() {
    upstream.close();
  }

  // ---- eventstream frames -------------------------------------------------------------------------

  /** Anthropic streaming events as Bedrock sends them: one {@code chunk} frame each, the event base64-encoded. */
  public static Buffer chunks(List<String> anthropicEvents) {
    Buffer out = Buffer.buffer();
    for (String event : anthropicEvents) {
      String payload = new JsonObject()
          .put("bytes", Base64.getEncoder().encodeToString(event.getBytes(StandardCharsets.UTF_8)))
          .put("p", "abcdefghij").encode();
      Map<String, HeaderValue> headers = new LinkedHashMap<>();
      headers.put(":event-type", HeaderValue.fromString("chunk"));
      headers.put(":content-type", HeaderValue.fromString("application/json"));
      headers.put(":message-type", HeaderValue.fromString("event"));
      out.appendBuffer(frame(headers, payload));
    }
    return out;
  }

  /** An exception frame, as Bedrock sends a throttling or model error inside a stream. */
  public static Buffer exception(String type, String message) {
    Map<String, HeaderValue> headers = new LinkedHashMap<>();
    headers.put(":exception-type", HeaderValue.fromString(type));
    headers.put(":content-type", HeaderValue.fromString("application/json"));
    headers.put(":message-type", HeaderValue.fromString("exception"));
    return frame(headers, new JsonObject().put("message", message).encode());
  }

  private static Buffer frame(Map<String, HeaderValue> headers, String payload) {
    ByteBuffer bytes = new Message(headers, payload.getBytes(StandardCharsets.UTF_8)).toByteBuffer();
    byte[] array = new byte[bytes.remaining()];
    bytes.get(array);
    return Buffer.buffer(array);
  }

  /** The same frames with one payload byte of frame {@code index} flipped: its message CRC no longer matches. */
  public static Buffer corruptFrame(Buffer frames, int index) {
    Buffer copy = frames.copy();
    int offset = 0;
    for (int i = 0; i < index; i++) {
      offset += copy.getInt(offset);
    }
    int headersLength = copy.getInt(offset + 4);
    int payloadAt = offset + 12 + headersLength;
    copy.setByte(payloadAt, (byte) (copy.getByte(payloadAt) ^ 0x20));
    return copy;
  }

  /** A complete Anthropic stream answering "Hello world", with usage (12 in, 5 out). */
  public static List<String> helloWorldEvents() {
    List<String> events = new ArrayList<>();
    events.add("{\"type\":\"message_start\",\"message\":{\"id\":\"msg_bdrk_1\",\"type\":\"message\",\"role\":"
        + "\"assistant\",\"model\":\"claude-3-5-sonnet-20240620\",\"content\":[],\"stop_reason\":null,"
        + "\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}");
    events.add("{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
    events.add("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}");
    events.add("{\"type\":\"content_block_delta\",\"index\":0,"
        + "\"delta\":{\"type\":\"text_delta\",\"text\":\" world\"}}");
    events.add("{\"type\":\"content_block_stop\",\"index\":0}");
    events.add("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":5}}");
    events.add("{\"type\":\"message_stop\",\"amazon-bedrock-invocationMetrics\":{\"inputTokenCount\":12,"
        + "\"outputTokenCount\":5,\"invocationLatency\":320,\"firstByteLatency\":110}}");
    return events;
  }
}
