package dev.llmproxy.prompts;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.Stage;
import io.vertx.core.Future;

/**
 * Pipeline stage: puts the alias' system prompt into the client's body, once, before any attempt, so every
 * candidate receives the same request.
 */
public final class InjectSystemPrompt implements Stage {

  @Override
  public String name() {
    return "inject-system-prompt";
  }

  @Override
  public Future<Void> apply(RequestContext ctx) {
    // A passed-through request is sent as the client's own bytes: there is no alias prompt to put in.
    if (ctx.alias() != null && ctx.body() != null && ctx.passthrough() == null) {
      ctx.snapshot().systemPrompts().forAlias(ctx.alias().name())
          .ifPresent(prompt -> PromptInjector.inject(ctx.endpoint(), ctx.body(), prompt));
    }
    return Future.succeededFuture();
  }
}
