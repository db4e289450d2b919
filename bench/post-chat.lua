-- wrk script: POST a small non-streaming chat completion for the alias in env MODEL (default "echo").
local model = os.getenv("MODEL") or "echo"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"' .. model .. '","messages":[{"role":"user","content":"hi"}]}'
