package dev.llmproxy.limits;

import dev.llmproxy.config.ConcurrencySettings;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.Stage;
import io.vertx.core.Future;

/**
 * Pipeline stage: a gateway-wide concurrency slot, at once or after a FIFO wait. The slot is released by the
 * request's finish actions, so it is held until the response has ended (a stream to its last byte) and
 * given back exactly once on every path. A client that leaves while queued leaves the queue.
 */
public final class AcquireSlot implements Stage {

  private final TrafficControl traffic;

  public AcquireSlot(TrafficControl traffic) {
    this.traffic = traffic;
  }

  @Override
  public String name() {
    return "enqueue";
  }

  @Override
  public Future<Void> apply(RequestContext ctx) {
    traffic.sync(ctx.snapshot());
    if (ctx.clientGone()) {
      return Future.failedFuture(LimitErrors.clientGone());
    }
    ConcurrencySettings settings = traffic.gate().settings();
    ConcurrencyGate.Ticket ticket = traffic.gate().enter();
    ctx.scope().cancelled().onSuccess(v -> ticket.cancel());  // leaves the queue; a no-op once granted
    return ticket.slot().transform(ar -> {
      if (ar.succeeded()) {
        ctx.onFinish(ar.result()::release);
        return Future.succeededFuture();
      }
      if (ar.cause() instanceof ConcurrencyGate.Refused refused) {
        return Future.failedFuture(switch (refused.reason()) {
          case QUEUE_FULL -> LimitErrors.queueFull(settings);
          case QUEUE_TIMEOUT -> LimitErrors.queueTimeout(settings);
          case CANCELLED -> LimitErrors.clientGone();
        });
      }
      return Future.failedFuture(ar.cause());
    });
  }
}
