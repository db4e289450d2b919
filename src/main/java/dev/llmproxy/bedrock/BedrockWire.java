package dev.llmproxy.bedrock;

import dev.llmproxy.config.Backend;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.upstream.BackendWire;
import dev.llmproxy.upstream.Outgoing;
import dev.llmproxy.upstream.UpstreamFailure;
import dev.llmproxy.upstream.UpstreamRequest;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * Bedrock's wire format for an alias route from the Anthropic endpoint: the Messages body without
 * {@code model} and {@code stream} and with {@code anthropic_version: bedrock-2023-05-31} (beta flags from the
 * {@code anthropic-beta} header move into {@code anthropic_beta}), sent to {@code /model/{id}/invoke} or
 * {@code /invoke-with-response-stream}, signed on a worker thread; a stream is presented to the relay as SSE.
 */
final class BedrockWire implements BackendWire {

  static final String BEDROCK_ANTHROPIC_VERSION = "bedrock-2023-05-31";
  static final String EVENTSTREAM = "application/vnd.amazon.eventstream";

  private final Vertx vertx;
  private final BedrockSigner signer;
  private final BedrockStats stats;

  BedrockWire(Vertx vertx, BedrockSigner signer, BedrockStats stats) {
    this.vertx = vertx;
    this.signer = signer;
    this.stats = stats;
  }

  @Override
  public Buffer body(JsonObject clientBody, Candidate candidate, MultiMap clientHeaders) {
    JsonObject body = clientBody.copy();
    body.remove("model");  // in the path instead
    body.remove("stream"); // the path says it
    if (!body.containsKey("anthropic_version")) {
      body.put("anthropic_version", BEDROCK_ANTHROPIC_VERSION);
    }
    String beta = clientHeaders.get("anthropic-beta");
    if (beta != null && !beta.isBlank() && !body.containsKey("anthropic_beta")) {
      body.put("anthropic_beta", new JsonArray(Arrays.stream(beta.split(",")).map(String::trim)
          .filter(s -> !s.isEmpty()).toList()));
    }
    return body.toBuffer();
  }

  @Override
  public Future<Outgoing> prepare(Outgoing plain, UpstreamRequest call) {
    Backend backend = call.candidate().backend();
    String uri = backend.url() + "/model/" + SdkHttpUtils.urlEncode(call.candidate().model())
        + (call.stream() ? "/invoke-with-response-stream" : "/invoke");
    MultiMap headers = plain.headers();
    headers.remove("anthropic-version");  // in the body instead
    headers.remove("anthropic-beta");
    headers.set("accept", call.stream() ? EVENTSTREAM : "application/json");
    if (call.stream()) {
      headers.set("x-amzn-bedrock-accept", "application/json");
    }
    return signed(backend, plain.withUri(uri));
  }

  @Override
  public Future<Outgoing> prepareRaw(Outgoing plain, Backend backend) {
    return signed(backend, plain);
  }

  private Future<Outgoing> signed(Backend backend, Outgoing request) {
    // Off the event loop: resolving credentials may read files or call the metadata service; hashing takes time.
    return vertx.executeBlocking(() -> new Outgoing(request.method(), request.uri(),
            signer.sign(backend, request.method().name(), request.uri(), request.headers(), request.body()),
            request.body()), false)
        .recover(err -> {
          stats.signingError(backend.name(), "signing failed: " + err.getMessage());
          return Future.failedFuture(new UpstreamFailure(UpstreamFailure.Kind.SIGNING, "backend \"" + backend.name()
              + "\" (" + backend.bedrock().credentialSource() + "): " + err.getMessage()));
        });
  }

  @Override
  public HttpClientResponse adapt(HttpClientResponse response, UpstreamRequest call) {
    String type = response.getHeader("content-type");
    if (response.statusCode() / 100 != 2) {
      return ResponseView.errorAsAnthropic(response);
    }
    return type != null && type.startsWith(EVENTSTREAM)
        ? ResponseView.eventStreamAsSse(response, call.candidate().backend().name(), stats)
        : response;
  }
}
