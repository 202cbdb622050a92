-- wrk script for bench/webhook_ack.py: POST a Telegram update with a unique update_id per request.
--
--   wrk ... -s bench/webhook_update.lua URL -- <base_id> <secret> <body_prefix> <body_suffix>
--
-- The body is body_prefix .. update_id .. body_suffix. Each wrk thread counts up from
-- base_id + thread_index * STRIDE, so ids never repeat across threads (a thread would need
-- STRIDE requests to reach the next one's range). done() prints one line "WRK_JSON {...}".

STRIDE = 100000000
threads = {}

function setup(thread)
  thread:set("thread_index", #threads)  -- a global in that thread's Lua state
  table.insert(threads, thread)
end

function init(args)
  next_id = tonumber(args[1]) + thread_index * STRIDE
  prefix, suffix = args[3], args[4]
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-Telegram-Bot-Api-Secret-Token"] = args[2]
end

function request()
  next_id = next_id + 1
  return wrk.format(nil, nil, nil, prefix .. string.format("%.0f", next_id) .. suffix)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
