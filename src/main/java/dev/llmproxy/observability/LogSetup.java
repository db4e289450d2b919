package dev.llmproxy.observability;

import static net.logstash.logback.argument.StructuredArguments.kv;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.spi.FilterReply;
import ch.qos.logback.core.util.FileSize;
import dev.llmproxy.config.LoggingSettings;
import dev.llmproxy.config.Snapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.mask.MaskingJsonGeneratorDecorator;
import org.slf4j.LoggerFactory;

/**
 * Applies the {@code logging:} section to logback, programmatically: at start (replacing the console-only
 * defaults of {@code logback.xml}) and on each reload ({@link #apply(Snapshot)} is the hook; it does nothing
 * when the section did not change). Blocking (creates directories, opens files): call it off the event loop.
 *
 * <p>Appenders, with {@code separate_files: true}: {@code requests.log} (the access line of every request),
 * {@code errors.log} (WARN and above from anywhere, access lines of failed requests included) and
 * {@code app.log} (everything but access lines); with {@code false}, one {@code llm-proxy.log}. Every file rolls
 * daily and at {@code max_file_size_mb}, compressed, kept {@code max_age_days}. Every line is written by one
 * thread, the {@link LogWriter}, in batches, so an event loop never waits on a disk or a slow stdout (nor wakes a
 * thread per line), and every line is masked ({@link LogMasking}). The
 * root and access loggers each keep one {@link SwitchableAppender} for good; a new section swaps what is behind
 * it without losing a line. Each application ends with an INFO {@code logging configured} line.
 */
public final class LogSetup {

  public static final String ACCESS_LOGGER = "llmproxy.access";

  private static final String ROOT_SWITCH = "LLMPROXY_ROOT";
  private static final String ACCESS_SWITCH = "LLMPROXY_ACCESS";

  private static LoggingSettings applied;
  private static SwitchableAppender rootSwitch;
  private static SwitchableAppender accessSwitch;

  private LogSetup() {}

  /** Start and reload hook: registers the snapshot's secrets for masking, then applies its logging section. */
  public static synchronized void apply(Snapshot snapshot) {
    LogMasking.register(snapshot);
    LoggingSettings settings = snapshot.logging();
    if (settings != null && !settings.equals(applied)) {
      apply(settings);
    }
  }

  static synchronized void apply(LoggingSettings s) {
    LoggerContext lc = context();
    Logger root = lc.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger access = lc.getLogger(ACCESS_LOGGER);
    Level level = Level.toLevel(s.level(), Level.INFO);
    root.setLevel(level);
    // Library chatter stays at its usual threshold unless the operator asks for less.
    lc.getLogger("io.netty").setLevel(max(level, Level.WARN));
    lc.getLogger("io.vertx").setLevel(max(level, Level.INFO));
    // The AWS SDK's signer logs each canonical request at DEBUG, session token included: never below INFO.
    lc.getLogger("software.amazon.awssdk").setLevel(max(level, Level.INFO));
    // While Redis is down the cluster's client retries every second with a warning each time; the cluster
    // package logs the outage and the recovery once instead.
    lc.getLogger("io.lettuce.core.protocol").setLevel(max(level, Level.ERROR));
    // The access line is the record of each request: a quieter level must not silently drop requests.log.
    access.setLevel(level.isGreaterOrEqual(Level.INFO) ? Level.INFO : level);

    String fileProblem = null;
    if (s.baseDir() != null) {
      try {
        Files.createDirectories(s.baseDir());
      } catch (IOException | RuntimeException e) {
        fileProblem = "cannot create log directory " + s.baseDir() + ": " + e + "; logging to the console only";
      }
    }
    if (rootSwitch == null || root.getAppender(ROOT_SWITCH) != rootSwitch) {
      // First time (or after restoreDefaults): replace logback.xml's appenders by the two permanent switches.
      root.detachAndStopAllAppenders();
      access.detachAndStopAllAppenders();
      rootSwitch = permanentSwitch(lc, ROOT_SWITCH);
      accessSwitch = permanentSwitch(lc, ACCESS_SWITCH);
      root.addAppender(rootSwitch);
      access.addAppender(accessSwitch);
    }
    access.setAdditive(true);
    boolean files = s.baseDir() != null && fileProblem == null;
    // One encoder for all outputs of this section: a line written to several of them is encoded once.
    Encoder<ILoggingEvent> encoder = new BatchedOutputs.OnceEncoder(encoder(lc, s));
    rootSwitch.swap(() -> {
      List<Appender<ILoggingEvent>> out = new ArrayList<>();
      out.add(filtered(lc, console(lc, encoder), threshold(s.consoleLevel())));
      if (files && s.separateFiles()) {
        out.add(filtered(lc, file(lc, s, "errors", encoder), threshold("WARN")));
        out.add(filtered(lc, file(lc, s, "app", encoder), new DenyLogger(ACCESS_LOGGER)));
      } else if (files) {
        out.add(file(lc, s, "llm-proxy", encoder));
      }
      return out;
    });
    accessSwitch.swap(() -> files && s.separateFiles()
        ? List.of(file(lc, s, "requests", encoder))
        : List.of());
    applied = s;
    org.slf4j.Logger log = LoggerFactory.getLogger(LogSetup.class);
    if (fileProblem != null) {
      log.error(fileProblem);
    }
    // "log_level", not "level": a JSON line already has "level" (the line's own), and a key must appear once.
    log.info("logging configured", kv("log_level", s.level()), kv("console_level", s.consoleLevel()),
        kv("format", s.format().name().toLowerCase(java.util.Locale.ROOT)),
        kv("base_dir", files ? s.baseDir().toString() : null), kv("separate_files", s.separateFiles()));
  }

