package dev.llmproxy.config;

import java.nio.file.Path;

/** The {@code proxy:} section: request handling switches. */
public record ProxySettings(
    boolean enableSystemPrompt, boolean forwardClientIp, long maxBodyBytes, Path systemPromptsDir) {}
