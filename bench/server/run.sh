#!/usr/bin/env bash
# Throughput and latency of `wissen serve` on the sample index: wrk against GET /healthz and
# POST /api/v1/search (issue 5: >= 1,000 req/s for search with 0 errors).
#
#   bench/server/run.sh                      # 30 s, 32 connections per endpoint
#   WISSEN_BINARY=build-eval/cli/wissen DURATION=10s CONNECTIONS=16 bench/server/run.sh
#   ENDPOINTS=search PERF_OUT=/tmp/search.perf bench/server/run.sh   # profile the server
#
# ENDPOINTS: "healthz search" (default), or either alone. PERF_OUT: `perf record -g` of the
# server for 10 s in the middle of the search run (perf report -i "$PERF_OUT" afterwards).
#
# Sets up a throw-away data directory (embedded PostgreSQL) over samples/, crawls it, adds
# user "bench" with an API key, starts the server on a free 127.0.0.1 port and stops it by
# PID on exit. Needs wrk (Debian: apt-get install wrk), python3 and curl.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
binary="${WISSEN_BINARY:-$repo/build/cli/wissen}"
duration="${DURATION:-30s}"
connections="${CONNECTIONS:-32}"
threads="${THREADS:-2}"
workers="${WORKERS:-4}"
endpoints="${ENDPOINTS:-healthz search}"

[[ -x "$binary" ]] || { echo "no wissen binary at $binary (set WISSEN_BINARY)" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
  echo "wrk is missing; installing it (apt-get install -y wrk)" >&2
  apt-get install -y wrk >/dev/null
fi

# Short path: the embedded cluster's socket path must fit 107 bytes.
work="$(mktemp -d /tmp/wbench.XXXXXX)"
# When wissen runs as root the cluster runs as database.embedded_user, which must enter it.
chmod 755 "$work"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    # Clean shutdown stops the embedded PostgreSQL; give it time before removing its files.
    for _ in $(seq 1 60); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$server_pid" 2>/dev/null; then
      echo "server $server_pid did not stop within 30 s; killing it (data dir kept)" >&2
      kill -KILL "$server_pid" 2>/dev/null || true
      KEEP=1
    fi
  fi
  if [[ -n "${KEEP:-}" ]]; then
    echo "kept $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT INT TERM

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"

# samples/wissen.toml's source (scripts/samples-sources), with absolute paths and the
# benchmark's limits.
cat >"$work/wissen.toml" <<EOF
[data]
dir = "$work/data"

[database]
url = ""

[server]
listen = "127.0.0.1:$port"
workers = $workers

[auth]
# The bench measures the server, not the per-user token bucket (default 120/min).
requests_per_minute = 1000000

[log]
level = "warn"
EOF
"$repo/scripts/samples-sources" "$repo/samples" >>"$work/wissen.toml"

wissen() { "$binary" --config "$work/wissen.toml" "$@"; }

echo "== setup ($work, port $port)" >&2
wissen crawl >"$work/crawl.log" 2>&1 || { cat "$work/crawl.log" >&2; exit 1; }
wissen user add bench --no-password >/dev/null
key="$(wissen key create bench --name bench | tail -n 1)"
[[ -n "$key" ]] || { echo "no API key from wissen key create" >&2; exit 1; }

# The binary itself in the background (not the shell function), so $! is the server's PID.
"$binary" --config "$work/wissen.toml" serve >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
for _ in $(seq 1 240); do
  grep -q listening "$work/serve.out" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.err" >&2; exit 1; }
  sleep 0.25
done
grep -q listening "$work/serve.out" || { echo "server did not start" >&2; exit 1; }
url="http://127.0.0.1:$port"

# One request each first: a wrong setup should fail loudly, not as 100% non-2xx.
curl -fsS "$url/healthz" >/dev/null
curl -fsS -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d '{"query":"Reisekosten","k":5}' "$url/api/v1/search" >/dev/null

echo "date          $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "host          $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server        workers $workers, wrk $threads threads, $connections connections, $duration"
echo
if [[ " $endpoints " == *" healthz "* ]]; then
  echo "== GET /healthz"
  wrk -t"$threads" -c"$connections" -d"$duration" -s "$here/report.lua" "$url/healthz" |
    sed -n '/^requests /,$p'
  echo "load average  $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
fi
if [[ " $endpoints " == *" search "* ]]; then
  echo "== POST /api/v1/search"
  perf_pid=""
  if [[ -n "${PERF_OUT:-}" ]]; then
    (sleep 5 && exec perf record -g -o "$PERF_OUT" -p "$server_pid" -- sleep 10) \
      >"$work/perf.log" 2>&1 &
    perf_pid=$!
  fi
  WISSEN_KEY="$key" wrk -t"$threads" -c"$connections" -d"$duration" -s "$here/search.lua" \
    "$url/api/v1/search" | sed -n '/^requests /,$p'
  echo "load average  $(cut -d' ' -f1-3 /proc/loadavg)"
  if [[ -n "$perf_pid" ]]; then wait "$perf_pid"; fi
fi
# The server's own view: statuses, queue rejections, audit records dropped under load, and
# time in the handler and in retrieval (sum/count = mean) against wrk's end-to-end latency.
echo
echo "== server metrics"
curl -fsS "$url/metrics" | grep -E '^wissen_(queue_rejected_total|audit_records_dropped_total|rate_limited_total|http_requests_total|(http_request|pipeline_stage)_duration_seconds_(sum|count))' || true
