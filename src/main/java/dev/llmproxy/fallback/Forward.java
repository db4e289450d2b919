package dev.llmproxy.fallback;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.Stage;
import io.vertx.core.Future;

/** Last pipeline stage: attempt the plan's candidates and relay the accepted answer to the client. */
public final class Forward implements Stage {

  private final AttemptLoop loop;

  public Forward(AttemptLoop loop) {
    this.loop = loop;
  }

  @Override
  public String name() {
    return "forward";
  }

  @Override
  public Future<Void> apply(RequestContext ctx) {
    return loop.run(ctx);
  }
}
