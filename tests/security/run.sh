#!/usr/bin/env bash
# Hostile-client tests (tests/security/hostile_client.py): attacks a `wissen serve` of its own
# on its direct listener, then again through nginx with deploy/nginx/wissen.conf when nginx is
# installed (scripts/setup installs nginx-light). Builds nothing: WISSEN_BINARY (default
# build/cli/wissen). Ends with "N passed, N failed" over both runs; exits non-zero on a failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
wissen=${WISSEN_BINARY:-$repo/build/cli/wissen}
nginx=${NGINX:-/usr/sbin/nginx}
[ -x "$wissen" ] || { echo "security: no wissen binary at $wissen (build first or set WISSEN_BINARY)" >&2; exit 1; }

passed=0 failed=0 skipped=0
run() {
  local log
  log=$(mktemp "${TMPDIR:-/tmp}/wissen-security-log.XXXXXX")
  python3 "$here/hostile_client.py" --wissen "$wissen" "$@" | tee "$log"
  local status=${PIPESTATUS[0]}
  local summary
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  rm -f "$log"
  if [ -z "$summary" ]; then
    failed=$((failed + 1))  # the suite itself broke
    return
  fi
  local run_passed run_failed
  run_passed=$(echo "$summary" | sed -E 's/^([0-9]+) passed.*/\1/')
  run_failed=$(echo "$summary" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
  if [ "$status" -ne 0 ] && [ "$run_failed" -eq 0 ]; then run_failed=1; fi
  passed=$((passed + run_passed))
  failed=$((failed + run_failed))
}

echo "== security: direct listener"
run
if [ -x "$nginx" ]; then
  echo "== security: through nginx (deploy/nginx/wissen.conf)"
  run --front nginx --nginx "$nginx"
else
  cases=$(python3 "$here/hostile_client.py" --list | wc -l)
  echo "== security: nginx not installed ($nginx), skipping the nginx run (apt-get install nginx-light)"
  skipped=$((skipped + cases))
fi
echo "== security: both runs"
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
