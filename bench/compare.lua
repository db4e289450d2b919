-- wrk script for bench/compare.sh: a chat completion for alias "echo" (non-stream), whose user message is
-- KB kilobytes long when KB is set (a coding agent's long prompt), else "hi". At the end it prints one line:
-- RESULT <requests> <req/s> <p50 µs> <p99 µs> <p99.9 µs> <non-2xx> <socket errors>.
-- With PER_SECOND=1 it also counts answers per wall-clock second (the warm-up curve) and prints them.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local kb = tonumber(os.getenv("KB") or "0")
local content = kb > 0 and string.rep("x", kb * 1024) or "hi"
wrk.body = '{"model":"echo","messages":[{"role":"user","content":"' .. content .. '"}]}'

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

if os.getenv("PER_SECOND") == "1" then
  answered = {}
  function response(status, headers, body)
    local s = os.time()
    answered[s] = (answered[s] or 0) + 1
  end
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %d %.0f %d %d %d %d %d\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9), summary.errors.status, errors))
  if os.getenv("PER_SECOND") == "1" then
    local total = {}
    for _, t in ipairs(threads) do
      for s, n in pairs(t:get("answered")) do
        total[s] = (total[s] or 0) + n
      end
    end
    local seconds = {}
    for s in pairs(total) do
      table.insert(seconds, s)
    end
    table.sort(seconds)
    local counts = {}
    for i = 1, #seconds do
      table.insert(counts, total[seconds[i]])
    end
    io.write("PER_SECOND " .. table.concat(counts, " ") .. "\n")
  end
end
