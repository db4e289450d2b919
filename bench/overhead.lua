-- wrk script for bench/proxy-overhead.sh: a small chat completion for alias "echo", streamed when STREAM=1.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local stream = os.getenv("STREAM") == "1" and "true" or "false"
wrk.body = '{"model":"echo","stream":' .. stream .. ',"messages":[{"role":"user","content":"hi"}]}'
