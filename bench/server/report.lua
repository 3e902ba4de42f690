-- wrk summary in one parseable block: requests/s, latency percentiles, errors.
-- Loaded by search.lua; used alone for GET benchmarks (wrk -s report.lua).
function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("requests      %d in %.1f s\n", summary.requests, seconds))
  io.write(string.format("requests/s    %.1f\n", summary.requests / seconds))
  io.write(string.format("latency_ms    p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
                         latency:percentile(50) / 1000, latency:percentile(90) / 1000,
                         latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("socket_errors connect %d  read %d  write %d  timeout %d\n",
                         e.connect, e.read, e.write, e.timeout))
  io.write(string.format("non_2xx       %d\n", e.status))
end
