package dev.llmproxy.ui;

import dev.llmproxy.ingress.ErrorResponses;
import dev.llmproxy.net.IpLiteral;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.protocol.Protocol;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The UI's door: decides for each request whether the caller may see the UI ({@link UiAccess}), runs the login
 * form and logout, and refuses cross-site form posts. Pages that need a login redirect to it; the JSON API
 * answers 401/403 in the OpenAI error shape instead.
 */
final class UiGate {

  static final String COOKIE = "llmproxy_ui";
  static final String LOGIN_PATH = WebUi.ROOT + "/login";
  private static final String REALM = "Basic realm=\"llm-proxy UI\", charset=\"UTF-8\"";

  private final Supplier<UiAccess> access;
  private final UiSessions sessions;

  UiGate(Supplier<UiAccess> access, UiSessions sessions) {
    this.access = access;
    this.sessions = sessions;
  }

  UiAccess access() {
    return access.get();
  }

  /** Whether the caller may use the UI; when not, the answer (redirect, 401, 403 or 404) has been sent. */
  boolean admit(RoutingContext rc, boolean api) {
    UiAccess a = access.get();
    if (!a.enabled()) {
      deny(rc, api, ApiError.of(ErrorKind.NOT_FOUND, "The web UI is off (ui.enabled: false)."));
      return false;
    }
    return switch (a.mode()) {
      case LOOPBACK -> admitLoopback(rc, api);
      case BASIC -> admitBasic(rc, api, a);
      case LOGIN -> admitSession(rc, api, a);
      case CLOSED -> {
        deny(rc, api, ApiError.of(ErrorKind.INVALID_REQUEST, "The web UI opens with ui.password or proxy_api_key, "
            + "and neither is set: client_keys are for proxied requests only. Set one of them to open it.")
            .withStatus(403));
        yield false;
      }
    };
  }

  /** Still admitted (a long-lived live feed re-checks: a logout or a key rotation ends it). */
  boolean stillAdmitted(RoutingContext rc) {
    UiAccess a = access.get();
    return a.enabled() && switch (a.mode()) {
      case LOOPBACK -> loopbackCaller(rc.request());
      case BASIC -> basicPasswordMatches(rc.request(), a);
      case LOGIN -> sessions.valid(cookie(rc), a.secret(), a.sessionTtl());
      case CLOSED -> false;
    };
  }

  private boolean admitLoopback(RoutingContext rc, boolean api) {
    if (loopbackCaller(rc.request())) {
      return true;
    }
    deny(rc, api, ApiError.of(ErrorKind.INVALID_REQUEST, "The web UI has no password and the proxy no key, so it "
        + "answers only on this machine (loopback, Host localhost or 127.0.0.1, not forwarded). Set ui.password "
        + "or proxy_api_key to open it to others.").withStatus(403));
    return false;
  }

  /**
   * A loopback peer that sent no forwarding header (a reverse proxy on this host would make any client look
   * local) and named a loopback host (a web page that rebinds its DNS name to 127.0.0.1 sends its own name).
   */
  static boolean loopbackCaller(HttpServerRequest request) {
    SocketAddress peer = request.remoteAddress();
    if (peer == null || peer.hostAddress() == null || !IpLiteral.isLoopback(peer.hostAddress())) {
      return false;
    }
    if (request.getHeader("X-Forwarded-For") != null || request.getHeader("Forwarded") != null) {
      return false;
    }
    // authority(): the Host header in HTTP/1.1, :authority in HTTP/2
    HostAndPort authority = request.authority();
    return authority != null && loopbackHost(authority.host());
  }

