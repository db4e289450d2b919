package dev.llmproxy.install;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code --setup} added, so that {@code --uninstall} removes exactly that: files it wrote (with their
 * checksum: a file changed since is kept), directories it created, rc files it changed (and whether it created
 * them or added a final newline). One tab-separated entry per line in {@code $XDG_STATE_HOME/llm-proxy/installed}.
 */
final class Manifest {

  record Entry(String kind, String path, String a, String b) {
    String line() {
      return kind + "\t" + path + "\t" + a + "\t" + b;
    }
  }

  private final Path file;
  private final List<Entry> entries = new ArrayList<>();

  private Manifest(Path file) {
    this.file = file;
  }

  static Manifest load(Path file) throws IOException {
    Manifest m = new Manifest(file);
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] f = line.split("\t", -1);
        if (f.length == 4) {
          m.entries.add(new Entry(f[0], f[1], f[2], f[3]));
        }
      }
    }
    return m;
  }

  List<Entry> entries() {
    return List.copyOf(entries);
  }

  Entry find(String kind, Path path) {
    return entries.stream().filter(e -> e.kind().equals(kind) && e.path().equals(path.toString()))
        .findFirst().orElse(null);
  }

  /** Records (or updates) an entry for this kind and path. */
  void put(String kind, Path path, String a, String b) {
    entries.removeIf(e -> e.kind().equals(kind) && e.path().equals(path.toString()));
    entries.add(new Entry(kind, path.toString(), a, b));
  }

  void save() throws IOException {
    Files.createDirectories(file.getParent());
    StringBuilder text = new StringBuilder();
    entries.forEach(e -> text.append(e.line()).append('\n'));
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  void delete() throws IOException {
    Files.deleteIfExists(file);
  }
}
