-- wrk script for bench/translation-overhead.sh: a small request for alias MODEL in the client protocol PROTO
-- (openai: a chat completion; anthropic: a messages request), streamed when STREAM=1.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local stream = os.getenv("STREAM") == "1" and "true" or "false"
local model = os.getenv("MODEL")
if os.getenv("PROTO") == "anthropic" then
  wrk.headers["anthropic-version"] = "2023-06-01"
  wrk.body = '{"model":"' .. model .. '","max_tokens":64,"stream":' .. stream
    .. ',"messages":[{"role":"user","content":"hi"}]}'
else
  wrk.body = '{"model":"' .. model .. '","stream":' .. stream .. ',"messages":[{"role":"user","content":"hi"}]}'
end
