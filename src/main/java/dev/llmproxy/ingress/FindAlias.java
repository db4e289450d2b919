package dev.llmproxy.ingress;

import dev.llmproxy.config.Alias;
import dev.llmproxy.config.Backend;
import dev.llmproxy.config.PassthroughSettings;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.Stage;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.protocol.Protocol;
import io.vertx.core.Future;
import java.util.List;

/**
 * Pipeline stage: the model alias the request is routed by. A model that is no alias is an error (404), except
 * in the transparent mode ({@code passthrough:}), where the request goes to the provider unchanged, its model
 * included.
 */
public final class FindAlias implements Stage {

  @Override
  public String name() {
    return "alias";
  }

  @Override
  public Future<Void> apply(RequestContext ctx) {
    Snapshot snapshot = ctx.snapshot();
    String model = ctx.model();
    var found = snapshot.alias(model);
    if (found.isPresent()) {
      ctx.alias(found.get());
      return Future.succeededFuture();
    }
    Backend target = passthroughBackend(snapshot, ctx.protocol());
    if (target != null) {
      // Limits and logs count a passed-through request under the model the client named.
      ctx.alias(new Alias(model, List.of()));
      String query = ctx.request().query();
      ctx.passthrough(new RequestContext.PassthroughTarget(target,
          ctx.endpoint().upstreamPath() + (query == null ? "" : "?" + query)));
      return Future.succeededFuture();
    }
    return Future.failedFuture(ApiError.withParam(ErrorKind.MODEL_NOT_FOUND, "The model `" + model
        + "` does not exist. Available models: " + snapshot.aliases().keySet() + ".", "model"));
  }

  /** The backend that receives this protocol's requests unchanged, or null when it is not passed through. */
  public static Backend passthroughBackend(Snapshot snapshot, Protocol protocol) {
    PassthroughSettings p = snapshot.passthrough();
    String name = protocol == Protocol.ANTHROPIC ? p.anthropic() : p.openai();
    return name == null ? null : snapshot.backends().get(name);
  }
}