  /** Flushes every queued line to its file and closes the files; the last logging act before exit. */
  public static synchronized void flushAndStop() {
    context().stop();
  }

  /**
   * Console lines go to stderr from now on, at WARN and above: for commands whose stdout is data (--export),
   * which a library's start-up line must not corrupt.
   */
  public static synchronized void consoleToStderr() {
    LoggerContext lc = context();
    Logger root = lc.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.iteratorForAppenders().forEachRemaining(appender -> {
      if (appender instanceof ConsoleAppender<ILoggingEvent> console) {
        console.stop();
        console.setTarget("System.err");
        console.start();
      }
    });
  }

  /** Back to what {@code logback.xml} says (tests that applied a logging section undo it). */
  public static synchronized void restoreDefaults() {
    LoggerContext lc = context();
    lc.reset();
    try {
      new ContextInitializer(lc).autoConfig();
    } catch (JoranException e) {
      throw new IllegalStateException(e);
    }
    applied = null;
    rootSwitch = null;
    accessSwitch = null;
  }

  private static LoggerContext context() {
    return (LoggerContext) LoggerFactory.getILoggerFactory();
  }

  private static Level max(Level a, Level b) {
    return a.isGreaterOrEqual(b) ? a : b;
  }

  private static SwitchableAppender permanentSwitch(LoggerContext lc, String name) {
    SwitchableAppender appender = new SwitchableAppender();
    appender.setContext(lc);
    appender.setName(name);
    appender.start();
    return appender;
  }

  private static ThresholdFilter threshold(String level) {
    ThresholdFilter filter = new ThresholdFilter();
    filter.setLevel(level);
    return filter;
  }

  private static Appender<ILoggingEvent> console(LoggerContext lc, Encoder<ILoggingEvent> encoder) {
    BatchedOutputs.Console console = new BatchedOutputs.Console();
    console.setContext(lc);
    console.setName("CONSOLE_OUT");
    console.setEncoder(encoder);
    console.start();
    return console;
  }

  private static Appender<ILoggingEvent> file(LoggerContext lc, LoggingSettings s, String base,
      Encoder<ILoggingEvent> encoder) {
    Path dir = s.baseDir();
    RollingFileAppender<ILoggingEvent> file = new BatchedOutputs.File();
    file.setContext(lc);
    file.setName("FILE_" + base);
    file.setFile(dir.resolve(base + ".log").toString());
    file.setAppend(true);
    file.setEncoder(encoder);
    SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
    policy.setContext(lc);
    policy.setParent(file);
    policy.setFileNamePattern(dir.resolve(base + ".%d{yyyy-MM-dd}.%i.log.gz").toString());
    policy.setMaxFileSize(FileSize.valueOf(s.maxFileSizeMb() + "MB"));
    policy.setMaxHistory(s.maxAgeDays());
    policy.setCleanHistoryOnStart(true);
    policy.start();
    file.setRollingPolicy(policy);
    file.start();
    return file;
  }

  static Encoder<ILoggingEvent> encoder(LoggerContext lc, LoggingSettings s) {
    if (s.format() == LoggingSettings.Format.TEXT) {
      LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
      TextLineLayout layout = new TextLineLayout();
      layout.setContext(lc);
      layout.start();
      encoder.setContext(lc);
      encoder.setLayout(layout);
      encoder.setCharset(StandardCharsets.UTF_8);
      encoder.start();
      return encoder;
    }
    return jsonEncoder(lc);
  }

  /** The same JSON shape as {@code logback.xml}: logstash fields minus level_value and @version, masked. */
  static LogstashEncoder jsonEncoder(LoggerContext lc) {
    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext(lc);
    encoder.getFieldNames().setLevelValue("[ignore]");
    encoder.getFieldNames().setVersion("[ignore]");
    MaskingJsonGeneratorDecorator masking = new MaskingJsonGeneratorDecorator();
    masking.addValueMasker(new SensitiveValueMasker());
    masking.start();
    encoder.setJsonGeneratorDecorator(masking);
    encoder.start();
    return encoder;
  }

  private static Appender<ILoggingEvent> filtered(
      LoggerContext lc, Appender<ILoggingEvent> target, Filter<ILoggingEvent> filter) {
    filter.setContext(lc);
    filter.start();
    target.addFilter(filter);
    return target;
  }

  /** Keeps one logger's lines out of an appender (access lines have their own file). */
  private static final class DenyLogger extends Filter<ILoggingEvent> {
    private final String name;

    DenyLogger(String name) {
      this.name = name;
    }

    @Override
    public FilterReply decide(ILoggingEvent event) {
      return name.equals(event.getLoggerName()) ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
  }
}
