package dev.llmproxy.capture;

import dev.llmproxy.capture.loki.LokiPusher;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Capture's meters on the gateway's registry, read at scrape time from the counters their owners keep:
 * {@code llmproxy_capture_dropped_total} (queue full), {@code llmproxy_capture_written_total{sink}} and
 * {@code llmproxy_capture_failed_total{sink}} (jsonl, store, loki; build: a record that could not be built),
 * {@code llmproxy_capture_queue_depth}.
 */
final class CaptureMetrics {

  private CaptureMetrics() {}

  static void bind(MeterRegistry registry, Capture capture, CaptureWriter writer, LokiPusher loki) {
    FunctionCounter.builder("llmproxy.capture.dropped", capture, Capture::dropped)
        .description("Capture records dropped because the capture queue was full")
        .register(registry);
    Gauge.builder("llmproxy.capture.queue.depth", capture, Capture::queued)
        .description("Capture records waiting for the writer")
        .register(registry);
    writer.written().forEach((sink, count) -> written(registry, sink, count));
    writer.failed().forEach((sink, count) -> failed(registry, sink, count));
    FunctionCounter.builder("llmproxy.capture.written", loki, LokiPusher::sent)
        .description("Capture records written, by sink").tag("sink", "loki").register(registry);
    FunctionCounter.builder("llmproxy.capture.failed", loki, LokiPusher::dropped)
        .description("Capture records a sink lost (write error, store error, Loki gave up), by sink")
        .tag("sink", "loki").register(registry);
  }

  private static void written(MeterRegistry registry, String sink, AtomicLong count) {
    FunctionCounter.builder("llmproxy.capture.written", count, AtomicLong::get)
        .description("Capture records written, by sink").tag("sink", sink).register(registry);
  }

  private static void failed(MeterRegistry registry, String sink, AtomicLong count) {
    FunctionCounter.builder("llmproxy.capture.failed", count, AtomicLong::get)
        .description("Capture records a sink lost (write error, store error, Loki gave up), by sink")
        .tag("sink", sink).register(registry);
  }
}
