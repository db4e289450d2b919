package dev.llmproxy.bedrock;

import dev.llmproxy.config.Backend;
import dev.llmproxy.config.BedrockSettings;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Signs requests for Bedrock with the AWS SDK's SigV4 signer ({@link AwsV4HttpSigner}, service {@code bedrock}).
 * Credentials come from the backend's static keys, its named profile, or the SDK's default chain; one provider
 * per distinct setting is kept for the life of the process (providers cache, refresh and prefetch themselves).
 *
 * <p>Blocking: resolving credentials may read files or call the instance metadata service, and hashing a large
 * body takes time. Call it from a worker thread, never an event loop.
 */
final class BedrockSigner {

  static final String SERVICE = "bedrock";

  /** Never signed: they describe the connection or are the proxy's own, and may change in transit. */
  private static final Set<String> UNSIGNED = Set.of("content-length", "connection", "user-agent", "x-forwarded-for",
      "expect", "transfer-encoding", "x-trace-id");

  private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

  private final Clock clock;
  private final Map<BedrockSettings, AwsCredentialsProvider> providers = new ConcurrentHashMap<>();

  BedrockSigner(Clock clock) {
    this.clock = clock;
  }

  /** The credentials this backend signs with now (resolving or refreshing them if needed). Blocking. */
  AwsCredentialsIdentity credentials(Backend backend) {
    BedrockSettings s = backend.bedrock();
    return providers.computeIfAbsent(s, BedrockSigner::provider).resolveCredentials();
  }

  private static AwsCredentialsProvider provider(BedrockSettings s) {
    if (s.staticKeys()) {
      return StaticCredentialsProvider.create(s.sessionToken() == null
          ? AwsBasicCredentials.create(s.accessKeyId().value(), s.secretAccessKey().value())
          : AwsSessionCredentials.create(s.accessKeyId().value(), s.secretAccessKey().value(),
              s.sessionToken().value()));
    }
    if (s.profile() != null) {
      return ProfileCredentialsProvider.builder().profileName(s.profile()).build();
    }
    return DefaultCredentialsProvider.builder().build();
  }

  /**
   * Signs a request for the backend's region. Returns the headers to send: the given ones (without those never
   * signed) plus {@code Host}, {@code X-Amz-Date}, {@code X-Amz-Security-Token} with session credentials, and
   * {@code Authorization}. Blocking.
   */
  MultiMap sign(Backend backend, String method, String uri, MultiMap headers, Buffer body) {
    return sign(credentials(backend), backend.bedrock().region(), method, uri, headers, body, clock);
  }

  /** The signing itself, for given credentials and time (tests check it against AWS's published vectors). */
  static MultiMap sign(AwsCredentialsIdentity credentials, String region, String method, String uri,
      MultiMap headers, Buffer body, Clock clock) {
    return sign(credentials, region, SERVICE, method, uri, headers, body, clock);
  }

  static MultiMap sign(AwsCredentialsIdentity credentials, String region, String service, String method, String uri,
      MultiMap headers, Buffer body, Clock clock) {
    SdkHttpRequest.Builder request = SdkHttpRequest.builder()
        .method(SdkHttpMethod.fromValue(method))
        .uri(URI.create(uri));
    MultiMap unsigned = MultiMap.caseInsensitiveMultiMap();
    headers.forEach(h -> {
      if (UNSIGNED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        unsigned.add(h.getKey(), h.getValue());
      } else {
        request.appendHeader(h.getKey(), h.getValue());
      }
    });
    byte[] payload = body == null ? new byte[0] : body.getBytes();
    SignedRequest signed = SIGNER.sign(r -> r
        .identity(credentials)
        .request(request.build())
        .payload(ContentStreamProvider.fromByteArrayUnsafe(payload))
        .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, service)
        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
        .putProperty(HttpSigner.SIGNING_CLOCK, clock));
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    for (Map.Entry<String, List<String>> h : signed.request().headers().entrySet()) {
      h.getValue().forEach(v -> out.add(h.getKey(), v));
    }
    out.addAll(unsigned);
    return out;
  }
}
