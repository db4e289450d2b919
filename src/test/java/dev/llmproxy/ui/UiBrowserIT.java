package dev.llmproxy.ui;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.HeadlessChromium;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;

/**
 * The web UI in a real browser (Debian's headless Chromium, one for the whole class) against a real gateway with
 * capture on and a proxy key: the login refuses a wrong key; a request sent a moment ago shows on the Requests page
 * within 2 s; search narrows the list; the conversation view of a captured Anthropic stream shows the system prompt,
 * the tool call and the thinking block; the Overview draws its charts. No test leaves an error in the console.
 * Screenshots go to {@code -Dllmproxy.screenshots=DIR} (default {@code target/ui-screenshots}); docs/img has the
 * ones the README shows.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UiBrowserIT {

  static final String PROXY_KEY = "ui-browser-proxy-key-4242";
  static final String BACKEND_KEY = "sk-ant-uiBrowserBackendKey9999";
  static final Path SHOTS = Path.of(System.getProperty("llmproxy.screenshots", "target/ui-screenshots"));

  static Vertx vertx;
  static MockUpstream anthropic;
  static GatewayHarness gw;
  static HeadlessChromium chrome;
  static WebDriver browser;

  @BeforeAll
  static void start() {
    chrome = HeadlessChromium.start();
    browser = chrome.driver();
    vertx = Vertx.vertx();
    anthropic = MockUpstream.start(vertx, "an")
        .always(MockUpstream.sse(UiTraffic.anthropicToolStream(), Duration.ZERO, true));
    gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        proxy_api_key: "%s"
        proxy: {watch_interval: 0}
        backends:
          - {name: local, type: echo}
          - {name: an, url: "%s", api_key: "%s", protocol: anthropic}
        models:
          chat: [{backend: local, model: echo}]
          claude: {routes: [{backend: an, model: claude-real}], system_prompt: "Injected house rules."}
        capture:
          directory: data
          store: {type: sqlite, path: data/requests.db}
        """.formatted(PROXY_KEY, anthropic.url(), BACKEND_KEY));
  }

  @AfterAll
  static void stop() {
    if (chrome != null) {
      chrome.close();
    }
    if (gw != null) {
      gw.close();
    }
    if (anthropic != null) {
      anthropic.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @AfterEach
  void noConsoleErrors() {
    List<LogEntry> errors = chrome.console().stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .toList();
    assertTrue(errors.isEmpty(), "console errors: " + errors);
  }

  @Test
  @Order(1)
  void loginRefusesAWrongKeyAndAdmitsTheProxyKey() {
    browser.manage().deleteAllCookies();
    browser.get(gw.baseUrl() + "/ui/");
    await().atMost(Duration.ofSeconds(5)).until(() -> browser.getCurrentUrl().endsWith("/ui/login"));
    chrome.screenshot(SHOTS, "login");

    submitKey("not-the-key");
    await().atMost(Duration.ofSeconds(5)).until(() -> browser.getCurrentUrl().endsWith("/ui/login?failed=1"));
    assertTrue(browser.findElement(By.id("failed")).isDisplayed(), "the page says the key was wrong");
    assertNull(browser.manage().getCookieNamed("llmproxy_ui"), "no session for a wrong key");
    browser.get(gw.baseUrl() + "/ui/");
    await().atMost(Duration.ofSeconds(5)).until(() -> browser.getCurrentUrl().endsWith("/ui/login"));

    submitKey(PROXY_KEY);
    await().atMost(Duration.ofSeconds(5)).until(() -> browser.getCurrentUrl().endsWith("/ui/"));
    Cookie session = browser.manage().getCookieNamed("llmproxy_ui");
    assertTrue(session.isHttpOnly(), "scripts cannot read the session");
    assertFalse(session.getValue().contains(PROXY_KEY), "the cookie is not the key");
    await().atMost(Duration.ofSeconds(5)).until(() -> !browser.findElements(By.id("requests-page")).isEmpty());
  }

  @Test
  @Order(2)
  void requestsPageShowsARequestSentAMomentAgoWithinTwoSeconds() {
    openRequestsPage();
    String marker = "browser-" + UUID.randomUUID();
    assertEquals(200, proxy("/v1/chat/completions", UiTraffic.chat("chat", "hello from the browser test"),
        "X-Session-ID", marker).statusCode());
    long sent = System.nanoTime();
    await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(25))
        .until(() -> !browser.findElements(By.cssSelector("#requests a[title='" + marker + "']")).isEmpty());
    long shownMs = (System.nanoTime() - sent) / 1_000_000;
    System.out.println("UiBrowserIT: the request showed on the Requests page " + shownMs + " ms after its answer");
  }

  @Test
  @Order(3)
  void searchNarrowsTheListToTheRequestWithTheMarker() {
    String word = "zebra" + UUID.randomUUID().toString().replace("-", "");
    for (int i = 0; i < 3; i++) {
      assertEquals(200, proxy("/v1/chat/completions", UiTraffic.chat("chat", "an ordinary question " + i))
          .statusCode());
    }
    HttpResponse<String> marked = proxy("/v1/chat/completions", UiTraffic.chat("chat", "a question about " + word));
    assertEquals(200, marked.statusCode());
    String traceId = marked.headers().firstValue("X-Trace-ID").orElseThrow();
    openRequestsPage();
    await().atMost(Duration.ofSeconds(5)).until(() -> rows().size() >= 5);

    WebElement search = browser.findElement(By.id("q"));
    search.sendKeys(word);
    await().atMost(Duration.ofSeconds(5)).until(() -> rows().size() == 1);
    String id = rows().get(0).getAttribute("data-id");
    JsonObject record = new JsonObject(apiGet("/ui/api/requests/" + id).body());
    assertEquals(traceId, record.getString("trace_id"), "the one row left is the marked request");
    assertTrue(browser.getCurrentUrl().contains("q=" + word), "the search is in the URL, to link to");

    search.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
    await().atMost(Duration.ofSeconds(5)).until(() -> rows().size() >= 5);
  }

  @Test
  @Order(4)
  void conversationShowsTheSystemPromptTheToolCallAndTheThinkingBlock() {
    String system = "You are a careful librarian " + UUID.randomUUID();
    HttpResponse<String> streamed = proxy("/v1/messages",
        UiTraffic.anthropicAgentTurn("claude", system, "And how heavy do they get?"),
        "anthropic-version", "2023-06-01");
    assertEquals(200, streamed.statusCode());
    String traceId = streamed.headers().firstValue("X-Trace-ID").orElseThrow();
    String id = await().atMost(Duration.ofSeconds(5)).until(() -> {
      var rows = new JsonObject(apiGet("/ui/api/requests?trace_id=" + traceId).body()).getJsonArray("data");
      return rows.isEmpty() ? null : rows.getJsonObject(0).getString("id");
    }, v -> v != null);

    browser.get(gw.baseUrl() + "/ui/#/requests/" + id);
    WebElement systemPrompt = await().atMost(Duration.ofSeconds(5))
        .until(() -> browser.findElements(By.id("system-prompt")), l -> !l.isEmpty() && l.get(0).isDisplayed())
        .get(0);
    assertTrue(systemPrompt.getText().contains(system), systemPrompt.getText());
    assertTrue(systemPrompt.getText().contains("Injected house rules."), "the prompt the proxy injected shows too");

    WebElement answer = browser.findElement(By.cssSelector("article.turn.response"));
    WebElement toolCall = answer.findElement(By.cssSelector(".block.tool_call"));
    assertTrue(toolCall.getText().contains("search"), toolCall.getText());
    assertTrue(toolCall.getText().contains("walrus facts"), "the arguments joined from the stream");
    WebElement thinking = answer.findElement(By.cssSelector("details.thinking"));
    assertNull(thinking.getAttribute("open"), "thinking starts collapsed");
    assertFalse(thinking.findElement(By.tagName("pre")).isDisplayed());
    thinking.findElement(By.tagName("summary")).click();
    await().atMost(Duration.ofSeconds(2)).until(() -> thinking.findElement(By.tagName("pre")).isDisplayed());
    assertTrue(thinking.getText().contains("The user wants walruses; search first."), thinking.getText());

    WebElement earlierCall = browser.findElement(By.xpath(
        "//div[contains(@class,'tool_call')][.//code[text()='describe_image']]"));
    assertTrue(earlierCall.getText().contains("A grey walrus on an ice floe."), "a call is shown with its result");
    WebElement thumb = browser.findElement(By.cssSelector("img.thumb"));
    assertTrue(thumb.getAttribute("src").startsWith("data:image/png;base64,"), "images show as thumbnails");
    ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0)");
    chrome.screenshot(SHOTS, "conversation");

    browser.findElement(By.id("toggle-raw")).click();
    WebElement raw = browser.findElement(By.id("raw-json"));
    await().atMost(Duration.ofSeconds(2)).until(raw::isDisplayed);
    assertEquals(id, new JsonObject(raw.getText()).getString("id"), "the raw view is the record");
    assertFalse(raw.getText().contains(BACKEND_KEY) || raw.getText().contains(PROXY_KEY), "never a key");
  }

  @Test
  @Order(5)
  void overviewDrawsItsChartsAndRouteHealth() {
    browser.get(gw.baseUrl() + "/ui/#/overview");
    await().atMost(Duration.ofSeconds(5))
        .until(() -> browser.findElements(By.cssSelector("#charts .uplot canvas")).size() >= 6);
    await().atMost(Duration.ofSeconds(5))
        .until(() -> browser.findElements(By.cssSelector("#route-health tbody tr")).size() == 2);
    String routes = browser.findElement(By.id("route-health")).getText();
    assertTrue(routes.contains("an / claude-real") && routes.contains("ok"), routes);
    String config = browser.findElement(By.id("config-state")).getText();
    assertTrue(config.contains("version"), config);
    chrome.screenshot(SHOTS, "overview");

    browser.get(gw.baseUrl() + "/ui/#/requests");
    await().atMost(Duration.ofSeconds(5)).until(() -> rows().size() >= 6);
    chrome.screenshot(SHOTS, "requests");
  }

  private void openRequestsPage() {
    browser.get(gw.baseUrl() + "/ui/#/requests");
    await().atMost(Duration.ofSeconds(5)).until(() -> browser.findElement(By.id("live-state")).getText()
        .contains("live") && !browser.findElement(By.id("live-state")).getText().contains("offline"));
  }

  private List<WebElement> rows() {
    return browser.findElements(By.cssSelector("#requests tbody tr.request-row"));
  }

  private void submitKey(String key) {
    WebElement input = browser.findElement(By.id("key"));
    input.clear();
    input.sendKeys(key);
    browser.findElement(By.id("login")).click();
  }

  private static HttpResponse<String> proxy(String path, String body, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "Authorization";
    all[1] = "Bearer " + PROXY_KEY;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return gw.post(path, body, all);
  }

  /** The UI's API with the browser's own session cookie. */
  private static HttpResponse<String> apiGet(String path) {
    Cookie session = browser.manage().getCookieNamed("llmproxy_ui");
    return gw.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + path))
        .header("Cookie", "llmproxy_ui=" + session.getValue()).GET().build(), HttpResponse.BodyHandlers.ofString());
  }
}
