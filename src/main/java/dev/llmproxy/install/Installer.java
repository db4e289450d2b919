package dev.llmproxy.install;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code --setup-shell}, {@code --setup} and {@code --uninstall}. Setup is idempotent (a second run changes
 * nothing it already did, and refreshes the launcher, unit and jar); uninstall removes exactly what the manifest
 * says setup added, and keeps a file the user changed since.
 */
final class Installer {

  private final Layout layout;
  private final PrintStream out;
  private final SystemCtl systemctl;

  /** The user's systemd, or nothing ({@code --no-systemctl}, tests, machines without it). */
  interface SystemCtl {
    /** @return whether the command ran and succeeded */
    boolean run(String... args);

    SystemCtl NONE = args -> false;
  }

  Installer(Layout layout, PrintStream out, SystemCtl systemctl) {
    this.layout = layout;
    this.out = out;
    this.systemctl = systemctl;
  }

  void setupShell() throws IOException {
    Manifest manifest = Manifest.load(layout.manifest());
    dirs(manifest, layout.stateDir());  // where the manifest itself lives
    shell(manifest);
    manifest.save();
    if (!Files.isExecutable(layout.launcher())) {
      out.println("note: " + layout.launcher() + " is not installed yet; run --setup to install it");
    }
  }

  private void shell(Manifest manifest) throws IOException {
    for (Path rc : layout.rcFiles()) {
      boolean wanted = Files.exists(rc) || rc.equals(layout.shellRc());
      if (!wanted) {
        continue;
      }
      out.println((RcFiles.add(rc, manifest) ? "added to " : "already in ") + rc + ": " + RcFiles.LINE);
    }
  }

  /** @param jar the running jar, copied where the launcher finds it */
  void setup(Path jar, boolean useSystemctl) throws IOException {
    Manifest manifest = Manifest.load(layout.manifest());
    dirs(manifest, layout.stateDir());  // where the manifest itself lives
    if (!jar.toAbsolutePath().normalize().equals(layout.jar().toAbsolutePath().normalize())) {
      dirs(manifest, layout.shareDir());
      Path tmp = layout.jar().resolveSibling(".llm-proxy.jar.tmp");
      Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, layout.jar(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      manifest.put("file", layout.jar(), sha256(layout.jar()), "-");
      out.println("installed " + layout.jar());
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    write(manifest, layout.launcher(), template("llm-proxy.sh").replace("@JAVA@", java), true);
    write(manifest, layout.unit(), unit(), false);
    if (!Files.exists(layout.config())) {
      write(manifest, layout.config(), config(), false);
    } else {
      out.println("kept " + layout.config() + " (exists)");
    }
    shell(manifest);
    manifest.save();
    if (useSystemctl && systemctl.run("--user", "daemon-reload")
        && systemctl.run("--user", "enable", "--now", "llm-proxy.service")) {
      manifest.put("service", layout.unit(), "enabled", "-");
      manifest.save();
      out.println("started: systemctl --user status llm-proxy");
    } else {
      out.println("to start it now and at login: systemctl --user daemon-reload && "
          + "systemctl --user enable --now llm-proxy");
    }
    out.println("new shells send their OpenAI and Anthropic clients through it while it runs (llm-proxy --status)");
  }

  /** The transparent mode's config, capturing into this user's data directory (absolute, so the unit needs no cwd). */
  String config() {
    return template("config.yaml")
        .replace("@CAPTURE_DIR@", yamlString(layout.captureDir().toString()))
        .replace("@CAPTURE_STORE@", yamlString(layout.captureDir().resolve("requests.db").toString()));
  }

  /** A double-quoted YAML scalar: any path, spaces and quotes included, reads back as itself. */
  static String yamlString(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  String unit() {
    return template("llm-proxy.service")
        .replace("@LAUNCHER@", layout.launcher().toString())
        .replace("@CONFIG@", layout.config().toString())
        .replace("@PORT_FILE@", layout.portFile().toString())
        .replace("@STATE_HOME@", layout.stateDir().getParent().toString());
  }

  private void write(Manifest manifest, Path file, String content, boolean executable) throws IOException {
    dirs(manifest, file.getParent());
    Manifest.Entry previous = manifest.find("file", file);
    if (Files.exists(file) && previous == null) {
      // Not ours: a launcher or unit the user put there. Replacing it would make uninstall destroy their file.
      out.println("kept " + file + " (exists and was not installed by llm-proxy)");
      return;
    }
    Files.writeString(file, content, StandardCharsets.UTF_8);
    if (executable) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    manifest.put("file", file, sha256(file), "-");
    out.println("wrote " + file);
  }

  /** Creates missing directories, recording each, so uninstall removes the ones left empty. */
  private static void dirs(Manifest manifest, Path dir) throws IOException {
    List<Path> missing = new ArrayList<>();
    for (Path d = dir.toAbsolutePath(); d != null && !Files.exists(d); d = d.getParent()) {
      missing.add(d);
    }
    Files.createDirectories(dir);
    missing.forEach(d -> manifest.put("dir", d, "-", "-"));
  }

  void uninstall(boolean useSystemctl) throws IOException {
    Manifest manifest = Manifest.load(layout.manifest());
    if (manifest.entries().isEmpty()) {
      out.println("nothing to remove: llm-proxy --setup was not run for " + layout.home());
      return;
    }
    if (useSystemctl && manifest.find("service", layout.unit()) != null) {
      systemctl.run("--user", "disable", "--now", "llm-proxy.service");
    }
    for (Manifest.Entry e : manifest.entries()) {
      Path path = Path.of(e.path());
      switch (e.kind()) {
        case "rc" -> {
          if (RcFiles.remove(path, e)) {
            out.println("removed the llm-proxy line from " + path);
          }
        }
        case "file" -> {
          if (!Files.exists(path)) {
            continue;
          }
          if (sha256(path).equals(e.a())) {
            Files.delete(path);
            out.println("removed " + path);
          } else {
            out.println("kept " + path + " (changed since setup)");
          }
        }
        default -> { }
      }
    }
    if (useSystemctl && manifest.find("service", layout.unit()) != null) {
      systemctl.run("--user", "daemon-reload");
    }
    manifest.delete();
    List<Path> dirs = new ArrayList<>(manifest.entries().stream().filter(e -> e.kind().equals("dir"))
        .map(e -> Path.of(e.path())).toList());
    dirs.add(layout.stateDir());
    dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    for (Path d : dirs) {
      try (var children = Files.list(d)) {
        if (children.findAny().isEmpty()) {
          Files.delete(d);
        }
      } catch (IOException gone) {
        // already gone, or not empty: either way not ours to remove
      }
    }
    if (Files.exists(layout.captureDir())) {
      out.println("kept " + layout.captureDir() + " (captured traffic: yours to delete)");
    }
  }

  static String template(String name) {
    try (InputStream in = Installer.class.getResourceAsStream("/install/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource /install/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
