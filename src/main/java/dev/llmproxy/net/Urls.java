package dev.llmproxy.net;

import java.net.URI;
import java.net.URISyntaxException;

/** URLs shown to operators or callers: whatever else they reveal, never the credentials they may carry. */
public final class Urls {

  private Urls() {}

  /** {@code https://user:pass@host/v1} shows as {@code https://****@host/v1}; an unparsable URL as {@code ****}. */
  public static String withoutCredentials(String url) {
    try {
      URI uri = new URI(url);
      if (uri.getRawUserInfo() == null) {
        return url;
      }
      return url.replace(uri.getRawUserInfo() + "@", "****@");
    } catch (URISyntaxException e) {
      return "****";
    }
  }
}
