// The official OpenAI Node SDK's Responses API (what Codex and current SDK versions call) through a proxy in the
// transparent mode: node responses.mjs <proxy base url> <model> <expected text>
import OpenAI from "openai";

const [base, model, expected] = process.argv.slice(2);
const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: "sk-client-own-key-for-passthrough", maxRetries: 0 });

const plain = await client.responses.create({ model, input: "hi" });
if (plain.output_text !== expected) {
  throw new Error(`responses.create: expected ${expected}, got ${JSON.stringify(plain)}`);
}
let streamed = "";
let completed = false;
const stream = await client.responses.create({ model, input: "hi", stream: true });
for await (const event of stream) {
  if (event.type === "response.output_text.delta") streamed += event.delta;
  if (event.type === "response.completed") completed = true;
}
if (streamed !== expected || !completed) {
  throw new Error(`responses.create stream: expected ${expected} and response.completed, got ${streamed}`);
}
console.log("responses passthrough checks passed");
