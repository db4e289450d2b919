// Mid-stream recovery as the official SDKs see it: the proxy's first route cuts the stream after part of the
// answer, the next route finishes it, and the SDKs' own stream helpers must assemble one answer that equals the
// whole text, from one coherent stream.
// Usage: node recovery.mjs <base-url-without-/v1> <openai-alias> <anthropic-alias> <expected-text>
// Prints one line per check and exits non-zero on the first failure.
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";

const [base, openaiAlias, anthropicAlias, expected] = process.argv.slice(2);
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

// OpenAI: the SDK's stream helper accumulates the chunks into one completion.
const ids = new Set();
let roles = 0;
let finishes = 0;
let usage = null;
const stream = openai.chat.completions.stream({
  model: openaiAlias,
  stream_options: { include_usage: true },
  messages: [{ role: "user", content: "count to forty" }],
});
stream.on("chunk", (chunk) => {
  ids.add(chunk.id);
  if (chunk.choices[0]?.delta?.role) roles++;
  if (chunk.choices[0]?.finish_reason) finishes++;
  if (chunk.usage) usage = chunk.usage;
});
const completion = await stream.finalChatCompletion();
const text = completion.choices[0].message.content;
check("openai recovered stream: the whole answer", text === expected, JSON.stringify(text));
check("openai recovered stream: one id, one role, one finish", ids.size === 1 && roles === 1 && finishes === 1
  && completion.choices.length === 1 && completion.choices[0].finish_reason === "stop",
  `ids=${[...ids]} roles=${roles} finishes=${finishes} choices=${completion.choices.length}`);
check("openai recovered stream: usage summed and marked partial", usage?.llm_proxy_partial === true
  && usage.completion_tokens > 0, JSON.stringify(usage));

// Anthropic: messages.stream() rejects a second message_start and places deltas by block index.
const deltas = [];
const messageStream = anthropic.messages.stream({
  model: anthropicAlias,
  max_tokens: 200,
  messages: [{ role: "user", content: "count to forty" }],
});
messageStream.on("text", (t) => deltas.push(t));
const message = await messageStream.finalMessage();
check("anthropic recovered stream: final message text is the whole answer",
  message.content.length === 1 && message.content[0].type === "text" && message.content[0].text === expected,
  JSON.stringify(message.content));
check("anthropic recovered stream: text events add up to it", deltas.join("") === expected, deltas.join("|"));
check("anthropic recovered stream: one stop reason, usage of both legs",
  message.stop_reason === "end_turn" && message.usage.input_tokens === 20 && message.usage.output_tokens > 0,
  JSON.stringify({ stop: message.stop_reason, usage: message.usage }));
console.log("all recovery checks passed");
