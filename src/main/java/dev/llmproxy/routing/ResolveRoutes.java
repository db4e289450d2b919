package dev.llmproxy.routing;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.Stage;
import io.vertx.core.Future;

/** Pipeline stage: the alias' route plan for this request. */
public final class ResolveRoutes implements Stage {

  private final AliasResolver resolver;

  public ResolveRoutes(AliasResolver resolver) {
    this.resolver = resolver;
  }

  @Override
  public String name() {
    return "resolve";
  }

  @Override
  public Future<Void> apply(RequestContext ctx) {
    ctx.plan(resolver.plan(ctx.snapshot(), ctx.alias(), ctx.protocol()));
    return Future.succeededFuture();
  }
}
