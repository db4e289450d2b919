-- wrk script for bench/responses-overhead.sh: a small Responses API request for alias "echo", streamed when STREAM=1.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local stream = os.getenv("STREAM") == "1" and "true" or "false"
wrk.body = '{"model":"echo","stream":' .. stream .. ',"input":"hi"}'
