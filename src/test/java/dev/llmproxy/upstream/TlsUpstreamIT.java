package dev.llmproxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmproxy.support.FreePort;
import dev.llmproxy.support.JarProcess;
import dev.llmproxy.support.MockUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS to a backend, verified: the built jar trusts a private CA given the standard JVM way
 * ({@code -Djavax.net.ssl.trustStore}), as an operator fronting an internal gateway would, and the request and
 * the backend key travel over TLS.
 */
@ExtendWith(VertxExtension.class)
class TlsUpstreamIT {

  @TempDir Path dir;

  @Test
  void talksHttpsToABackendWhoseCertificateTheJvmTrusts(Vertx vertx) throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    MockUpstream upstream = MockUpstream.startTls(vertx, "tls", certificate);
    Path trustStore = dir.resolve("trust.p12");
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    try (InputStream pem = Files.newInputStream(Path.of(certificate.certificatePath()))) {
      store.setCertificateEntry("upstream", CertificateFactory.getInstance("X.509").generateCertificate(pem));
    }
    try (OutputStream out = Files.newOutputStream(trustStore)) {
      store.store(out, "changeit".toCharArray());
    }
    int port = FreePort.loopback();
    Files.writeString(dir.resolve("config.yaml"), """
        listen: "127.0.0.1:%d"
        backends: [{name: tls, url: "%s", api_key: sk-over-tls}]
        models: {gpt: [{backend: tls, model: real}]}
        """.formatted(port, upstream.url()));
    try (JarProcess proxy = JarProcess.start(dir, Map.of(), List.of(
        "-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=changeit",
        "-Djavax.net.ssl.trustStoreType=PKCS12"), "-config", "config.yaml")) {
      proxy.awaitLine("listening on http://127.0.0.1:" + port, 60);
      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
              .header("content-type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(
                  "{\"model\":\"gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body() + "\n" + proxy.output());
      assertEquals("Bearer sk-over-tls", upstream.last().header("Authorization"));
      assertEquals("real", upstream.last().json().getString("model"));
    } finally {
      certificate.delete();
    }
  }
}
