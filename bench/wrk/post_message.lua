-- wrk script for ./bench/run --mode api: POST /v1/messages with a small JSON message, and a count
-- of the answers that are not 2xx (wrk's own "Non-2xx or 3xx" line lets 3xx through).
wrk.method = "POST"
wrk.path = "/v1/messages"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"destination":"bench","payload":{"n":1}}'

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  last_bad = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    last_bad = status
  end
end

function done(summary, latency, requests)
  local n, bad = 0, 0
  for _, t in ipairs(threads) do
    n = n + t:get("non2xx")
    if t:get("last_bad") ~= 0 then bad = t:get("last_bad") end
  end
  io.write(string.format("non-2xx responses: %d (last status %d)\n", n, bad))
end
