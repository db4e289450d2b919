package dev.llmproxy.capture;

import dev.llmproxy.capture.store.RequestFilter;
import dev.llmproxy.capture.store.RequestStore;
import dev.llmproxy.config.CaptureSettings;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Optional;

/**
 * {@code java -jar llm-proxy.jar --export [--since T] [--until T] [--alias A] > dataset.jsonl}: streams the
 * store's records to stdout as JSONL, oldest first, one record per line exactly as captured (for fine-tuning and
 * evaluation pipelines). {@code T} is an instant, epoch milliseconds, or a duration back from now ({@code 7d}
 * is not a duration: use {@code 168h}).
 */
public final class DatasetExport {

  private DatasetExport() {}

  /** @return the process exit code */
  public static int run(CaptureSettings settings, String since, String until, String alias, PrintStream out,
      PrintStream err) {
    Clock clock = Clock.systemUTC();
    Long from;
    Long to;
    try {
      from = since == null ? null : RequestFilter.parseTime(since, clock);
      to = until == null ? null : RequestFilter.parseTime(until, clock);
    } catch (IllegalArgumentException e) {
      err.println("llm-proxy: " + e.getMessage());
      return 2;
    }
    Optional<RequestStore> opened = RequestStore.open(settings.store());
    if (opened.isEmpty()) {
      err.println("llm-proxy: --export reads the capture store, and the config has none (capture.store.type)");
      return 1;
    }
    try (RequestStore store = opened.get()) {
      long n = store.export(RequestFilter.window(from, to, alias), out::println);
      out.flush();
      err.println("llm-proxy: exported " + n + " records from " + store.describe());
      return out.checkError() ? 1 : 0;
    } catch (java.sql.SQLException | RuntimeException e) {
      err.println("llm-proxy: export from " + settings.store().identity() + " failed: " + e.getMessage());
      return 1;
    }
  }
}
