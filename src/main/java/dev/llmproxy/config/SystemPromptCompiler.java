package dev.llmproxy.config;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Compiles the system prompt of each alias: {@code models.<alias>.system_prompt} (inline) or the file
 * {@code <system_prompts_dir>/<alias>.txt}, with {@code models.<alias>.system_prompt_mode}. Pure: the files
 * arrive already read.
 */
final class SystemPromptCompiler {

  static final Set<String> ALIAS_KEYS = Set.of("system_prompt", "system_prompt_mode");

  private SystemPromptCompiler() {}

  static SystemPrompts compile(ConfigNode models, ProxySettings proxy, Set<String> aliases, PromptFiles files) {
    Map<String, String> inline = new LinkedHashMap<>();
    Map<String, PromptMode> modes = new LinkedHashMap<>();
    // The flat form (alias: [routes]) has no room for prompt keys; non-mapping models are reported elsewhere.
    if (models.isMap()) {
      models.entries().forEach((alias, node) -> {
        if (!node.isMap()) {
          return;
        }
        ConfigNode modeNode = node.get("system_prompt_mode");
        String modeText = modeNode.string();
        PromptMode mode = PromptMode.PREPEND;
        if (modeText != null) {
          mode = PromptMode.parse(modeText).orElse(null);
          if (mode == null) {
            modeNode.error("must be prepend, append or replace, got \"" + modeText + "\"");
            mode = PromptMode.PREPEND;
          }
        }
        modes.put(alias, mode);
        String text = node.get("system_prompt").string();
        if (text != null && !text.isBlank()) {
          inline.put(alias, text.strip());
        }
      });
    }
    String checksum = files.checksum();
    if (!proxy.enableSystemPrompt()) {
      return new SystemPrompts(Map.of(), checksum);
    }
    ConfigProblems problems = models.problems();
    Map<String, SystemPrompt> out = new LinkedHashMap<>();
    inline.forEach((alias, text) -> out.put(alias,
        new SystemPrompt(text, modes.get(alias), models.path() + "[\"" + alias + "\"].system_prompt")));
    files.unreadable().forEach((alias, reason) ->
        problems.error(alias.isEmpty() ? String.valueOf(files.dir()) : files.fileOf(alias).toString(), reason));
    files.contents().forEach((alias, bytes) -> {
      String path = files.fileOf(alias).toString();
      if (!aliases.contains(alias)) {
        problems.warn(path, "no model alias \"" + alias + "\" (file ignored); aliases: " + aliases);
        return;
      }
      if (inline.containsKey(alias)) {
        problems.warn(path, "ignored: models[\"" + alias + "\"].system_prompt is set inline and takes precedence");
        return;
      }
      String text;
      try {
        text = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes))
            .toString();
      } catch (CharacterCodingException e) {
        problems.error(path, "not valid UTF-8 text");
        return;
      }
      // A byte order mark and the editor's final newline are not part of the prompt.
      if (text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
      text = text.stripTrailing();
      if (!text.isEmpty()) {
        out.put(alias, new SystemPrompt(text, modes.getOrDefault(alias, PromptMode.PREPEND), path));
      }
    });
    return new SystemPrompts(out, checksum);
  }
}
