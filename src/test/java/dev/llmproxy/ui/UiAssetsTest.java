package dev.llmproxy.ui;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The pages load only what the jar has: every {@code /ui/vendor/...} and {@code /ui/app/...} path named in a page
 * or a script exists on the classpath (a WebJar version bump in pom.xml without the paths fails here), and no page
 * names another host (no CDN) or runs an inline script (the Content-Security-Policy forbids them).
 */
class UiAssetsTest {

  static final List<String> FILES = List.of("index.html", "login.html", "app/main.js", "app/api.js", "app/format.js",
      "app/requests.js", "app/sessions.js", "app/conversation.js", "app/overview.js", "app/login.js",
      "app/style.css");
  static final Pattern UI_PATH = Pattern.compile("['\"(](/ui/(?:vendor|app)/[^'\")]+)['\")]");
  static final Pattern RELATIVE_IMPORT = Pattern.compile("from '\\./([^']+)'");

  @Test
  void everyAssetAPageNamesIsInTheJar() throws IOException {
    Set<String> named = new TreeSet<>();
    for (String file : FILES) {
      String text = read(WebUi.ASSETS + "/" + file);
      Matcher m = UI_PATH.matcher(text);
      while (m.find()) {
        named.add(m.group(1));
      }
      Matcher imports = RELATIVE_IMPORT.matcher(text);
      while (imports.find()) {
        named.add("/ui/app/" + imports.group(1));
      }
    }
    assertTrue(named.size() >= 10, "found " + named);
    for (String path : named) {
      String resource = path.startsWith("/ui/vendor/") ? WebUi.WEBJARS + path.substring("/ui/vendor".length())
          : WebUi.ASSETS + path.substring("/ui".length());
      assertNotNull(getClass().getClassLoader().getResource(resource), path + " is not in the jar (" + resource + ")");
    }
  }

  @Test
  void noPageLoadsFromAnotherHostOrRunsAnInlineScript() throws IOException {
    for (String file : FILES) {
      String text = read(WebUi.ASSETS + "/" + file);
      assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(text).find(), file + " names another host");
      assertFalse(text.contains("cdn."), file);
      if (file.endsWith(".html")) {
        assertFalse(Pattern.compile("<script(?![^>]*\\bsrc=)").matcher(text).find(), file + " has an inline script");
        assertFalse(Pattern.compile("\\son[a-z]+=\"").matcher(text).find(), file + " has an inline handler");
      }
    }
  }

  private String read(String resource) throws IOException {
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(resource)) {
      assertNotNull(in, resource);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
