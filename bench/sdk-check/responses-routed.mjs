// The official OpenAI Node SDK's Responses API against model aliases routed by the proxy (not passed through).
// Usage: node responses-routed.mjs <base-url-without-/v1> <expected text>
// Expects the aliases of sdk/RoutedResponsesSdkIT: plain, streamed, helper, streamed500 (each: a first route that
// fails before the first byte, a second that answers <expected text>), cut (a stream cut after its first output),
// echo (the built-in echo backend). Every request carries x-trace-id sdk-<step>, so the test can read its access
// line. Prints one line per check and exits non-zero on the first failure.
import OpenAI from "openai";

const [base, expected] = process.argv.slice(2);
const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: process.env.LLM_PROXY_KEY || "unused", maxRetries: 0 });
const trace = (step) => ({ headers: { "x-trace-id": `sdk-${step}` } });

function check(name, condition, detail) {
  if (!condition) {
    console.error(`FAIL ${name}: ${detail}`);
    process.exit(1);
  }
  console.log(`ok ${name}`);
}

async function streamed(model, step) {
  const stream = await client.responses.create({ model, input: "hi", stream: true }, trace(step));
  let text = "";
  let completed = null;
  for await (const event of stream) {
    if (event.type === "response.output_text.delta") text += event.delta;
    if (event.type === "response.completed") completed = event.response;
  }
  return { text, completed };
}

// A first route answering 500: the SDK gets the second route's answer.
const plain = await client.responses.create({ model: "plain", input: "hi" }, trace("plain"));
check("responses.create after a 500", plain.output_text === expected, JSON.stringify(plain));

// A first route whose stream opens with response.failed: the client never sees it.
const s = await streamed("streamed", "streamed");
check("responses.create stream after response.failed", s.text === expected && s.completed?.usage?.output_tokens > 0,
  JSON.stringify(s));

// The stream helper, its first route opening with an error event.
const helper = client.responses.stream({ model: "helper", input: "hi" }, trace("helper"));
let deltas = "";
helper.on("response.output_text.delta", (event) => (deltas += event.delta));
const final = await helper.finalResponse();
check("responses.stream() after an error event", final.output_text === expected && deltas === expected,
  `${deltas} / ${JSON.stringify(final)}`);

// A stream request whose first route answers 500 before any event.
const s500 = await streamed("streamed500", "streamed500");
check("responses.create stream after a 500", s500.text === expected, JSON.stringify(s500));

// A stream cut after its first output: the SDK raises, never mistakes it for a complete answer.
let got = "";
try {
  const cut = await client.responses.create({ model: "cut", input: "hi", stream: true }, trace("cut"));
  for await (const event of cut) {
    if (event.type === "response.output_text.delta") got += event.delta;
  }
  check("a cut stream raises", false, `ended cleanly after "${got}"`);
} catch (e) {
  check("a cut stream raises APIError after its output", e instanceof OpenAI.APIError
    && String(e.message).includes("stream interrupted") && got.length > 0 && expected.startsWith(got),
    `${e} after "${got}"`);
}
try {
  await client.responses.stream({ model: "cut", input: "hi" }, trace("cut-helper")).finalResponse();
  check("a cut stream rejects finalResponse()", false, "resolved");
} catch (e) {
  check("a cut stream rejects finalResponse()", e instanceof OpenAI.APIError, String(e));
}

// Errors in the Responses API's (OpenAI's) error shape.
try {
  await client.responses.create({ model: "no-such-alias", input: "x" });
  check("unknown alias raises", false, "no error");
} catch (e) {
  check("unknown alias raises NotFoundError", e instanceof OpenAI.NotFoundError && e.code === "model_not_found",
    String(e));
}

// The built-in echo backend speaks the Responses API too, plain and streamed.
const echo = await client.responses.create({ model: "echo", input: "hello echo" });
check("echo responses.create", echo.output_text === "[echo] hello echo", JSON.stringify(echo));
const echoed = await client.responses.stream({ model: "echo", input: "stream echo" }).finalResponse();
check("echo responses.stream()", echoed.output_text === "[echo] stream echo", JSON.stringify(echoed));

console.log("routed responses checks passed");
