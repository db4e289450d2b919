// Stream load generator for bench/compare.sh: opens STREAMS chat completion streams evenly over RAMP seconds and
// holds them all at once, each paced by bench/MockUpstreamServer.java (CHUNKS chunks INTERVAL ms apart, asked
// for with the x-bench-* headers, which a proxy passes on). Per stream it measures the time to the first chunk
// (request sent -> first body bytes) and the total time (-> end of the answer); per chunk, how late it arrived:
// now minus the epoch microseconds the mock wrote it at (its "t" field). A stream is lost when it fails, answers
// other than 200, or ends without all its chunks and [DONE]. One event loop (pin it to its own core). A short
// unmeasured round (200 streams of 20 quick chunks) comes first, so neither this JVM nor the target is cold.
// Run with the gateway jar on the class path (it carries Vert.x); raise `ulimit -n` above STREAMS first:
//   java -cp dist/llm-proxy.jar bench/StreamLoad.java http://127.0.0.1:18801/v1/chat/completions 1000 1 20 50
// Prints one line: key=value pairs (times in ms).
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

public class StreamLoad {

  public static void main(String[] args) throws Exception {
    String url = args[0];
    int streams = Integer.parseInt(args[1]);
    double rampSeconds = Double.parseDouble(args[2]);
    int chunks = Integer.parseInt(args[3]);
    long interval = Long.parseLong(args[4]);
    String model = args.length > 5 ? args[5] : "echo";
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
        .setBlockedThreadCheckInterval(60_000));
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setConnectTimeout(60_000)
        .setTcpNoDelay(true), new PoolOptions().setHttp1MaxSize(streams + 16).setMaxWaitQueueSize(-1));
    Buffer body = Buffer.buffer("{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\","
        + "\"content\":\"Write a short story.\"}]}");
    Result warm = run(vertx, client, url, body, Math.min(200, streams), 0.5, 20, 10);
    if (warm.lost > 0) {
      System.err.println("warm-up round: " + warm.summary(true, 0));
    }
    long begun = System.nanoTime();
    Result result = run(vertx, client, url, body, streams, rampSeconds, chunks, interval);
    System.out.println(result.summary(result.allFinished, (System.nanoTime() - begun) / 1e9));
    client.close().await();
    vertx.close().await();
  }

  /** Opens {@code streams} streams evenly over {@code rampSeconds} and waits until every one has ended. */
  static Result run(Vertx vertx, HttpClient client, String url, Buffer body, int streams, double rampSeconds,
      int chunks, long interval) throws InterruptedException {
    Result result = new Result(streams, chunks);
    CountDownLatch finished = new CountDownLatch(streams);
    long start = System.nanoTime();
    long rampNanos = (long) (rampSeconds * 1e9);
    int[] launched = {0};
    vertx.runOnContext(v -> vertx.setPeriodic(1, 1, id -> {
      long due = Math.min(streams, rampNanos == 0 ? streams
          : (long) ((double) (System.nanoTime() - start) / rampNanos * streams) + 1);
      while (launched[0] < due) {
        open(client, url, body, chunks, interval, result, launched[0]++, finished);
      }
      if (launched[0] == streams) {
        vertx.cancelTimer(id);
      }
    }));
    long timeoutSeconds = (long) rampSeconds + chunks * interval / 1000 + 120;
    result.allFinished = finished.await(timeoutSeconds, TimeUnit.SECONDS);
    return result;
  }

  static void open(HttpClient client, String url, Buffer body, int chunks, long interval, Result result, int index,
      CountDownLatch finished) {
    long sent = System.nanoTime();
    Stream stream = new Stream();
    client.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
            .putHeader("content-type", "application/json").putHeader("x-bench-interval-ms", String.valueOf(interval))
            .putHeader("x-bench-chunks", String.valueOf(chunks)))
        .compose(request -> request.send(body))
        .onSuccess(response -> {
          if (response.statusCode() != 200) {
            result.lost(index, "status " + response.statusCode());
            response.body().onComplete(ignored -> finished.countDown());
            return;
          }
          response.handler(bytes -> {
            if (result.ttfc[index] < 0) {
              result.ttfc[index] = (System.nanoTime() - sent) / 1000;
            }
            stream.feed(bytes.toString(), result);
          });
          response.exceptionHandler(e -> {
            if (!stream.over) {
              stream.over = true;
              result.lost(index, e.toString());
              finished.countDown();
            }
          });
          response.endHandler(v -> {
            if (stream.over) {
              return;
            }
            stream.over = true;
            result.total[index] = (System.nanoTime() - sent) / 1000;
            if (stream.content != chunks || !stream.done) {
              result.lost(index, "ended after " + stream.content + " chunks, done=" + stream.done);
            }
            finished.countDown();
          });
        })
        .onFailure(e -> {
          result.lost(index, e.toString());
          finished.countDown();
        });
  }

  /** One stream's parse state: events are cut at blank lines; a chunk's "t" is read when its event is complete. */
  static final class Stream {
    private final StringBuilder pending = new StringBuilder();
    int content;
    boolean done;
    boolean over;

    void feed(String text, Result result) {
      pending.append(text);
      int end;
      while ((end = pending.indexOf("\n\n")) >= 0) {
        String event = pending.substring(0, end);
        pending.delete(0, end + 2);
        if (event.contains("[DONE]")) {
          done = true;
          continue;
        }
        int t = event.indexOf("\"t\":");
        if (t >= 0) {
          int from = t + 4;
          int to = from;
          while (to < event.length() && Character.isDigit(event.charAt(to))) {
            to++;
          }
          result.chunkDelay(micros() - Long.parseLong(event.substring(from, to)));
        }
        if (event.contains("\"content\"")) {
          content++;
        }
      }
    }
  }

  static long micros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
  }

  static final class Result {
    final long[] ttfc;
    final long[] total;
    long[] delays;
    int delayCount;
    int lost;
    String firstLoss;
    boolean allFinished;

    Result(int streams, int chunks) {
      ttfc = new long[streams];
      total = new long[streams];
      Arrays.fill(ttfc, -1);
      Arrays.fill(total, -1);
      delays = new long[streams * (chunks + 1)];
    }

    void chunkDelay(long micros) {
      if (delayCount == delays.length) {
        delays = Arrays.copyOf(delays, delays.length * 2);
      }
      delays[delayCount++] = micros;
    }

    void lost(int index, String why) {
      lost++;
      if (firstLoss == null) {
        firstLoss = "stream " + index + ": " + why;
      }
    }

    String summary(boolean allFinished, double wallSeconds) {
      long[] ttfcs = Arrays.stream(ttfc).filter(x -> x >= 0).sorted().toArray();
      long[] totals = Arrays.stream(total).filter(x -> x >= 0).sorted().toArray();
      long[] chunk = Arrays.copyOf(delays, delayCount);
      Arrays.sort(chunk);
      return String.format("streams=%d completed=%d lost=%d unfinished=%s wall_s=%.1f ttfc_p50=%s ttfc_p99=%s "
              + "total_p50=%s total_p99=%s chunk_delay_p50=%s chunk_delay_p99=%s chunk_delay_max=%s chunks=%d%s",
          ttfc.length, totals.length, lost, allFinished ? "0" : "some", wallSeconds, ms(ttfcs, 50), ms(ttfcs, 99),
          ms(totals, 50), ms(totals, 99), ms(chunk, 50), ms(chunk, 99), ms(chunk, 100), chunk.length,
          firstLoss == null ? "" : " first_loss=\"" + firstLoss.replace('"', '\'') + "\"");
    }

    static String ms(long[] sortedMicros, double percentile) {
      if (sortedMicros.length == 0) {
        return "-";
      }
      int i = (int) Math.ceil(percentile / 100 * sortedMicros.length) - 1;
      return String.format("%.2f", sortedMicros[Math.max(0, Math.min(sortedMicros.length - 1, i))] / 1000.0);
    }
  }
}
