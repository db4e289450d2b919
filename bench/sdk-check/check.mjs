// Drives a running llm-proxy with the official SDKs, exactly as an application would.
// Usage: node check.mjs <base-url-without-/v1> <openai-alias> <anthropic-alias>
// Prints one line per check and exits non-zero on the first failure.
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";

const [base = "http://127.0.0.1:8765", openaiAlias = "gpt-4", anthropicAlias = "claude"] = process.argv.slice(2);
const apiKey = process.env.LLM_PROXY_KEY || "unused-on-loopback";

function check(name, condition, detail) {
  if (!condition) {
    console.error(`FAIL ${name}: ${detail}`);
    process.exit(1);
  }
  console.log(`ok ${name}`);
}

const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0 });
const anthropic = new Anthropic({ baseURL: base, apiKey, maxRetries: 0 });

const chat = await openai.chat.completions.create({
  model: openaiAlias,
  messages: [{ role: "user", content: "hello from the openai sdk" }],
});
check("openai chat", chat.choices[0].message.content.includes("hello from the openai sdk"), JSON.stringify(chat));

const stream = await openai.chat.completions.create({
  model: openaiAlias,
  stream: true,
  messages: [{ role: "user", content: "stream me please" }],
});
let streamed = "";
let chunks = 0;
for await (const chunk of stream) {
  chunks++;
  streamed += chunk.choices[0]?.delta?.content ?? "";
}
check("openai chat stream", streamed.includes("stream me please") && chunks > 2, `${chunks} chunks: ${streamed}`);

const models = await openai.models.list();
check("openai models.list", models.data.some((m) => m.id === openaiAlias), JSON.stringify(models.data));

const model = await openai.models.retrieve(openaiAlias);
check("openai models.retrieve", model.id === openaiAlias && model.object === "model", JSON.stringify(model));

const embedding = await openai.embeddings.create({ model: openaiAlias, input: "vector" });
check("openai embeddings", embedding.data[0].embedding.length > 0, JSON.stringify(embedding));

try {
  await openai.chat.completions.create({ model: "no-such-alias", messages: [{ role: "user", content: "x" }] });
  check("openai unknown model raises", false, "no error");
} catch (e) {
  check("openai unknown model raises NotFoundError", e instanceof OpenAI.NotFoundError && e.code === "model_not_found", String(e));
}

const message = await anthropic.messages.create({
  model: anthropicAlias,
  max_tokens: 64,
  messages: [{ role: "user", content: "hello from the anthropic sdk" }],
});
check("anthropic messages", message.content[0].text.includes("hello from the anthropic sdk"), JSON.stringify(message));

const events = [];
const anthropicStream = anthropic.messages.stream({
  model: anthropicAlias,
  max_tokens: 64,
  messages: [{ role: "user", content: "anthropic streaming" }],
});
anthropicStream.on("text", (t) => events.push(t));
const final = await anthropicStream.finalMessage();
check("anthropic messages stream", events.join("").includes("anthropic streaming") && final.stop_reason === "end_turn",
  `${events.length} deltas, stop_reason=${final.stop_reason}`);

try {
  await anthropic.messages.create({ model: "no-such-alias", max_tokens: 5, messages: [{ role: "user", content: "x" }] });
  check("anthropic unknown model raises", false, "no error");
} catch (e) {
  check("anthropic unknown model raises NotFoundError", e instanceof Anthropic.NotFoundError, String(e));
}
console.log("all SDK checks passed");
