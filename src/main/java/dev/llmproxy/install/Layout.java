package dev.llmproxy.install;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where the installed pieces live, following the XDG base directories: state (the port file, the install
 * manifest) in {@code $XDG_STATE_HOME/llm-proxy}, the config in {@code $XDG_CONFIG_HOME/llm-proxy}, the unit in
 * {@code $XDG_CONFIG_HOME/systemd/user}, the launcher in {@code ~/.local/bin}, the jar in
 * {@code ~/.local/share/llm-proxy} (where the launcher finds it: {@code ../share/llm-proxy/} from itself), and the
 * default config's captured traffic beside it, in {@code ~/.local/share/llm-proxy/capture}.
 */
record Layout(Path home, Path stateDir, Path configDir, Path unitDir, Path binDir, Path shareDir, String shell) {

  static Layout of(Map<String, String> env) {
    Path home = Path.of(env.getOrDefault("HOME", System.getProperty("user.home")));
    Path state = xdg(env, "XDG_STATE_HOME", home.resolve(".local/state"));
    Path config = xdg(env, "XDG_CONFIG_HOME", home.resolve(".config"));
    return new Layout(home, state.resolve("llm-proxy"), config.resolve("llm-proxy"),
        config.resolve("systemd/user"), home.resolve(".local/bin"), home.resolve(".local/share/llm-proxy"),
        env.getOrDefault("SHELL", ""));
  }

  /** An XDG variable counts only when it is an absolute path (the specification says to ignore others). */
  private static Path xdg(Map<String, String> env, String name, Path fallback) {
    String value = env.get(name);
    return value != null && !value.isBlank() && Path.of(value).isAbsolute() ? Path.of(value) : fallback;
  }

  Path portFile() {
    return stateDir.resolve("port");
  }

  Path manifest() {
    return stateDir.resolve("installed");
  }

  Path config() {
    return configDir.resolve("config.yaml");
  }

  /** Where the transparent mode's default config captures traffic (kept by --uninstall: it is the user's data). */
  Path captureDir() {
    return shareDir.resolve("capture");
  }

  Path unit() {
    return unitDir.resolve("llm-proxy.service");
  }

  Path launcher() {
    return binDir.resolve("llm-proxy");
  }

  Path jar() {
    return shareDir.resolve("llm-proxy.jar");
  }

  /** The rc file of the login shell: created if missing (the others are changed only if they exist). */
  Path shellRc() {
    return home.resolve(shell.endsWith("zsh") ? ".zshrc" : ".bashrc");
  }

  List<Path> rcFiles() {
    return List.of(home.resolve(".bashrc"), home.resolve(".zshrc"));
  }
}
