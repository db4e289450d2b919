package dev.llmproxy.install;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The port of the machine's proxy, in {@code $XDG_STATE_HOME/llm-proxy/port} (default
 * {@code ~/.local/state/llm-proxy/port}): written when a proxy started with {@code --register} is listening and
 * has answered its own first {@code GET /health} ({@link ProxyProbe#awaitAnswer}), removed when it stops. {@code --env} reads it to find the proxy.
 */
public final class StateFile {

  private final Path file;

  StateFile(Path file) {
    this.file = file;
  }

  public static StateFile forEnvironment(Map<String, String> env) {
    return new StateFile(Layout.of(env).portFile());
  }

  public Path path() {
    return file;
  }

  /** Writes the port atomically, so a shell starting at that moment reads the old port or the new one. */
  public void write(int port) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(".port." + ProcessHandle.current().pid());
    Files.writeString(tmp, port + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public OptionalInt read() {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8).trim();
      int port = Integer.parseInt(text);
      return port > 0 && port < 65536 ? OptionalInt.of(port) : OptionalInt.empty();
    } catch (IOException | NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  /** Removes the file if it still names {@code port} (another proxy may have registered since). */
  public void removeIfOwned(int port) {
    try {
      if (read().orElse(-1) == port) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      // stopping anyway; a stale file only makes --env probe a closed port
    }
  }
}
