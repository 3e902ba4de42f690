#!/usr/bin/env bash
# Browser tests of the web chat: indexes samples/ into a temp dir, adds users, starts
# `wissen serve` on a free 127.0.0.1 port and runs tests/e2e/*.test.mjs with node --test in
# headless Chromium (playwright-core). Builds nothing: WISSEN_BINARY (default
# build/cli/wissen). Screenshots go to tests/e2e/artifacts/.
# E2E_SERVE_ONLY=1 only starts the server (for manual checks) and waits until Ctrl+C.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
wissen=${WISSEN_BINARY:-$repo/build/cli/wissen}
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$wissen" ] || { echo "e2e: no wissen binary at $wissen (build first or set WISSEN_BINARY)" >&2; exit 1; }
[ -x "$chromium" ] || { echo "e2e: no Chromium at $chromium (run scripts/setup)" >&2; exit 1; }
command -v node >/dev/null || { echo "e2e: node missing (run scripts/setup)" >&2; exit 1; }

if [ ! -d "$here/node_modules/playwright-core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/wissen-e2e.XXXXXX")
# As root the embedded PostgreSQL runs as user postgres, which must reach the data dir.
chmod 755 "$work"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  # The embedded PostgreSQL cluster lives in the data dir; stop it if the server left it up.
  # (pg_ctl refuses to run as root, so signal the postmaster by the PID in its pid file.)
  local pg_pid
  pg_pid=$(head -n 1 "$work/data/pg/postmaster.pid" 2>/dev/null || true)
  if [ -n "$pg_pid" ] && kill -0 "$pg_pid" 2>/dev/null; then
    kill -INT "$pg_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pg_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  if [ -z "${E2E_KEEP:-}" ]; then rm -rf "$work"; else echo "e2e: kept $work"; fi
}
trap cleanup EXIT INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
cat >"$work/wissen.toml" <<TOML
[data]
dir = "$work/data"

[database]
url = ""

[server]
listen = "127.0.0.1:$port"
web_dir = "$repo/server/web"
TOML
"$repo/scripts/samples-sources" "$repo/samples" >>"$work/wissen.toml"

w() { "$wissen" --config "$work/wissen.toml" --log-level warn "$@"; }
echo "e2e: crawling samples/ into $work"
w crawl >"$work/crawl.log" 2>&1 || { cat "$work/crawl.log" >&2; exit 1; }
add_user() { printf '%s\n' "$3" | w user add "$1" --roles "$2" --password-stdin >/dev/null; }
add_user erik "" e2e-erik-pass
add_user hanna hr e2e-hanna-pass
add_user ada admin e2e-ada-pass

# Started directly (not through w) so that $! is the server itself.
"$wissen" --config "$work/wissen.toml" --log-level warn serve >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
  grep -q "listening" "$work/serve.log" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; echo "e2e: server died" >&2; exit 1; }
  sleep 0.1
done
grep -q "listening" "$work/serve.log" || { cat "$work/serve.log" >&2; echo "e2e: server did not start" >&2; exit 1; }
url="http://127.0.0.1:$port"
echo "e2e: server $url (pid $server_pid)"

export WISSEN_URL="$url" CHROMIUM="$chromium" E2E_ARTIFACTS="$here/artifacts"
mkdir -p "$E2E_ARTIFACTS"
if [ -n "${E2E_SERVE_ONLY:-}" ]; then
  echo "e2e: users erik/e2e-erik-pass (everyone), hanna/e2e-hanna-pass (hr), ada/e2e-ada-pass (admin)"
  wait "$server_pid"
  exit 0
fi
status=0
(cd "$here" && node --test --test-concurrency=1 --test-reporter=spec ./*.test.mjs) || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (tail)" >&2
  tail -n 40 "$work/serve.log" >&2
fi
exit "$status"
