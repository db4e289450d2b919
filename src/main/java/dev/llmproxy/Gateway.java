package dev.llmproxy;

import dev.llmproxy.config.ListenAddress;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.config.SnapshotHolder;
import dev.llmproxy.echo.EchoBackend;
import dev.llmproxy.limits.TrafficControl;
import dev.llmproxy.routing.AliasResolver;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A running gateway: the shared services, plus one {@link GatewayVerticle} per event loop listening on the same
 * port. Used by {@link Main} and, identically, by the integration tests.
 */
public final class Gateway {

  private final Vertx vertx;
  private final GatewayServices services;
  private final int port;

  private Gateway(Vertx vertx, GatewayServices services, int port) {
    this.vertx = vertx;
    this.services = services;
    this.port = port;
  }

  public static Future<Gateway> start(Vertx vertx, Snapshot initial, int instances) {
    SnapshotHolder snapshots = new SnapshotHolder(initial);
    EchoBackend echo = new EchoBackend(vertx);
    return echo.start().compose(started -> {
      GatewayServices services = new GatewayServices(snapshots, echo, new AliasResolver(ThreadLocalRandom::current),
          new TrafficControl(vertx, initial));
      ListenAddress listen = initial.listen();
      // The first instance resolves port 0 to a real port; the others then share that port.
      GatewayVerticle first = new GatewayVerticle(services, listen);
      return vertx.deployVerticle(first).compose(id -> {
        int port = first.actualPort();
        if (instances <= 1) {
          return Future.succeededFuture(new Gateway(vertx, services, port));
        }
        ListenAddress shared = new ListenAddress(listen.host(), port);
        return vertx.deployVerticle(() -> new GatewayVerticle(services, shared),
                new DeploymentOptions().setInstances(instances - 1))
            .map(ids -> new Gateway(vertx, services, port));
      });
    });
  }

  /** Stops serving: undeploys every verticle instance and the echo backend. Requests in flight are cut. */
  public Future<Void> stop() {
    List<Future<Void>> undeployed = new ArrayList<>();
    for (String id : Set.copyOf(vertx.deploymentIDs())) {
      undeployed.add(vertx.undeploy(id));
    }
    return Future.join(undeployed).compose(v -> services.echo().stop());
  }

  public int port() {
    return port;
  }

  public GatewayServices services() {
    return services;
  }

  public Vertx vertx() {
    return vertx;
  }
}
