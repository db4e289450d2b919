package dev.llmproxy.bridge;

import dev.llmproxy.fallback.Accepted;
import dev.llmproxy.fallback.LocalAnswer;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.translation.TokenEstimator;
import dev.llmproxy.translation.TranslationException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * {@code POST /v1/messages/count_tokens} on a route whose backend speaks OpenAI, which has no such operation: the
 * proxy's estimate ({@link TokenEstimator}, OpenAI's o200k_base tokenizer over the chat request the backend would
 * get), in Anthropic's shape, labelled in {@value #HEADER} so that nobody takes it for the provider's own count.
 * Counted on a worker thread: the tokenizer loads its vocabulary on first use, and a coding agent's request is
 * long.
 */
public final class EstimatedTokenCount implements LocalAnswer {

  /** Says how the count was made, e.g. {@code estimate; tokenizer=o200k_base}. */
  public static final String HEADER = "X-LLM-Proxy-Token-Count";

  private final Vertx vertx;

  public EstimatedTokenCount(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public Future<Accepted.Whole> answer(RequestContext ctx, Candidate route) {
    if (ctx.endpoint() != Endpoint.COUNT_TOKENS || route.call(ctx.endpoint()) != null) {
      return null;
    }
    JsonObject request = ctx.body();  // read only, and nothing changes it while the request waits for the count
    return vertx.executeBlocking(() -> TokenEstimator.anthropicRequest(request), false)
        .recover(failed -> Future.failedFuture(failed instanceof TranslationException e
            ? ApiError.withParam(ErrorKind.INVALID_REQUEST, "count_tokens cannot be estimated for this request on"
                + " route " + route.key() + ": " + e.getMessage(), e.param())
            : failed))
        .map(estimate -> {
          MultiMap headers = MultiMap.caseInsensitiveMultiMap()
              .set("content-type", "application/json")
              .set(HEADER, estimate.method());
          return new Accepted.Whole(null, 200, headers, estimate.body().toBuffer());
        });
  }
}
