-- wrk script: POST a small non-streaming chat completion for the alias in env MODEL (default "echo").
-- With COUNT=1 it also counts 200 answers per wall-clock second and, at the end, prints the accepted rate over
-- the whole seconds in the middle of the run (the partial first and last seconds are left out), so a bucket's
-- start-up tokens and the run's ragged edges do not skew the limiter-accuracy figure.
local model = os.getenv("MODEL") or "echo"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"' .. model .. '","messages":[{"role":"user","content":"hi"}]}'

if os.getenv("COUNT") == "1" then
  accepted = {}   -- global, so done() can read it from each thread

  function response(status, headers, body)
    if status == 200 then
      local s = os.time()
      accepted[s] = (accepted[s] or 0) + 1
    end
  end

  local threads = {}
  function setup(thread)
    table.insert(threads, thread)
  end

  function done(summary, latency, requests)
    local total = {}
    for _, t in ipairs(threads) do
      for s, n in pairs(t:get("accepted")) do
        total[s] = (total[s] or 0) + n
      end
    end
    local seconds = {}
    for s in pairs(total) do
      table.insert(seconds, s)
    end
    table.sort(seconds)
    local sum, full = 0, 0
    -- Skip the first two seconds (the bucket may start with tokens) and the last, partial one.
    for i = 3, #seconds - 1 do
      sum = sum + total[seconds[i]]
      full = full + 1
    end
    io.write(string.format("STEADY_ACCEPTED %d %d\n", sum, full))
  end
end
