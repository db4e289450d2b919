package dev.llmproxy.install;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one line {@code --setup-shell} adds to {@code ~/.bashrc} and {@code ~/.zshrc}: it evaluates
 * {@code llm-proxy --env}, which prints the base-URL variables only while the proxy answers, so a shell keeps
 * working when the proxy is down or uninstalled (the launcher missing, the line does nothing).
 */
final class RcFiles {

  static final String MARKER = "# llm-proxy shell integration (llm-proxy --uninstall removes this line)";
  static final String LINE = "eval \"$(\"$HOME/.local/bin/llm-proxy\" --env 2>/dev/null)\"  " + MARKER;

  private RcFiles() {}

  static boolean integrated(Path rc) {
    try {
      return Files.exists(rc) && Files.readString(rc, StandardCharsets.UTF_8).contains(MARKER);
    } catch (IOException e) {
      return false;
    }
  }

  /** Adds the line unless it is there. @return true when the file changed */
  static boolean add(Path rc, Manifest manifest) throws IOException {
    if (integrated(rc)) {
      return false;
    }
    boolean created = !Files.exists(rc);
    String text = created ? "" : Files.readString(rc, StandardCharsets.UTF_8);
    boolean newlineAdded = !text.isEmpty() && !text.endsWith("\n");
    Files.writeString(rc, text + (newlineAdded ? "\n" : "") + LINE + "\n", StandardCharsets.UTF_8);
    manifest.put("rc", rc, created ? "created" : "existed", newlineAdded ? "newline-added" : "-");
    return true;
  }

  /** Removes the line, leaving the file byte for byte as before setup (or gone, if setup created it). */
  static boolean remove(Path rc, Manifest.Entry entry) throws IOException {
    if (!Files.exists(rc)) {
      return false;
    }
    String text = Files.readString(rc, StandardCharsets.UTF_8);
    String ours = LINE + "\n";
    int at = text.lastIndexOf(ours);
    if (at < 0) {
      return false;
    }
    boolean newlineAdded = entry != null && entry.b().equals("newline-added");
    int from = newlineAdded && at > 0 && text.charAt(at - 1) == '\n' ? at - 1 : at;
    String rest = text.substring(0, from) + text.substring(at + ours.length());
    if (rest.isEmpty() && entry != null && entry.a().equals("created")) {
      Files.delete(rc);
    } else {
      Files.writeString(rc, rest, StandardCharsets.UTF_8);
    }
    return true;
  }
}
