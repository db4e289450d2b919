package dev.llmproxy.bedrock;

import dev.llmproxy.config.Backend;
import dev.llmproxy.detection.TransportFailure;
import dev.llmproxy.upstream.BackendWire;
import dev.llmproxy.upstream.Outgoing;
import dev.llmproxy.upstream.UpstreamFailure;
import dev.llmproxy.upstream.UpstreamRequest;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * Bedrock's wire format for an alias route from the Anthropic endpoint: the body ({@link BedrockBody}) is sent to
 * {@code /model/{id}/invoke} or {@code /invoke-with-response-stream}, without the Anthropic headers (they are in the
 * body), signed on a worker thread; a stream is presented to the relay as SSE, an error in Anthropic's shape.
 * Claude Code's Bedrock mode is only signed.
 */
final class BedrockWire implements BackendWire {

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
    dropClientSignature(request.headers());
    // Off the event loop: resolving credentials may read files or call the metadata service; hashing takes time.
    return vertx.executeBlocking(() -> new Outgoing(request.method(), request.uri(),
            signer.sign(backend, request.method().name(), request.uri(), request.headers(), request.body()),
            request.body()), false)
        .recover(err -> {
          stats.signingError(backend.name(), "signing failed: " + err.getMessage());
          return Future.failedFuture(new UpstreamFailure(TransportFailure.SIGNING, "backend \"" + backend.name()
              + "\" (" + backend.bedrock().credentialSource() + "): " + err.getMessage()));
        });
  }

  /**
   * A client that signed its request itself sends its own signature, date, payload hash and, with temporary
   * credentials, its session token. The proxy signs with the backend's credentials instead, and the signer only
   * replaces what those credentials produce: a client's {@code x-amz-security-token} next to keys without one
   * would be signed in and sent to AWS. So every client {@code x-amz-*} header and {@code Authorization} goes
   * ({@code x-amzn-*} headers are Bedrock's request options and stay).
   */
  static void dropClientSignature(MultiMap headers) {
    headers.names().stream()
        .filter(name -> name.equalsIgnoreCase("authorization") || name.regionMatches(true, 0, "x-amz-", 0, 6))
        .toList()
        .forEach(headers::remove);
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
