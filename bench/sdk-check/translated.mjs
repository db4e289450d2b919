// Protocol translation as the official SDKs see it: each SDK against aliases whose backend speaks the other
// protocol (mock backends started by TranslationSdkIT), plus fallback across protocols and demotion.
// Usage: node translated.mjs <base-url-without-/v1> <expected-text>
// Aliases: to-claude (Anthropic backend), to-gpt (OpenAI backend), mixed (an OpenAI route that fails, then an
// Anthropic one), demoted (a streaming Anthropic backend for non-stream clients).
// Prints one line per check and exits non-zero on the first failure.
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";

const [base, expected] = process.argv.slice(2);
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
const ask = [{ role: "user", content: "say the sentence" }];
const weather = "What is the weather in Paris and in Bogotá?";

// ---- OpenAI SDK → Anthropic-protocol backend ----

const chat = await openai.chat.completions.create({ model: "to-claude", messages: ask });
check("openai → anthropic: chat.completions.create", chat.object === "chat.completion"
  && chat.choices[0].message.content === expected && chat.choices[0].finish_reason === "stop",
  JSON.stringify(chat));
check("openai → anthropic: usage", chat.usage.prompt_tokens === 5 && chat.usage.completion_tokens === 7
  && chat.usage.total_tokens === 12, JSON.stringify(chat.usage));

const stream = await openai.chat.completions.create({
  model: "to-claude", stream: true, stream_options: { include_usage: true }, messages: ask,
});
let streamed = "";
let finish = null;
let streamUsage = null;
let chunks = 0;
for await (const chunk of stream) {
  chunks++;
  streamed += chunk.choices[0]?.delta?.content ?? "";
  finish = chunk.choices[0]?.finish_reason ?? finish;
  if (chunk.usage) streamUsage = chunk.usage;
}
check("openai → anthropic: stream", streamed === expected && finish === "stop" && chunks > 5,
  `${chunks} chunks, finish ${finish}: ${streamed}`);
check("openai → anthropic: stream usage chunk", streamUsage?.prompt_tokens === 10 && streamUsage.completion_tokens > 0,
  JSON.stringify(streamUsage));

const toolStream = openai.chat.completions.stream({
  model: "to-claude",
  stream_options: { include_usage: true },
  messages: [{ role: "user", content: weather }],
  tools: [
    { type: "function", function: { name: "get_weather", parameters: { type: "object" } } },
    { type: "function", function: { name: "get_time", parameters: { type: "object" } } },
  ],
});
const argumentDeltas = [];
toolStream.on("tool_calls.function.arguments.delta", (e) => argumentDeltas.push(e.arguments_delta));
const toolCompletion = await toolStream.finalChatCompletion();
const calls = toolCompletion.choices[0].message.tool_calls ?? [];
check("openai → anthropic: tools streamed, finish tool_calls",
  toolCompletion.choices[0].finish_reason === "tool_calls" && calls.length === 2, JSON.stringify(toolCompletion));
check("openai → anthropic: tool call ids and arguments",
  calls[0].id === "toolu_01T1x1fJ34qAmk2tNTrN7Up6" && calls[0].function.name === "get_weather"
  && JSON.parse(calls[0].function.arguments).location === "San Francisco, CA"
  && calls[1].function.name === "get_time"
  && JSON.parse(calls[1].function.arguments).timezone === "America/Los_Angeles", JSON.stringify(calls));
check("openai → anthropic: arguments arrived as deltas, as the model streamed them", argumentDeltas.length >= 5,
  JSON.stringify(argumentDeltas));
check("openai → anthropic: tool stream usage (cache reads in the prompt)",
  toolCompletion.usage?.total_tokens === 661 && toolCompletion.usage.prompt_tokens_details?.cached_tokens === 100,
  JSON.stringify(toolCompletion.usage));

// ---- Anthropic SDK → OpenAI-protocol backend ----

const message = await anthropic.messages.create({ model: "to-gpt", max_tokens: 64, messages: ask });
check("anthropic → openai: messages.create", message.type === "message" && message.content[0].type === "text"
  && message.content[0].text === expected && message.stop_reason === "end_turn", JSON.stringify(message));
check("anthropic → openai: usage", message.usage.input_tokens === 3 && message.usage.output_tokens === 2,
  JSON.stringify(message.usage));

const texts = [];
const messageStream = anthropic.messages.stream({ model: "to-gpt", max_tokens: 200, messages: ask });
messageStream.on("text", (t) => texts.push(t));
const final = await messageStream.finalMessage();
check("anthropic → openai: messages.stream() final message", final.content.length === 1
  && final.content[0].text === expected && texts.join("") === expected && final.stop_reason === "end_turn",
  JSON.stringify(final));
check("anthropic → openai: stream usage", final.usage.input_tokens === 10 && final.usage.output_tokens > 0,
  JSON.stringify(final.usage));

const toolMessageStream = anthropic.messages.stream({
  model: "to-gpt",
  max_tokens: 200,
  messages: [{ role: "user", content: weather }],
  tools: [{ name: "get_weather", description: "Weather by place", input_schema: { type: "object" } }],
});
let jsonDeltas = 0;
toolMessageStream.on("inputJson", () => jsonDeltas++);
const toolMessage = await toolMessageStream.finalMessage();
const uses = toolMessage.content.filter((b) => b.type === "tool_use");
check("anthropic → openai: tool use", toolMessage.stop_reason === "tool_use" && uses.length === 2
  && uses[0].id === "call_DdmO9pD3xa9XTPNJ32zg2hcA" && uses[0].name === "get_weather"
  && uses[0].input.location === "Paris, France" && uses[1].input.location === "Bogotá, Colombia",
  JSON.stringify(toolMessage.content));
check("anthropic → openai: input_json deltas as they arrived", jsonDeltas >= 5, String(jsonDeltas));

// ---- Fallback across protocols, demotion ----

const fallback = await openai.chat.completions.create({ model: "mixed", messages: ask }).withResponse();
check("fallback: the OpenAI route failed, the Anthropic route served the OpenAI client",
  fallback.data.choices[0].message.content === expected
  && fallback.response.headers.get("x-llm-proxy-backend") === "an"
  && fallback.response.headers.get("x-llm-proxy-attempts") === "2",
  JSON.stringify({ body: fallback.data, backend: fallback.response.headers.get("x-llm-proxy-backend") }));

const demoted = await openai.chat.completions.create({ model: "demoted", messages: ask }).withResponse();
check("demotion: a non-stream client gets one JSON answer from a streaming backend",
  demoted.response.headers.get("content-type").startsWith("application/json")
  && demoted.data.object === "chat.completion" && demoted.data.choices[0].message.content === expected
  && demoted.data.choices[0].finish_reason === "stop" && demoted.data.usage.prompt_tokens === 10,
  JSON.stringify(demoted.data));

console.log("all translation checks passed");
