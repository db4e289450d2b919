package dev.llmproxy.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.JarProcess;
import dev.llmproxy.support.MockBedrock;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar signing with credentials from the AWS SDK's chain — environment variables, a named profile of
 * the shared credentials file — and, at debug level, not one log line carrying any of them.
 */
class BedrockCredentialsIT {

  private static final String ENV_KEY_ID = "AKIAENVCHAIN00000001";
  private static final String ENV_SECRET = "envChainSecret/abcdefghijklmnopqrstuvwxyz012";
  private static final String ENV_TOKEN = "envChainSessionToken+0123456789abcdefghijklmnop";
  private static final String PROFILE_KEY_ID = "AKIAPROFILEWORK00002";
  private static final String PROFILE_SECRET = "profileSecret/ZYXWVUTSRQPONMLKJIHGFEDCBA987";

  @TempDir Path dir;

  @Test
  void defaultChainAndProfileSignAndNoCredentialReachesALog() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (MockBedrock envMock = MockBedrock.start(vertx, "eu-west-1", ENV_KEY_ID, ENV_SECRET);
         MockBedrock profileMock = MockBedrock.start(vertx, "eu-west-1", PROFILE_KEY_ID, PROFILE_SECRET)) {
      Files.writeString(dir.resolve("credentials"), """
          [work]
          aws_access_key_id = %s
          aws_secret_access_key = %s
          """.formatted(PROFILE_KEY_ID, PROFILE_SECRET));
      Files.writeString(dir.resolve("aws-config"), "");
      Files.writeString(dir.resolve("config.yaml"), """
          listen: "127.0.0.1:0"
          logging: {level: debug, base_dir: logs}
          backends:
            - {name: chain, type: bedrock, region: eu-west-1, url: "%s"}
            - {name: work, type: bedrock, region: eu-west-1, url: "%s", profile: work}
          passthrough: {bedrock: chain}
          models:
            via-env: [{backend: chain, model: "anthropic.claude-3-haiku-20240307-v1:0"}]
            via-profile: [{backend: work, model: "anthropic.claude-3-haiku-20240307-v1:0"}]
          """.formatted(envMock.url(), profileMock.url()));
      Map<String, String> env = Map.of(
          "AWS_ACCESS_KEY_ID", ENV_KEY_ID, "AWS_SECRET_ACCESS_KEY", ENV_SECRET, "AWS_SESSION_TOKEN", ENV_TOKEN,
          "AWS_SHARED_CREDENTIALS_FILE", dir.resolve("credentials").toString(),
          "AWS_CONFIG_FILE", dir.resolve("aws-config").toString(), "AWS_EC2_METADATA_DISABLED", "true");
      try (JarProcess proxy = JarProcess.start(dir, env, "-config", "config.yaml")) {
        Matcher m = Pattern.compile("listening on http://[^:]+:(\\d+)").matcher(proxy.awaitLine("listening on", 60));
        assertTrue(m.find());
        String base = "http://127.0.0.1:" + m.group(1);
        HttpClient http = HttpClient.newHttpClient();
        for (String model : List.of("via-env", "via-profile")) {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/messages"))
              .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
              .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model
                  + "\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
              HttpResponse.BodyHandlers.ofString());
          assertEquals(200, r.statusCode(), model + ": " + r.body());
        }
        HttpResponse<String> invoke = http.send(HttpRequest.newBuilder(URI.create(base
                + "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"anthropic_version\":\"bedrock-2023-05-31\"}")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, invoke.statusCode(), invoke.body());
        JsonObject health = new JsonObject(http.send(HttpRequest.newBuilder(URI.create(base + "/health/bedrock"))
            .build(), HttpResponse.BodyHandlers.ofString()).body());
        assertEquals("default chain", health.getJsonArray("backends").getJsonObject(0).getString("credentials"));
        assertEquals("profile work", health.getJsonArray("backends").getJsonObject(1).getString("credentials"));
        assertFalse(health.encode().contains(ENV_KEY_ID) || health.encode().contains(PROFILE_KEY_ID));

        assertEquals(List.of(), envMock.signatureFailures());
        assertEquals(List.of(), profileMock.signatureFailures());
        assertEquals(2, envMock.upstream().count());
        assertEquals(1, profileMock.upstream().count());
        assertEquals(ENV_TOKEN, envMock.upstream().last().header("x-amz-security-token"));

        proxy.process().toHandle().destroy();  // SIGTERM flushes the logs
        proxy.process().waitFor();
        StringBuilder everything = new StringBuilder(proxy.output());
        try (Stream<Path> files = Files.walk(dir.resolve("logs"))) {
          for (Path f : files.filter(Files::isRegularFile).toList()) {
            everything.append(Files.readString(f));
          }
        }
        String logs = everything.toString();
        assertTrue(logs.contains("/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke"), "the logs were read");
        for (String secret : List.of(ENV_KEY_ID, ENV_SECRET, ENV_TOKEN, PROFILE_KEY_ID, PROFILE_SECRET,
            "Signature=", "AWS4-HMAC-SHA256")) {
          String line = logs.lines().filter(l -> l.contains(secret)).findFirst().orElse(null);
          assertEquals(null, line, "a log line contains " + secret);
        }
      }
    } finally {
      vertx.close().await();
    }
  }
}
