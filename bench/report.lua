-- wrk script: counts responses that are not 200 (wrk itself counts only statuses above 399)
-- and prints the run's figures as one line of JSON, prefixed so the harness can find it.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non_200 = 0
  first_bad_status = 0
end

function response(status, headers, body)
  if status ~= 200 then
    non_200 = non_200 + 1
    if first_bad_status == 0 then
      first_bad_status = status
    end
  end
end

function done(summary, latency, requests)
  local non_200, first_bad_status = 0, 0
  for _, thread in ipairs(threads) do
    non_200 = non_200 + thread:get("non_200")
    if first_bad_status == 0 then
      first_bad_status = thread:get("first_bad_status")
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "socket_errors": %d, "non_200": %d, "first_bad_status": %d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    errors.connect + errors.read + errors.write + errors.timeout,
    non_200, first_bad_status))
end
