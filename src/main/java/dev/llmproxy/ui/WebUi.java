package dev.llmproxy.ui;

import dev.llmproxy.capture.Capture;
import dev.llmproxy.capture.store.RequestStore;
import dev.llmproxy.config.ConfigWatcher;
import dev.llmproxy.config.SnapshotHolder;
import dev.llmproxy.fallback.CooldownRegistry;
import dev.llmproxy.lifecycle.Drain;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The web UI at {@code /ui/} (docs/ui.md): its pages, their assets and WebJar libraries from the jar, the login
 * form, and the JSON API the pages read. One instance is shared by every event loop's router (its login sessions
 * and live-feed count are process-wide); {@link #mount} adds its routes to one router.
 *
 * <p>Every answer under {@code /ui} carries a Content-Security-Policy that allows scripts, styles, images and
 * connections from this origin only (captured prompts are shown as text, and even injected markup could not load
 * or send anything elsewhere) and forbids framing. Alpine.js evaluates its directive expressions with
 * {@code new Function}, hence {@code 'unsafe-eval'}; there is no inline script.
 */
public final class WebUi {

  public static final String ROOT = "/ui";
  static final String ASSETS = "META-INF/llm-proxy-ui";
  static final String WEBJARS = "META-INF/resources/webjars";
  static final String CSP = "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self'; "
      + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
      + "form-action 'self'";
  /** WebJar paths carry their version, so a file under one never changes. */
  static final int VENDOR_MAX_AGE_SECONDS = 365 * 24 * 3600;

  private final UiGate gate;
  private final UiApi api;
  private final LiveFeed live;
  private final Buffer indexPage;
  private final Buffer loginPage;

  private WebUi(Supplier<UiAccess> access, Optional<RequestStore> store, LiveState state, Clock clock) {
    this.gate = new UiGate(access, new UiSessions(clock));
    this.api = new UiApi(gate, store, state, clock);
    this.live = new LiveFeed(gate);
    // Read once at start, so serving a page never reads the jar on an event loop.
    this.indexPage = resource(ASSETS + "/index.html");
    this.loginPage = resource(ASSETS + "/login.html");
  }

  /** The UI of a running gateway: access follows the live config; the Overview shows the gateway's state. */
  public static WebUi forGateway(SnapshotHolder snapshots, ConfigWatcher watcher, CooldownRegistry cooldowns,
      Capture capture, Drain drain, Clock clock) {
    return new WebUi(() -> UiAccess.of(snapshots.current()), capture.store(),
        new GatewayState(snapshots, watcher, cooldowns, capture, drain), clock);
  }

  /** The explorer's UI ({@code --explore}): loopback only, over {@code store}, with nothing live. */
  public static WebUi forExplorer(RequestStore store, String source, Clock clock) {
    LiveState state = () -> new JsonObject().put("mode", "explore").put("source", source);
    return new WebUi(UiAccess::loopbackOnly, Optional.of(store), state, clock);
  }

  public void mount(Router router, Vertx vertx) {
    router.route(ROOT + "*").handler(WebUi::securityHeaders);
    // Vert.x matches /ui and /ui/ alike: only the bare one is redirected.
    router.get(ROOT).handler(rc -> {
      if (rc.request().path().equals(ROOT)) {
        redirect(rc, ROOT + "/");
      } else {
        rc.next();
      }
    });
    router.get(ROOT + "/vendor/*").handler(this::enabledOnly).handler(StaticHandler.create(WEBJARS)
        .setCachingEnabled(true).setMaxAgeSeconds(VENDOR_MAX_AGE_SECONDS).setDirectoryListing(false));
    // The pages' own scripts and styles change with every release under the same name: the browser keeps them
    // but asks each time (Last-Modified / If-Modified-Since, answered 304 when unchanged).
    router.get(ROOT + "/app/*").handler(this::enabledOnly).handler(rc -> {
      rc.addHeadersEndHandler(v -> rc.response().headers().set(HttpHeaders.CACHE_CONTROL, "no-cache"));
      rc.next();
    }).handler(StaticHandler.create(ASSETS + "/app").setCachingEnabled(true).setDirectoryListing(false));
    router.get(UiGate.LOGIN_PATH).handler(this::loginPage);
    router.post(UiGate.LOGIN_PATH).handler(BodyHandler.create(false).setBodyLimit(4096)).handler(gate::login);
    router.post(ROOT + "/logout").handler(gate::logout);
    router.get(UiApi.PREFIX + "/live").handler(rc -> live.handle(rc, vertx));
    api.mount(router, vertx);
    router.get(ROOT + "/").handler(rc -> {
      if (gate.admit(rc, false)) {
        html(rc, indexPage);
      }
    });
    router.route(ROOT + "/*").handler(rc -> rc.response().setStatusCode(404)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8").end("Not found: " + rc.request().path()
            + "\n"));
  }

  private void enabledOnly(RoutingContext rc) {
    if (gate.access().enabled()) {
      rc.next();
    } else {
      rc.response().setStatusCode(404).end();
    }
  }

  private void loginPage(RoutingContext rc) {
    UiAccess access = gate.access();
    if (!access.enabled()) {
      gate.admit(rc, false);  // answers 404
    } else if (access.mode() != UiAccess.Mode.LOGIN) {
      redirect(rc, ROOT + "/");
    } else {
      html(rc, loginPage);
    }
  }

  private static void securityHeaders(RoutingContext rc) {
    rc.response()
        .putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("X-Content-Type-Options", "nosniff")
        // Not no-referrer: with it, browsers send "Origin: null" on our own form posts (see UiGate.sameOrigin).
        .putHeader("Referrer-Policy", "same-origin");
    rc.next();
  }

  private static void html(RoutingContext rc, Buffer page) {
    rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(page);
  }

  private static void redirect(RoutingContext rc, String location) {
    rc.response().setStatusCode(303).putHeader(HttpHeaders.LOCATION, location).end();
  }

  private static Buffer resource(String name) {
    try (InputStream in = WebUi.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the jar lacks " + name);
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
