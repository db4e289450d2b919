package dev.llmproxy.ingress;

import dev.llmproxy.config.Alias;
import dev.llmproxy.config.Backend;
import dev.llmproxy.config.Route;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.Stage;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.routing.AliasResolver;
import dev.llmproxy.rules.RoutingRule;
import dev.llmproxy.rules.RoutingRules;
import dev.llmproxy.rules.RuleInput;
import dev.llmproxy.rules.SystemPromptText;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * Pipeline stage: {@code routing_rules:}, before the alias is looked up. The first rule whose conditions all
 * hold replaces the model the request is routed by with its {@code set_model} alias, and its name is recorded on
 * the request (access log, capture). A rule that sends a request to an alias none of whose routes speaks the
 * request's protocol is refused with an error naming the rule: protocol translation is not available.
 */
public final class ApplyRoutingRules implements Stage {

  @Override
  public String name() {
    return "routing-rules";
  }

  @Override
  public Future<Void> apply(RequestContext ctx) {
    Snapshot snapshot = ctx.snapshot();
    RoutingRules rules = snapshot.routingRules();
    if (rules.isEmpty()) {
      return Future.succeededFuture();
    }
    RuleInput input = new RuleInput(
        () -> SystemPromptText.of(ctx.body()),  // only built if a rule looks at the system prompt
        ctx.request()::getHeader,
        ctx.clientIp(),
        ctx.clientKey(),
        ctx.model());
    Optional<RoutingRule> match = rules.firstMatch(input);
    if (match.isEmpty()) {
      return Future.succeededFuture();
    }
    RoutingRule rule = match.get();
    ctx.routingRule(rule.name());
    ctx.model(rule.setModel());
    Alias target = snapshot.aliases().get(rule.setModel());
    if (target != null && target.routes().stream().noneMatch(r -> canServe(snapshot, r, ctx))) {
      return Future.failedFuture(ApiError.withParam(ErrorKind.UNSUPPORTED_PROTOCOL, "Routing rule \"" + rule.name()
          + "\" sent this " + ctx.protocol().id() + " request to model alias \"" + target.name()
          + "\", but none of its routes can serve " + ctx.request().path() + " (" + String.join("; ",
              target.routes().stream().map(r -> cannotServe(snapshot, r, ctx)).distinct().toList())
          + "). Point the rule at an alias with a route that can.", "model"));
    }
    return Future.succeededFuture();
  }

  private static boolean canServe(Snapshot snapshot, Route route, RequestContext ctx) {
    return cannotServe(snapshot, route, ctx) == null;
  }

  /** Natively or translated: the same test the alias' plan makes (a disabled backend is that plan's concern). */
  private static String cannotServe(Snapshot snapshot, Route route, RequestContext ctx) {
    Backend backend = snapshot.backends().get(route.backend());
    return backend == null ? "unknown backend " + route.backend()
        : AliasResolver.cannotServe(backend, ctx.endpoint());
  }
}
