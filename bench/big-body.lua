-- wrk script for bench/memory-bench.sh: a non-streaming chat completion for alias "echo" whose user message is
-- KB kilobytes long (default 1024): the prompt-heavy requests of coding agents, which the proxy buffers and parses.
local kb = tonumber(os.getenv("KB") or "1024")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"echo","messages":[{"role":"user","content":"' .. string.rep("x", kb * 1024) .. '"}]}'
