package dev.llmproxy.config;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code logging:} section. Applied at start and on every reload by
 * {@code dev.llmproxy.observability.LogSetup}.
 *
 * @param level threshold of every logger (files and console), one of trace|debug|info|warn|error
 * @param consoleLevel threshold of the console (stdout) only; never below {@code level} in effect
 * @param baseDir directory of the log files, or null for console-only logging ({@code base_dir: ""})
 * @param separateFiles true: requests.log, errors.log and app.log; false: everything in llm-proxy.log
 * @param maskSensitive false turns off pattern masking (sk-…, Bearer …); configured secrets are masked always
 */
public record LoggingSettings(
    String level,
    String consoleLevel,
    Path baseDir,
    Format format,
    boolean separateFiles,
    long maxFileSizeMb,
    int maxAgeDays,
    boolean maskSensitive) {

  /** Line format of console and files. */
  public enum Format { JSON, TEXT }

  static final Set<String> KEYS = Set.of(
      "level", "console_level", "base_dir", "format", "separate_files", "max_file_size_mb", "max_age_days",
      "mask_sensitive");
  private static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error");

  /** What runs when the section is absent: JSON on stdout and in {@code logs/} next to the config file. */
  public static LoggingSettings defaults(Path configDir) {
    return new LoggingSettings("info", "info", configDir.resolve("logs"), Format.JSON, true, 100, 14, true);
  }

  static LoggingSettings compile(ConfigNode node, Path configDir) {
    node.warnUnknownKeys(KEYS);
    LoggingSettings d = defaults(configDir);
    String level = level(node.get("level"), d.level());
    String consoleLevel = level(node.get("console_level"), level);
    String dir = node.get("base_dir").string("logs").trim();
    Path baseDir = dir.isEmpty() ? null : configDir.resolve(dir).normalize();
    String formatText = node.get("format").string("json").trim().toLowerCase(Locale.ROOT);
    Format format = switch (formatText) {
      case "json" -> Format.JSON;
      case "text" -> Format.TEXT;
      default -> {
        node.get("format").error("must be json or text, got \"" + formatText + "\"");
        yield Format.JSON;
      }
    };
    long maxSize = node.get("max_file_size_mb").integer(d.maxFileSizeMb());
    if (maxSize <= 0 || maxSize > 1_000_000) {
      node.get("max_file_size_mb").error("must be a whole number of megabytes from 1 to 1000000, got " + maxSize);
      maxSize = d.maxFileSizeMb();
    }
    long maxAge = node.get("max_age_days").integer(d.maxAgeDays());
    if (maxAge <= 0 || maxAge > 36_500) {
      node.get("max_age_days").error("must be a whole number of days from 1 to 36500, got " + maxAge);
      maxAge = d.maxAgeDays();
    }
    return new LoggingSettings(level, consoleLevel, baseDir, format, node.get("separate_files").bool(true),
        maxSize, (int) maxAge, node.get("mask_sensitive").bool(true));
  }

  private static String level(ConfigNode node, String fallback) {
    String text = node.string(fallback).trim().toLowerCase(Locale.ROOT);
    if (text.equals("warning")) {
      return "warn";
    }
    if (!LEVELS.contains(text)) {
      node.error("must be one of trace, debug, info, warn, error, got \"" + text + "\"");
      return fallback;
    }
    return text;
  }
}
