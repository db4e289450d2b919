package dev.llmproxy.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless Chromium driven by Selenium through the system chromedriver: a real browser for the web UI's
 * tests. Nothing is downloaded (the driver and browser paths are given, so Selenium Manager never runs). Start one
 * per test class and share it: a browser takes a second or two to start. Skips the test where Chromium is not
 * installed, except in CI ({@code CI=true}), where that is a failure: {@code .ci/run} installs it.
 */
public final class HeadlessChromium implements AutoCloseable {

  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private final ChromeDriver driver;
  private final Path profile;

  private HeadlessChromium(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  public static HeadlessChromium start() {
    boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!installed && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException("CI must have chromium and chromium-driver (.ci/run installs them)");
    }
    Assumptions.assumeTrue(installed, "Debian chromium and chromium-driver are not installed");
    try {
      Path profile = Files.createTempDirectory("llm-proxy-chromium");
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM.toFile());
      // Flags that work as root on a machine without network or D-Bus (see docs/ui.md, Tests).
      options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--disable-dev-shm-usage", "--window-size=1400,900", "--user-data-dir=" + profile);
      LoggingPreferences logs = new LoggingPreferences();
      logs.enable(LogType.BROWSER, Level.ALL);
      options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
      options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
      ChromeDriverService service = new ChromeDriverService.Builder()
          .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20)).scriptTimeout(Duration.ofSeconds(10));
      return new HeadlessChromium(driver, profile);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public ChromeDriver driver() {
    return driver;
  }

  /** The console lines since the last call (errors are {@code SEVERE}). */
  public List<LogEntry> console() {
    return driver.manage().logs().get(LogType.BROWSER).getAll();
  }

  /** Saves the viewport as {@code name}.png in {@code dir}. */
  public Path screenshot(Path dir, String name) {
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve(name + ".png");
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
      return file;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    driver.quit();
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory
    }
  }
}
