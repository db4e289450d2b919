package dev.llmproxy.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.JarProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar as a user's shell meets it, in a temporary HOME: a proxy started with --register publishes its
 * port, `eval "$(llm-proxy --env)"` points a curl at it, and when it stops the variables go away again.
 */
class EnvIT {

  @TempDir Path home;

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("HOME", home.toString());
    env.put("XDG_STATE_HOME", home.resolve(".local/state").toString());
    env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
    env.put("SHELL", "/bin/bash");
    return env;
  }

  private String cli(Map<String, String> env, String... args) throws Exception {
    try (JarProcess p = JarProcess.start(home, env, args)) {
      p.waitFor(60);
      return p.output();
    }
  }

  /** Runs a bash script with the test's HOME; returns its output. */
  private String bash(String script, Map<String, String> env) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.endsWith("_BASE_URL") || k.equals("LLM_PROXY_URL"));
    pb.environment().putAll(env);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return output;
  }

  @Test
  void envPointsClientsAtTheRunningProxyAndNothingOnceItStopped() throws Exception {
    Path config = Files.writeString(home.resolve("config.yaml"), """
        listen: "127.0.0.1:0"
        backends: [{name: local, type: echo}]
        models: {gpt-4: [{backend: local, model: echo}]}
        """);
    Path portFile = home.resolve(".local/state/llm-proxy/port");
    String exports;
    try (JarProcess proxy = JarProcess.start(home, env(), "--register", "-config", config.toString())) {
      proxy.awaitLine("registered in", 60);
      int port = Integer.parseInt(Files.readString(portFile).trim());

      exports = cli(env(), "--env");
      assertEquals(List.of("export LLM_PROXY_URL=http://127.0.0.1:" + port,
          "export ANTHROPIC_BASE_URL=http://127.0.0.1:" + port,
          "export OPENAI_BASE_URL=http://127.0.0.1:" + port + "/v1"), exports.lines().toList());

      Map<String, String> withExports = env();
      withExports.put("EXPORTS", exports);
      String answer = bash("""
          eval "$EXPORTS"
          curl -s "$OPENAI_BASE_URL/chat/completions" -H 'content-type: application/json' \
            -d '{"model":"gpt-4","messages":[{"role":"user","content":"through the env"}]}'
          """, withExports);
      assertTrue(answer.contains("[echo] through the env"), answer);

      String status = cli(env(), "--status");
      assertTrue(status.contains("status:  running, http://127.0.0.1:" + port), status);

      proxy.process().toHandle().destroy();  // SIGTERM: drains, then removes the port file
      assertTrue(proxy.process().waitFor(30, TimeUnit.SECONDS));
    }
    assertFalse(Files.exists(portFile), "the port file is removed at stop");
    assertEquals("", cli(env(), "--env"), "nothing while the proxy is down: the shell talks to providers directly");

    // A shell that inherited the exports gets them unset; variables it set itself are left alone.
    Map<String, String> inherited = env();
    exports.lines().forEach(l -> {
      String[] kv = l.substring("export ".length()).split("=", 2);
      inherited.put(kv[0], kv[1]);
    });
    inherited.put("OPENAI_BASE_URL", "https://my-own-gateway.example/v1");
    assertEquals("unset ANTHROPIC_BASE_URL LLM_PROXY_URL", cli(inherited, "--env").trim());
    String status = cli(env(), "--status");
    assertTrue(status.contains("status:  not running"), status);
  }

  @Test
  void installedLauncherRunsTheInstalledJar() throws Exception {
    String setup = cli(env(), "--setup", "--no-systemctl");
    assertTrue(setup.contains("wrote " + home.resolve(".local/bin/llm-proxy")), setup);
    String status = bash("\"$HOME/.local/bin/llm-proxy\" --status; echo \"exit=$?\"", env());
    assertTrue(status.startsWith("llm-proxy ") && status.contains("status:  not running")
        && status.contains("service: " + home.resolve(".config/systemd/user/llm-proxy.service")), status);
    assertTrue(status.contains("exit=3"), status);
    // The capture directory as the proxy resolves the installed config, not just "configured somewhere".
    Path captures = home.resolve(".local/share/llm-proxy/capture");
    assertTrue(status.contains("capture: " + captures + " (dataset), store sqlite:" + captures.resolve("requests.db")),
        status);
    // The rc line itself, with the proxy down: evaluates to nothing and leaves the shell working.
    String rc = bash("source \"$HOME/.bashrc\"; echo \"ok ${OPENAI_BASE_URL:-unset}\"", env());
    assertEquals("ok unset", rc.trim());
    assertTrue(cli(env(), "--uninstall", "--no-systemctl").contains("removed " + home.resolve(".local/bin/llm-proxy")));
    assertFalse(Files.exists(home.resolve(".bashrc")));
  }
}
