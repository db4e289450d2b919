package dev.llmproxy.capture;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.Stage;
import io.vertx.core.Future;

/**
 * Pipeline stage, right after authentication: from here on the request is captured (when {@code capture.enabled}
 * in its snapshot), whatever happens to it, refusals by later stages included. Unauthenticated requests are not
 * captured: a stranger could otherwise fill the disk.
 */
final class StartCapture implements Stage {

  private final Capture capture;

  StartCapture(Capture capture) {
    this.capture = capture;
  }

  @Override
  public String name() {
    return "capture";
  }

  @Override
  public Future<Void> apply(RequestContext ctx) {
    capture.open(ctx);
    return Future.succeededFuture();
  }
}
