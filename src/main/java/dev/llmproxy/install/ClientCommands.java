package dev.llmproxy.install;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The client-side commands: {@code --env}, {@code --setup-shell}, {@code --setup}, {@code --status},
 * {@code --uninstall}. {@code Main} hands them over before anything else is loaded (no Vert.x, no logging), so
 * {@code --env} — run by every new shell — stays fast.
 */
public final class ClientCommands {

  static final Set<String> COMMANDS = Set.of("--env", "--setup-shell", "--setup", "--status", "--uninstall");

  public static final String USAGE = """
        --env                   print the shell exports that point OpenAI/Anthropic clients at the running
                                proxy (nothing when it does not answer): eval "$(llm-proxy --env)"
        --setup-shell           add that eval line to ~/.bashrc / ~/.zshrc (once)
        --setup                 also install ~/.local/bin/llm-proxy, a systemd user unit and, the first time,
                                the transparent config ~/.config/llm-proxy/config.yaml; then start the unit
        --status                running or not, port, config, capture, version (exit 0 running, 3 not)
        --uninstall             remove exactly what --setup added
        --no-systemctl          with --setup/--uninstall: write/remove files only, leave systemd alone
        --register              (server) publish the port in ~/.local/state/llm-proxy/port while serving
      """;

  private ClientCommands() {}

  /** Whether {@code argv} is a client command (to be run instead of the server). */
  public static boolean handles(String[] argv) {
    for (String a : argv) {
      if (COMMANDS.contains(a)) {
        return true;
      }
    }
    return false;
  }

  /**
   * @param capture reads a config file and says where its captures go, resolved as the proxy resolves them;
   *     called by {@code --status} only (it may load the config machinery, which {@code --env} must not)
   */
  public static int run(String[] argv, PrintStream out, PrintStream err, CaptureLocator capture) {
    return run(argv, out, err, System.getenv(), ClientCommands::runningJar, ClientCommands::systemctl, capture);
  }

  interface JarLocator {
    Path jar() throws IOException;
  }

  /** Where the captures of a config go: {@code --status}'s capture line. */
  @FunctionalInterface
  public interface CaptureLocator {
    String describe(Path config);
  }

  static int run(String[] argv, PrintStream out, PrintStream err, Map<String, String> env, JarLocator jar,
      Installer.SystemCtl systemctl) {
    return run(argv, out, err, env, jar, systemctl, config -> "(not known to this caller)");
  }

  static int run(String[] argv, PrintStream out, PrintStream err, Map<String, String> env, JarLocator jar,
      Installer.SystemCtl systemctl, CaptureLocator capture) {
    String command = null;
    boolean useSystemctl = true;
    for (String a : argv) {
      if (COMMANDS.contains(a)) {
        if (command != null) {
          err.println("llm-proxy: " + command + " and " + a + " cannot be combined");
          return 2;
        }
        command = a;
      } else if (a.equals("--no-systemctl")) {
        useSystemctl = false;
      } else {
        err.println("llm-proxy: unknown argument \"" + a + "\" for " + String.join(" ", argv));
        return 2;
      }
    }
    Layout layout = Layout.of(env);
    Installer installer = new Installer(layout, out, useSystemctl ? systemctl : Installer.SystemCtl.NONE);
    try {
      switch (command) {
        case "--env" -> env(layout, env, out);
        case "--status" -> {
          return status(layout, out, capture);
        }
        case "--setup-shell" -> installer.setupShell();
        case "--setup" -> installer.setup(jar.jar(), useSystemctl);
        case "--uninstall" -> installer.uninstall(useSystemctl);
        default -> throw new IllegalStateException(command);
      }
      return 0;
    } catch (IOException | RuntimeException e) {
      err.println("llm-proxy: " + command + " failed: " + e.getMessage());
      return 1;
    }
  }

  /**
   * Exports only when the proxy answers. When it does not, and this shell inherited variables that pointed at
   * it, they are unset, so clients talk to the providers directly again.
   */
  static void env(Layout layout, Map<String, String> env, PrintStream out) {
    OptionalInt port = new StateFile(layout.portFile()).read();
    if (port.isPresent() && ProxyProbe.answers(port.getAsInt())) {
      String url = "http://127.0.0.1:" + port.getAsInt();
      out.println("export LLM_PROXY_URL=" + url);
      out.println("export ANTHROPIC_BASE_URL=" + url);
      out.println("export OPENAI_BASE_URL=" + url + "/v1");
      return;
    }
    String previous = env.get("LLM_PROXY_URL");
    if (previous == null || previous.isBlank()) {
      return;
    }
    List<String> stale = new ArrayList<>();
    for (String name : List.of("ANTHROPIC_BASE_URL", "OPENAI_BASE_URL")) {
      String value = env.get(name);
      if (value != null && value.startsWith(previous)) {
        stale.add(name);
      }
    }
    stale.add("LLM_PROXY_URL");
    out.println("unset " + String.join(" ", stale));
  }

  static int status(Layout layout, PrintStream out, CaptureLocator capture) {
    OptionalInt port = new StateFile(layout.portFile()).read();
    boolean running = port.isPresent() && ProxyProbe.answers(port.getAsInt());
    String version = ClientCommands.class.getPackage().getImplementationVersion();
    out.println("llm-proxy " + (version == null ? "dev" : version));
    if (running) {
      out.println("status:  running, http://127.0.0.1:" + port.getAsInt() + " (port " + port.getAsInt() + ")");
    } else if (port.isPresent()) {
      out.println("status:  not running (port " + port.getAsInt() + " recorded in " + layout.portFile()
          + ", nothing answers)");
    } else {
      out.println("status:  not running (no " + layout.portFile() + ")");
    }
    out.println("config:  " + layout.config() + (Files.exists(layout.config()) ? "" : " (missing: run --setup)"));
    out.println("capture: " + (Files.exists(layout.config()) ? capture.describe(layout.config()) : "off (no config)"));
    out.println("service: " + layout.unit() + (Files.exists(layout.unit()) ? "" : " (not installed)"));
    for (Path rc : layout.rcFiles()) {
      if (Files.exists(rc)) {
        out.println("shell:   " + rc + (RcFiles.integrated(rc) ? " (integrated)" : " (not integrated)"));
      }
    }
    return running ? 0 : 3;
  }

  private static Path runningJar() throws IOException {
    try {
      Path location = Path.of(ClientCommands.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (!Files.isRegularFile(location)) {
        throw new IOException("run --setup from the jar: java -jar llm-proxy.jar --setup");
      }
      return location;
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
  }

  private static boolean systemctl(String... args) {
    List<String> command = new ArrayList<>(List.of("systemctl"));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