  /** Only IP literals and localhost names count: resolving a name would block the event loop and let DNS decide. */
  static boolean loopbackHost(String hostHeader) {
    String host = hostHeader.trim().toLowerCase(Locale.ROOT);
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      host = end < 0 ? host : host.substring(1, end);
    } else if (host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) {
      host = host.substring(0, host.indexOf(':'));
    }
    return host.equals("localhost") || host.endsWith(".localhost") || IpLiteral.isLoopback(host);
  }

  private boolean admitBasic(RoutingContext rc, boolean api, UiAccess a) {
    if (basicPasswordMatches(rc.request(), a)) {
      return true;
    }
    rc.response().putHeader("WWW-Authenticate", REALM);
    deny(rc, api, ApiError.of(ErrorKind.AUTHENTICATION, "The web UI needs the ui.password (HTTP basic auth)."));
    return false;
  }

  /** Any user name; the password compared in constant time. */
  private static boolean basicPasswordMatches(HttpServerRequest request, UiAccess a) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return false;
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return false;
    }
    int colon = decoded.indexOf(':');
    return colon >= 0 && a.secret().matches(decoded.substring(colon + 1));
  }

  private boolean admitSession(RoutingContext rc, boolean api, UiAccess a) {
    if (sessions.valid(cookie(rc), a.secret(), a.sessionTtl())) {
      return true;
    }
    if (api) {
      deny(rc, true, ApiError.of(ErrorKind.AUTHENTICATION, "Not logged in to the web UI (or the session expired): "
          + "log in at " + LOGIN_PATH + " with the proxy key."));
    } else {
      rc.response().setStatusCode(303).putHeader(HttpHeaders.LOCATION, LOGIN_PATH).end();
    }
    return false;
  }

  /** {@code POST /ui/login} with the form field {@code key}: a session cookie and off to the UI, or back. */
  void login(RoutingContext rc) {
    UiAccess a = access.get();
    if (!a.enabled() || a.mode() != UiAccess.Mode.LOGIN) {
      rc.response().setStatusCode(303).putHeader(HttpHeaders.LOCATION, WebUi.ROOT + "/").end();
      return;
    }
    if (!sameOrigin(rc.request())) {
      deny(rc, true, ApiError.of(ErrorKind.INVALID_REQUEST, "Cross-site form post refused.").withStatus(403));
      return;
    }
    String key = rc.request().getFormAttribute("key");
    if (key == null || !a.secret().matches(key.trim())) {
      rc.response().setStatusCode(303).putHeader(HttpHeaders.LOCATION, LOGIN_PATH + "?failed=1").end();
      return;
    }
    sessions.remove(cookie(rc));
    String token = sessions.create(a.secret());
    rc.response().addCookie(sessionCookie(token, a.sessionTtl().toSeconds(), rc.request().isSSL()));
    rc.response().setStatusCode(303).putHeader(HttpHeaders.LOCATION, WebUi.ROOT + "/").end();
  }

  /** {@code POST /ui/logout}: forgets the session, clears the cookie. */
  void logout(RoutingContext rc) {
    if (!sameOrigin(rc.request())) {
      deny(rc, true, ApiError.of(ErrorKind.INVALID_REQUEST, "Cross-site form post refused.").withStatus(403));
      return;
    }
    sessions.remove(cookie(rc));
    rc.response().addCookie(sessionCookie("", 0, rc.request().isSSL()));
    boolean login = access.get().mode() == UiAccess.Mode.LOGIN;
    rc.response().setStatusCode(303).putHeader(HttpHeaders.LOCATION, login ? LOGIN_PATH : WebUi.ROOT + "/").end();
  }

  /**
   * A state-changing request must come from our own pages. A browser names the page's origin in {@code Origin},
   * or sends {@code Origin: null} where a referrer policy hides it, and then still says where the request comes
   * from in {@code Sec-Fetch-Site} (which pages cannot set). A request with neither header is not from a browser,
   * so it is no cross-site forgery. The session cookie is also {@code SameSite=Strict}.
   */
  static boolean sameOrigin(HttpServerRequest request) {
    HostAndPort authority = request.authority();
    String host = authority == null ? null : authority.port() < 0 ? authority.host()
        : authority.host() + ":" + authority.port();
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    String site = request.getHeader("Sec-Fetch-Site");
    if (origin != null && !origin.equals("null")) {
      return host != null && (origin.equalsIgnoreCase("http://" + host) || origin.equalsIgnoreCase("https://" + host));
    }
    if (site != null) {
      return site.equals("same-origin") || site.equals("none");
    }
    return origin == null;
  }

  private static Cookie sessionCookie(String token, long maxAgeSeconds, boolean secure) {
    return Cookie.cookie(COOKIE, token).setPath(WebUi.ROOT).setHttpOnly(true).setSameSite(CookieSameSite.STRICT)
        .setSecure(secure).setMaxAge(maxAgeSeconds);
  }

  private static String cookie(RoutingContext rc) {
    Cookie c = rc.request().getCookie(COOKIE);
    return c == null || c.getValue().isEmpty() ? null : c.getValue();
  }

  private static void deny(RoutingContext rc, boolean api, ApiError error) {
    rc.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    if (api) {
      ErrorResponses.send(rc.response(), Protocol.OPENAI, error);
    } else {
      rc.response().setStatusCode(error.status()).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
          .end(error.getMessage() + "\n");
    }
  }
}
