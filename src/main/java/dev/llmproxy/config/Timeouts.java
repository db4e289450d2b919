package dev.llmproxy.config;

import java.time.Duration;

/**
 * The {@code timeout:} section. {@code connect}: TCP/TLS connect to a backend. {@code responseHeader}: from the
 * request sent until the response status arrives (a non-stream answer is generated before its headers, so this
 * is long). {@code firstToken}: from the request sent until a stream's first content event (a stream that only
 * says "I'm here" does not count; reasoning models may think for minutes first). {@code idle}: longest silence
 * between two body chunks once the response started. {@code total}: the whole client request, every attempt
 * included.
 */
public record Timeouts(Duration connect, Duration responseHeader, Duration firstToken, Duration idle, Duration total) {}
