import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How long a cooldown announcement takes from one replica to another: a PUBLISH on one Lettuce connection until
 * the message arrives on another's subscription (the receiving replica then only updates a map). Uses the
 * Lettuce inside the built jar against a running redis-server (bench/cluster-bench.sh starts one):
 *
 *   java -cp dist/llm-proxy.jar bench/PubSubHop.java 16379
 */
public class PubSubHop {

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 6379;
    int n = 2000;
    RedisClient client = RedisClient.create("redis://127.0.0.1:" + port + "/0");
    StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
    var pub = client.connect().async();
    long[] hops = new long[n];
    CountDownLatch done = new CountDownLatch(n);
    int[] seen = {0};
    sub.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String message) {
        long sent = Long.parseLong(message);
        hops[seen[0]++] = System.nanoTime() - sent;
        done.countDown();
      }
    });
    sub.sync().subscribe("bench:hop");
    for (int i = 0; i < n; i++) {
      pub.publish("bench:hop", String.valueOf(System.nanoTime())).get();
      Thread.sleep(1);  // one announcement at a time, as circuits open: this measures latency, not throughput
    }
    done.await(30, TimeUnit.SECONDS);
    long[] warm = Arrays.copyOfRange(hops, n / 4, n);  // the first quarter warms up the JIT
    Arrays.sort(warm);
    System.out.printf("PUBLISH -> message on another connection, %d samples: p50 %d µs, p99 %d µs, max %d µs%n",
        warm.length, warm[warm.length / 2] / 1000, warm[warm.length * 99 / 100] / 1000, warm[warm.length - 1] / 1000);
    sub.close();
    client.shutdown();
  }
}
