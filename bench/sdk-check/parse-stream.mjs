// Reads a recorded server-sent event stream with the official SDKs' own stream parsers and accumulators, exactly
// as an application would receive it: a loopback server answers the SDK's request with the file's bytes.
// Usage: node parse-stream.mjs openai|anthropic <file.sse>
// Prints {"final": <accumulated answer>} or {"error": {"class", "status", "message"}} as one JSON line.
import http from "node:http";
import fs from "node:fs";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";

const [protocol, file] = process.argv.slice(2);
const body = fs.readFileSync(file);
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.end(body);
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}`;

let result;
try {
  if (protocol === "openai") {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: "x", maxRetries: 0 });
    const stream = client.chat.completions.stream({
      model: "m",
      messages: [{ role: "user", content: "x" }],
      stream_options: { include_usage: true },
    });
    result = { final: await stream.finalChatCompletion() };
  } else {
    const client = new Anthropic({ baseURL: base, apiKey: "x", maxRetries: 0 });
    const stream = client.messages.stream({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "x" }] });
    result = { final: await stream.finalMessage() };
  }
} catch (e) {
  result = { error: { class: e?.constructor?.name, status: e?.status ?? null, message: String(e?.message ?? e) } };
}
server.close();
console.log(JSON.stringify(result));
