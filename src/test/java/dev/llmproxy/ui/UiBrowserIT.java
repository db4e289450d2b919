package dev.llmproxy.ui;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.ClientStream;
import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.HeadlessChromium;
import dev.llmproxy.support.MockUpstream;
import dev.llmproxy.support.ScriptedModel;
import dev.llmproxy.support.ScriptedModel.Break;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
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
 * the tool call and the thinking block; a stream cut mid-answer and finished on a second route shows both legs and
 * where it broke; a request translated for an Anthropic route shows the body the route got and the answer the
 * OpenAI client read; the Overview draws its charts. No test leaves an error in the console.
 * Screenshots go to {@code -Dllmproxy.screenshots=DIR} (default {@code target/ui-screenshots}); docs/img has the
 * ones the README shows.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UiBrowserIT {

  static final String PROXY_KEY = "ui-browser-proxy-key-4242";
  static final String BACKEND_KEY = "sk-ant-uiBrowserBackendKey9999";
  static final Path SHOTS = Path.of(System.getProperty("llmproxy.screenshots", "target/ui-screenshots"));
  /** How long a page may take to show a state: a bound for a hang, generous for a loaded machine. */
  static final Duration WAIT = Duration.ofSeconds(30);

  /** The answer the recovered stream carries: its first route breaks after {@link #CUT} words. */
  static final String ANSWER = IntStream.rangeClosed(1, 24).mapToObj(i -> "w" + i).collect(Collectors.joining(" "))
      + ".";
  static final int CUT = 8;

  static Vertx vertx;
  static MockUpstream anthropic;
  static MockUpstream first;
  static MockUpstream second;
  static MockUpstream direct;
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
    first = MockUpstream.start(vertx, "first").always(ScriptedModel.openAi(ANSWER).breaking(CUT, Break.RESET));
    second = MockUpstream.start(vertx, "second").always(ScriptedModel.openAi(ANSWER));
    direct = MockUpstream.start(vertx, "direct").always(MockUpstream.chat("passed straight through"));
    gw = GatewayHarness.start(vertx, """
        listen: "127.0.0.1:0"
        proxy_api_key: "%s"
        proxy: {watch_interval: 0}
        backends:
          - {name: local, type: echo}
          - {name: an, url: "%s", api_key: "%s", protocol: anthropic}
          - {name: first, url: "%s", protocol: openai}
          - {name: second, url: "%s", protocol: openai}
          - {name: direct, url: "%s", protocol: openai, api_key: "sk-directBackendKey7777"}
        passthrough: {openai: direct}
        models:
          chat: [{backend: local, model: echo}]
          claude: {routes: [{backend: an, model: claude-real}], system_prompt: "Injected house rules."}
          steady: [{backend: first, model: m1, priority: 1}, {backend: second, model: m2, priority: 2}]
        fallback: {retry_same_route: 0}
        capture:
          directory: data
          store: {type: sqlite, path: data/requests.db}
        """.formatted(PROXY_KEY, anthropic.url(), BACKEND_KEY, first.url(), second.url(),
            direct.url()));
  }

  @AfterAll
  static void stop() {
    if (chrome != null) {
      chrome.close();
    }
    if (gw != null) {
      gw.close();
    }
    for (MockUpstream upstream : new MockUpstream[] {anthropic, first, second, direct}) {
      if (upstream != null) {
        upstream.close();
      }
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
    await().atMost(WAIT).until(() -> browser.getCurrentUrl().endsWith("/ui/login"));
    chrome.screenshot(SHOTS, "login");

    submitKey("not-the-key");
    await().atMost(WAIT).until(() -> browser.getCurrentUrl().endsWith("/ui/login?failed=1"));
    assertTrue(browser.findElement(By.id("failed")).isDisplayed(), "the page says the key was wrong");
    assertNull(browser.manage().getCookieNamed("llmproxy_ui"), "no session for a wrong key");
    browser.get(gw.baseUrl() + "/ui/");
    await().atMost(WAIT).until(() -> browser.getCurrentUrl().endsWith("/ui/login"));

    submitKey(PROXY_KEY);
    await().atMost(WAIT).until(() -> browser.getCurrentUrl().endsWith("/ui/"));
    Cookie session = browser.manage().getCookieNamed("llmproxy_ui");
    assertTrue(session.isHttpOnly(), "scripts cannot read the session");
    assertFalse(session.getValue().contains(PROXY_KEY), "the cookie is not the key");
    await().atMost(WAIT).until(() -> !browser.findElements(By.id("requests-page")).isEmpty());
  }

  @Test
  @Order(2)
  void aRequestArrivesOnTheRequestsPageOverTheLiveFeedWithoutAReload() {
    openRequestsPage();
    String marker = "browser-" + UUID.randomUUID();
    assertEquals(200, proxy("/v1/chat/completions", UiTraffic.chat("chat", "hello from the browser test"),
        "X-Session-ID", marker).statusCode());
    long sent = System.nanoTime();
    // openRequestsPage waited for the live feed, and the page polls only while the feed is down: the row can only
    // come over the feed. How fast is printed, not asserted (a loaded machine is no failure of the UI).
    await().atMost(WAIT).pollInterval(Duration.ofMillis(25))
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
    await().atMost(WAIT).until(() -> rows().size() >= 5);

    WebElement search = browser.findElement(By.id("q"));
    search.sendKeys(word);
    await().atMost(WAIT).until(() -> rows().size() == 1);
    String id = rows().get(0).getAttribute("data-id");
    JsonObject record = new JsonObject(apiGet("/ui/api/requests/" + id).body());
    assertEquals(traceId, record.getString("trace_id"), "the one row left is the marked request");
    assertTrue(browser.getCurrentUrl().contains("q=" + word), "the search is in the URL, to link to");

    search.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
    await().atMost(WAIT).until(() -> rows().size() >= 5);
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
    String id = await().atMost(WAIT).until(() -> {
      var rows = new JsonObject(apiGet("/ui/api/requests?trace_id=" + traceId).body()).getJsonArray("data");
      return rows.isEmpty() ? null : rows.getJsonObject(0).getString("id");
    }, v -> v != null);

    browser.get(gw.baseUrl() + "/ui/#/requests/" + id);
    WebElement systemPrompt = await().atMost(WAIT)
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
    await().atMost(WAIT).until(() -> thinking.findElement(By.tagName("pre")).isDisplayed());
    assertTrue(thinking.getText().contains("The user wants walruses; search first."), thinking.getText());

    WebElement earlierCall = browser.findElement(By.xpath(
        "//div[contains(@class,'tool_call')][.//code[text()='describe_image']]"));
    assertTrue(earlierCall.getText().contains("A grey walrus on an ice floe."), "a call is shown with its result");
    WebElement thumb = browser.findElement(By.cssSelector("img.thumb"));
    assertTrue(thumb.getAttribute("src").startsWith("data:image/png;base64,"), "images show as thumbnails");
    ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0)");
    chrome.screenshot(SHOTS, "conversation");

    String rawText = showRawJson();
    assertEquals(id, new JsonObject(rawText).getString("id"), "the raw view is the record");
    assertFalse(rawText.contains(BACKEND_KEY) || rawText.contains(PROXY_KEY), "never a key");
  }

  @Test
  @Order(5)
  void aRecoveredStreamShowsItsLegsAndWhereItBroke() {
    HttpResponse<String> streamed = proxy("/v1/chat/completions",
        "{\"model\":\"steady\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}");
    assertEquals(200, streamed.statusCode());
    assertEquals(ANSWER, ClientStream.of(streamed.body()).openAiText(), "recovered: the client read it all");
    String id = idOf(streamed);
    String delivered = String.join("", ScriptedModel.pieces(ANSWER).subList(0, CUT));

    openRequestsPage();
    WebElement row = await().atMost(WAIT).until(
        () -> browser.findElements(By.cssSelector("#requests tr[data-id='" + id + "']")), l -> !l.isEmpty()).get(0);
    assertTrue(row.findElement(By.cssSelector(".route")).getText().contains("first / m1 ⇢ second / m2"),
        "both legs in the list: " + row.getText());
    WebElement tag = row.findElement(By.cssSelector(".tag.recovered"));
    assertEquals("recovered", tag.getText());
    assertTrue(tag.getAttribute("title").contains("broke on first / m1 after " + delivered.length() + " characters"),
        tag.getAttribute("title"));

    browser.get(gw.baseUrl() + "/ui/#/requests/" + id);
    WebElement legs = await().atMost(WAIT)
        .until(() -> browser.findElements(By.id("legs")), l -> !l.isEmpty() && l.get(0).isDisplayed()).get(0);
    List<WebElement> items = legs.findElements(By.tagName("li"));
    assertEquals(2, items.size(), legs.getText());
    assertTrue(items.get(0).getText().contains("first / m1") && items.get(0).getText().contains("broke after "
        + delivered.length() + " characters"), items.get(0).getText());
    assertTrue(items.get(1).getText().contains("second / m2"), items.get(1).getText());
    items.get(1).findElement(By.cssSelector("details.continuation summary")).click();
    WebElement continuation = items.get(1).findElement(By.cssSelector("details.continuation pre"));
    await().atMost(WAIT).until(continuation::isDisplayed);
    assertTrue(continuation.getText().contains(delivered.strip()), "the prefill the second route got");
    items.get(1).findElement(By.cssSelector("details.continuation summary")).click();

    WebElement answer = browser.findElement(By.cssSelector("article.turn.response"));
    List<WebElement> blocks = answer.findElements(By.cssSelector(".block"));
    int mark = indexOf(blocks, "break");
    assertTrue(mark > 0, "a marker where the stream broke: " + answer.getText());
    assertEquals(delivered.strip(), blocks.get(mark - 1).getText().strip(),
        "the text before the marker is what the first route delivered");
    assertTrue(blocks.get(mark).getText().contains("continued on second / m2"), blocks.get(mark).getText());
    assertTrue(blocks.get(mark + 1).getText().startsWith(ANSWER.substring(delivered.length()).strip()),
        "the rest came from the second route: " + blocks.get(mark + 1).getText());
    ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0)");
    chrome.screenshot(SHOTS, "recovered");
  }

  @Test
  @Order(6)
  void aTranslatedRequestShowsTheBodyTheRouteGotAndTheAnswerTheClientRead() {
    String question = "Which walrus is largest? " + UUID.randomUUID();
    HttpResponse<String> streamed = proxy("/v1/chat/completions", new JsonObject().put("model", "claude")
        .put("stream", true).put("messages", new JsonArray()
            .add(new JsonObject().put("role", "system").put("content", "Answer briefly."))
            .add(new JsonObject().put("role", "user").put("content", "How heavy is a walrus?"))
            .add(new JsonObject().put("role", "assistant").put("content", (String) null).put("tool_calls",
                new JsonArray().add(new JsonObject().put("id", "call_w").put("type", "function").put("function",
                    new JsonObject().put("name", "lookup").put("arguments", "{\"q\":\"walrus weight\"}")))))
            .add(new JsonObject().put("role", "tool").put("tool_call_id", "call_w")
                .put("content", "Walruses weigh up to 1.5 t."))
            .add(new JsonObject().put("role", "user").put("content", question))).encode());
    assertEquals(200, streamed.statusCode());
    String id = idOf(streamed);

    openRequestsPage();
    WebElement row = await().atMost(WAIT).until(
        () -> browser.findElements(By.cssSelector("#requests tr[data-id='" + id + "']")), l -> !l.isEmpty()).get(0);
    assertEquals("OpenAI → Anthropic", row.findElement(By.cssSelector(".tag.translated")).getText());

    browser.get(gw.baseUrl() + "/ui/#/requests/" + id);
    WebElement note = await().atMost(WAIT)
        .until(() -> browser.findElements(By.id("translation-note")), l -> !l.isEmpty() && l.get(0).isDisplayed())
        .get(0);
    assertTrue(note.getText().contains("The client spoke OpenAI") && note.getText().contains("in Anthropic"),
        note.getText());
    chrome.screenshot(SHOTS, "translated");
    String system = browser.findElement(By.id("system-prompt")).getText();
    assertTrue(system.contains("Answer briefly.") && system.contains("Injected house rules."), system);
    List<WebElement> users = browser.findElements(By.cssSelector("article.turn.user"));
    assertTrue(users.get(users.size() - 1).getText().contains(question), "the user turn, from the Anthropic body");
    WebElement earlierCall = browser.findElement(By.xpath(
        "//article[not(contains(@class,'response'))]//div[contains(@class,'tool_call')][.//code[text()='lookup']]"));
    assertTrue(earlierCall.getText().contains("walrus weight") && earlierCall.getText()
        .contains("Walruses weigh up to 1.5 t."), "tool_use and tool_result blocks read as Anthropic's, paired: "
        + earlierCall.getText());
    WebElement answer = browser.findElement(By.cssSelector("article.turn.response"));
    WebElement toolCall = answer.findElement(By.cssSelector(".block.tool_call"));
    assertTrue(toolCall.getText().contains("search") && toolCall.getText().contains("walrus facts"),
        "the answer as the OpenAI client read it: " + answer.getText());
    JsonObject raw = new JsonObject(showRawJson());
    assertEquals("anthropic", raw.getString("route_protocol"));
    JsonObject sent = raw.getJsonObject("request").getJsonObject("body");
    assertNotNull(sent.getValue("system"), "the body the Anthropic route got: " + sent);
    assertTrue(sent.getJsonArray("messages").stream().noneMatch(m -> "system".equals(((JsonObject) m)
        .getString("role"))), "no system message in an Anthropic body: " + sent);
  }

  @Test
  @Order(7)
  void aResponsesApiConversationAndAPassedThroughRequestShowAsSuch() {
    String question = "And tomorrow? " + UUID.randomUUID();
    JsonArray input = new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", "What is the weather in Oslo?"))
        .add(new JsonObject().put("type", "function_call").put("call_id", "call_oslo").put("name", "get_weather")
            .put("arguments", "{\"city\":\"Oslo\"}"))
        .add(new JsonObject().put("type", "function_call_output").put("call_id", "call_oslo")
            .put("output", "cloudy, 4 degrees"))
        .add(new JsonObject().put("role", "user").put("content", new JsonArray()
            .add(new JsonObject().put("type", "input_text").put("text", question))));
    HttpResponse<String> responses = proxy("/v1/responses", new JsonObject().put("model", "chat")
        .put("instructions", "Be brief.").put("input", input).encode());
    assertEquals(200, responses.statusCode(), responses.body());
    String id = idOf(responses);

    browser.get(gw.baseUrl() + "/ui/#/requests/" + id);
    WebElement system = await().atMost(WAIT)
        .until(() -> browser.findElements(By.id("system-prompt")), l -> !l.isEmpty() && l.get(0).isDisplayed())
        .get(0);
    assertTrue(system.getText().contains("Be brief."), "instructions are the system prompt: " + system.getText());
    assertEquals("responses", browser.findElement(By.cssSelector(".summary .tag.endpoint")).getText());
    WebElement call = browser.findElement(
        By.xpath("//div[contains(@class,'tool_call')][.//code[text()='get_weather']]"));
    assertTrue(call.getText().contains("Oslo") && call.getText().contains("cloudy, 4 degrees"),
        "a function call shown with its output: " + call.getText());
    WebElement answer = browser.findElement(By.cssSelector("article.turn.response"));
    assertTrue(answer.getText().contains(question), "the echo's output message: " + answer.getText());
    assertTrue(answer.getText().contains("stop: completed"), answer.getText());

    HttpResponse<String> passed = proxy("/v1/chat/completions", UiTraffic.chat("not-an-alias", "pass me on"));
    assertEquals(200, passed.statusCode(), passed.body());
    assertEquals("not-an-alias", direct.last().json().getString("model"), "unchanged: no alias resolved it");
    String passedId = idOf(passed);
    openRequestsPage();
    WebElement row = await().atMost(WAIT).until(
        () -> browser.findElements(By.cssSelector("#requests tr[data-id='" + passedId + "']")), l -> !l.isEmpty())
        .get(0);
    assertTrue(row.findElement(By.cssSelector(".tag.passthrough")).isDisplayed(), row.getText());
    browser.get(gw.baseUrl() + "/ui/#/requests/" + passedId);
    WebElement note = await().atMost(WAIT)
        .until(() -> browser.findElements(By.id("passthrough-note")), l -> !l.isEmpty() && l.get(0).isDisplayed())
        .get(0);
    assertTrue(note.getText().contains("Passed through unchanged to direct"), note.getText());
  }

  @Test
  @Order(8)
  void overviewDrawsItsChartsAndRouteHealth() {
    browser.get(gw.baseUrl() + "/ui/#/overview");
    await().atMost(WAIT)
        .until(() -> browser.findElements(By.cssSelector("#charts .uplot canvas")).size() >= 6);
    await().atMost(WAIT)
        .until(() -> browser.findElements(By.cssSelector("#route-health tbody tr")).size() == 4);
    String routes = browser.findElement(By.id("route-health")).getText();
    assertTrue(routes.contains("an / claude-real") && routes.contains("ok"), routes);
    String config = browser.findElement(By.id("config-state")).getText();
    assertTrue(config.contains("version"), config);
    assertTrue(config.contains("client keys: default") && config.contains("passthrough: openai → direct"), config);
    chrome.screenshot(SHOTS, "overview");

    browser.get(gw.baseUrl() + "/ui/#/requests");
    await().atMost(WAIT).until(() -> rows().size() >= 10);
    chrome.screenshot(SHOTS, "requests");
  }

  /**
   * Switches the request page to its raw view and returns the record's JSON as shown: the view appears on the next
   * render after the click (x-show), and an element not displayed yet reads as "".
   */
  private String showRawJson() {
    browser.findElement(By.id("toggle-raw")).click();
    WebElement raw = browser.findElement(By.id("raw-json"));
    return await().atMost(WAIT).until(() -> raw.isDisplayed() ? raw.getText() : "", text -> !text.isBlank());
  }

  /** The id of the captured request a proxied answer came from, once its record is stored. */
  private static String idOf(HttpResponse<String> answer) {
    String traceId = answer.headers().firstValue("X-Trace-ID").orElseThrow();
    return await().atMost(WAIT).until(() -> {
      var rows = new JsonObject(apiGet("/ui/api/requests?trace_id=" + traceId).body()).getJsonArray("data");
      return rows.isEmpty() ? null : rows.getJsonObject(0).getString("id");
    }, v -> v != null);
  }

  private static int indexOf(List<WebElement> blocks, String kind) {
    for (int i = 0; i < blocks.size(); i++) {
      if (blocks.get(i).getAttribute("class").contains(kind)) {
        return i;
      }
    }
    return -1;
  }

  private void openRequestsPage() {
    browser.get(gw.baseUrl() + "/ui/#/requests");
    await().atMost(WAIT).until(() -> browser.findElement(By.id("live-state")).getText()
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
