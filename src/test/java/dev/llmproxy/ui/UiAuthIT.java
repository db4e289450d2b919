package dev.llmproxy.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Who may open the UI, through the real port: loopback only without a key or password (and not for a forwarded
 * request or a foreign Host name); the login form with the proxy key (an HttpOnly, SameSite=Strict session, not
 * the key; refused for a wrong key and for a cross-site post; ended by logout and by a key rotation); HTTP basic
 * auth with ui.password; never a client key (closed with client keys alone); off with ui.enabled: false. No answer
 * under /ui carries a secret.
 */
@ExtendWith(VertxExtension.class)
class UiAuthIT {

  static final String KEY = "ui-auth-proxy-key-31337";
  static final String BACKEND_KEY = "sk-ant-uiAuthBackendKey5555";
  static final String PASSWORD = "ui-auth-password-2718";
  static final String CLIENT_KEY = "ui-auth-client-key-team-a-1618";

  private GatewayHarness gw;

  private void start(Vertx vertx, String extra) {
    gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        proxy: {watch_interval: 100ms}
        backends:
          - {name: local, type: echo}
          - {name: an, url: "http://127.0.0.1:9", api_key: "%s", protocol: anthropic}
        models:
          chat: [{backend: local, model: echo}]
        capture:
          directory: data
          store: {type: sqlite, path: data/requests.db}
        %s
        """.formatted(BACKEND_KEY, extra));
  }

  @AfterEach
  void stop() {
    if (gw != null) {
      gw.close();
    }
  }

  @Test
  void withoutKeyOrPasswordOnlyLoopbackCallersNamingALoopbackHost(Vertx vertx) {
    start(vertx, "");
    assertEquals(200, gw.get("/ui/").statusCode());
    assertEquals(200, gw.get("/ui/api/requests").statusCode());
    assertEquals(200, gw.get("/ui/api/requests", "Host", "localhost:" + gw.gateway().port()).statusCode());

    HttpResponse<String> rebound = gw.get("/ui/api/requests", "Host", "attacker.example:" + gw.gateway().port());
    assertEquals(403, rebound.statusCode(), "a page whose DNS name points at 127.0.0.1 is refused");
    assertTrue(rebound.body().contains("ui.password"), rebound.body());
    assertEquals(403, gw.get("/ui/", "X-Forwarded-For", "203.0.113.7").statusCode(),
        "a reverse proxy on this machine would make any client look local");
    assertEquals(403, gw.get("/ui/api/status", "Forwarded", "for=203.0.113.7").statusCode());
    assertEquals(303, gw.get("/ui/login").statusCode(), "no login form without a key");
  }

  @Test
  void theLoginFormTradesTheProxyKeyForAnHttpOnlySession(Vertx vertx) {
    start(vertx, "proxy_api_key: \"" + KEY + "\"");
    HttpResponse<String> page = gw.get("/ui/");
    assertEquals(303, page.statusCode());
    assertEquals("/ui/login", page.headers().firstValue("Location").orElseThrow());
    HttpResponse<String> api = gw.get("/ui/api/requests");
    assertEquals(401, api.statusCode());
    assertEquals("invalid_api_key", new JsonObject(api.body()).getJsonObject("error").getString("code"));
    assertEquals(401, gw.get("/ui/api/requests", "Authorization", "Bearer " + KEY).statusCode(),
        "the UI's API takes its session, not the key in a header (that is /admin/requests)");
    assertEquals(200, gw.get("/ui/login").statusCode());

    HttpResponse<String> wrong = login("wrong-key", "http://127.0.0.1:" + gw.gateway().port());
    assertEquals(303, wrong.statusCode());
    assertEquals("/ui/login?failed=1", wrong.headers().firstValue("Location").orElseThrow());
    assertTrue(wrong.headers().allValues("Set-Cookie").isEmpty());

    HttpResponse<String> crossSite = login(KEY, "https://evil.example");
    assertEquals(403, crossSite.statusCode(), "a form on another site cannot log a browser in");
    assertTrue(crossSite.headers().allValues("Set-Cookie").isEmpty());

    HttpResponse<String> ok = login(KEY, "http://127.0.0.1:" + gw.gateway().port());
    assertEquals(303, ok.statusCode());
    assertEquals("/ui/", ok.headers().firstValue("Location").orElseThrow());
    String setCookie = ok.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(setCookie.startsWith("llmproxy_ui="), setCookie);
    for (String attribute : List.of("httponly", "samesite=strict", "path=/ui", "max-age=43200")) {
      assertTrue(setCookie.toLowerCase(java.util.Locale.ROOT).contains(attribute), setCookie + " lacks " + attribute);
    }
    assertFalse(setCookie.contains(KEY), "the cookie is a random session id, not the key");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    assertEquals(200, gw.get("/ui/", "Cookie", cookie).statusCode());
    assertEquals(200, gw.get("/ui/api/requests", "Cookie", cookie).statusCode());
    assertEquals("login", new JsonObject(gw.get("/ui/api/status", "Cookie", cookie).body()).getString("auth"));
    assertEquals(401, gw.get("/ui/api/requests", "Cookie", "llmproxy_ui=forged-session-id").statusCode());

    HttpResponse<String> logout = gw.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/ui/logout"))
        .header("Cookie", cookie).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(303, logout.statusCode());
    assertEquals(401, gw.get("/ui/api/requests", "Cookie", cookie).statusCode(), "logout ends the session");
  }

  @Test
  void aNewProxyKeyEndsEverySessionMadeWithTheOldOne(Vertx vertx) {
    start(vertx, "proxy_api_key: \"" + KEY + "\"");
    String cookie = sessionCookie(login(KEY, null));
    assertEquals(200, gw.get("/ui/api/requests", "Cookie", cookie).statusCode());
    String yaml = read("config.yaml").replace(KEY, KEY + "-rotated");
    assertTrue(gw.rewriteConfig(yaml).applied());
    assertEquals(401, gw.get("/ui/api/requests", "Cookie", cookie).statusCode());
    assertEquals(200, gw.get("/ui/api/requests", "Cookie", sessionCookie(login(KEY + "-rotated", null)))
        .statusCode());
  }

  @Test
  void uiPasswordMeansBasicAuthWithAnyUserName(Vertx vertx) {
    start(vertx, "proxy_api_key: \"" + KEY + "\"\nui: {password: \"" + PASSWORD + "\"}");
    HttpResponse<String> challenge = gw.get("/ui/");
    assertEquals(401, challenge.statusCode());
    assertTrue(challenge.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Basic realm="));
    assertEquals(401, gw.get("/ui/api/requests", "Authorization", basic("admin", "nope")).statusCode());
    assertEquals(401, gw.get("/ui/api/requests", "Authorization", basic("admin", KEY)).statusCode(),
        "with a password, the proxy key does not open the UI");
    assertEquals(200, gw.get("/ui/", "Authorization", basic("admin", PASSWORD)).statusCode());
    assertEquals(200, gw.get("/ui/api/requests", "Authorization", basic("anyone", PASSWORD)).statusCode());
    assertEquals("basic", new JsonObject(gw.get("/ui/api/status", "Authorization", basic("a", PASSWORD)).body())
        .getString("auth"));
  }

  /**
   * A client key (client_keys) is for proxied requests: it opens nothing in the UI, in any way a browser or a
   * script could present it, as it opens nothing under /admin. The UI shows its name on the requests it sent.
   */
  @Test
  void aClientKeyOpensNothingInTheUi(Vertx vertx) {
    start(vertx, "proxy_api_key: \"" + KEY + "\"\nclient_keys: {team-a: \"" + CLIENT_KEY + "\"}");
    String origin = "http://127.0.0.1:" + gw.gateway().port();
    HttpResponse<String> login = login(CLIENT_KEY, origin);
    assertEquals("/ui/login?failed=1", login.headers().firstValue("Location").orElseThrow(), "refused at the form");
    assertTrue(login.headers().allValues("Set-Cookie").isEmpty());
    assertEquals(401, gw.get("/ui/api/requests", "Authorization", "Bearer " + CLIENT_KEY).statusCode());
    assertEquals(401, gw.get("/ui/api/requests", "x-api-key", CLIENT_KEY).statusCode());
    assertEquals(401, gw.get("/ui/api/requests", "Authorization", basic("team-a", CLIENT_KEY)).statusCode());
    assertEquals(303, gw.get("/ui/", "Authorization", "Bearer " + CLIENT_KEY).statusCode(), "to the login form");
    assertEquals(401, gw.get("/admin/requests", "Authorization", "Bearer " + CLIENT_KEY).statusCode(),
        "consistent with the admin API");

    HttpResponse<String> proxied = gw.post("/v1/chat/completions", UiTraffic.chat("chat", "sent by team a"),
        "Authorization", "Bearer " + CLIENT_KEY);
    assertEquals(200, proxied.statusCode(), "the key does what it is for");
    String cookie = sessionCookie(login(KEY, origin));
    JsonObject row = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> {
      var rows = new JsonObject(gw.get("/ui/api/requests", "Cookie", cookie).body()).getJsonArray("data");
      return rows.isEmpty() ? null : rows.getJsonObject(0);
    }, v -> v != null);
    assertEquals("team-a", row.getString("client_key"), "the UI names the key that sent a request");
    HttpResponse<String> status = gw.get("/ui/api/status", "Cookie", cookie);
    assertEquals(List.of("default", "team-a"),
        new JsonObject(status.body()).getJsonObject("clients").getJsonArray("keys").getList());
    for (String body : List.of(status.body(), gw.get("/ui/api/requests/" + row.getString("id"), "Cookie", cookie)
        .body(), gw.get("/ui/api/requests", "Cookie", cookie).body())) {
      assertFalse(body.contains(CLIENT_KEY), "a client key is never served: " + body);
    }
  }

  /**
   * Client keys and neither proxy_api_key nor ui.password: nobody may open the UI, not even on this machine (a
   * client key holder must not read every client's traffic); ui.password opens it.
   */
  @Test
  void withClientKeysOnlyTheUiIsClosedUntilItHasAPassword(Vertx vertx) {
    start(vertx, "client_keys: {team-a: \"" + CLIENT_KEY + "\"}");
    HttpResponse<String> page = gw.get("/ui/");
    assertEquals(403, page.statusCode(), "closed even to a loopback caller");
    assertTrue(page.body().contains("ui.password"), page.body());
    HttpResponse<String> api = gw.get("/ui/api/requests", "Authorization", "Bearer " + CLIENT_KEY);
    assertEquals(403, api.statusCode());
    assertEquals("invalid_request_error", new JsonObject(api.body()).getJsonObject("error").getString("type"));
    assertEquals(403, gw.get("/ui/api/live").statusCode());
    assertEquals(303, gw.get("/ui/login").statusCode(), "no login form: there is no key it would take");
    assertEquals(401, gw.get("/admin/requests", "Authorization", "Bearer " + CLIENT_KEY).statusCode());

    String yaml = read("config.yaml") + "ui: {password: \"" + PASSWORD + "\"}\n";
    assertTrue(gw.rewriteConfig(yaml).applied());
    assertEquals(200, gw.get("/ui/api/requests", "Authorization", basic("me", PASSWORD)).statusCode());
    assertEquals(401, gw.get("/ui/api/requests", "Authorization", basic("me", CLIENT_KEY)).statusCode());
  }

  @Test
  void uiEnabledFalseServesNothingUnderUi(Vertx vertx) {
    start(vertx, "ui: {enabled: false}");
    assertEquals(404, gw.get("/ui/").statusCode());
    assertEquals(404, gw.get("/ui/api/requests").statusCode());
    assertEquals(404, gw.get("/ui/app/main.js").statusCode());
    assertEquals(404, gw.get("/ui/vendor/uplot/1.6.30/dist/uPlot.esm.js").statusCode());
    assertEquals(200, gw.post("/v1/chat/completions", UiTraffic.chat("chat", "still proxying")).statusCode());
  }

  @Test
  void noAnswerUnderUiCarriesASecret(Vertx vertx) {
    start(vertx, "proxy_api_key: \"" + KEY + "\"");
    String cookie = sessionCookie(login(KEY, null));
    assertEquals(200, gw.post("/v1/chat/completions", UiTraffic.chat("chat", "my key is " + KEY + " and "
        + BACKEND_KEY), "Authorization", "Bearer " + KEY, "x-api-key", KEY).statusCode());
    String id = awaitFirstId(cookie);
    List<String> bodies = new ArrayList<>();
    for (String path : List.of("/ui/", "/ui/login", "/ui/api/status", "/ui/api/requests", "/ui/api/requests/" + id,
        "/ui/api/sessions", "/ui/api/stats", "/ui/api/series?window=1h", "/ui/app/main.js")) {
      HttpResponse<String> r = gw.get(path, "Cookie", cookie);
      assertEquals(200, r.statusCode(), path);
      bodies.add(r.body());
      r.headers().map().values().forEach(v -> bodies.add(String.join(",", v)));
    }
    for (String body : bodies) {
      assertFalse(body.contains(KEY), "the proxy key is served: " + body);
      assertFalse(body.contains(BACKEND_KEY), "a backend key is served: " + body);
    }
  }

  private String awaitFirstId(String cookie) {
    return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> {
      var rows = new JsonObject(gw.get("/ui/api/requests", "Cookie", cookie).body()).getJsonArray("data");
      return rows.isEmpty() ? null : rows.getJsonObject(0).getString("id");
    }, v -> v != null);
  }

  private HttpResponse<String> login(String key, String origin) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/ui/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("key=" + java.net.URLEncoder.encode(key, StandardCharsets.UTF_8)));
    if (origin != null) {
      b.header("Origin", origin);
    }
    return gw.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String sessionCookie(HttpResponse<String> login) {
    String setCookie = login.headers().firstValue("Set-Cookie").orElse(null);
    assertNotNull(setCookie, "logged in: " + login.statusCode() + " " + login.headers().map());
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private String read(String relative) {
    try {
      return java.nio.file.Files.readString(gw.dir().resolve(relative));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
