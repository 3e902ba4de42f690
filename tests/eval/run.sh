#!/usr/bin/env bash
# The in-repository dev sets end to end: builds each corpus (tests/eval/<set>/build_corpus.sh)
# into a temporary directory, checks its questions against it (check.py), indexes it with
# `wissen crawl` on an embedded PostgreSQL, and runs `wissen eval` (retrieval and leak probes)
# and `wissen eval --answers`. Fails when a corpus does not build or check, or when anything
# leaks to a user without the role: a passage, an answer, a citation or a forbidden string.
# The quality figures are printed, not asserted: they are recorded in bench/results/.
#
#   tests/eval/run.sh WISSEN_BINARY [SET ...]     (default: company2 libreoffice)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
wissen="${1:?usage: run.sh WISSEN_BINARY [SET ...]}"
shift
sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=(company2 libreoffice)

work="$(mktemp -d /tmp/wissen-devsets.XXXXXX)"
chmod 755 "$work"  # the embedded PostgreSQL runs as "postgres" when we are root
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

status=0
for set in "${sets[@]}"; do
  dir="$here/$set"
  corpus="$work/$set-corpus"
  echo "== $set"
  if ! SKIP_INSTALL=1 bash "$dir/build_corpus.sh" "$corpus" >"$work/$set-build.log" 2>&1; then
    echo "FAIL $set: build_corpus.sh failed (packages from scripts/setup missing?):"
    tail -20 "$work/$set-build.log"
    status=1
    continue
  fi
  if ! /usr/bin/python3 "$dir/check.py" "$corpus" >"$work/$set-check.log" 2>&1; then
    echo "FAIL $set: check.py found problems:"
    tail -20 "$work/$set-check.log"
    status=1
    continue
  fi
  tail -1 "$work/$set-check.log"
  # The set's own wissen.toml with the temporary corpus and data directory.
  sed -e "s|^dir = .*|dir = \"$work/$set-data\"|" \
      -e "s|^root = .*|root = \"$corpus\"|" "$dir/wissen.toml" >"$work/$set.toml"
  if ! "$wissen" --config "$work/$set.toml" crawl >"$work/$set-crawl.log" 2>&1; then
    echo "FAIL $set: crawl failed:"
    tail -20 "$work/$set-crawl.log"
    status=1
    continue
  fi
  for mode in retrieval answers; do
    args=(--questions "$dir/questions.jsonl" --leak-probes "$dir/leak_probes.jsonl")
    [ "$mode" = answers ] && args+=(--answers)
    rc=0
    "$wissen" --config "$work/$set.toml" eval "${args[@]}" >"$work/$set-$mode.txt" \
      2>"$work/$set-$mode.log" || rc=$?
    grep -E "^(group|all|difficulty|lang|median|leaks)" "$work/$set-$mode.txt" || true
    if [ "$rc" -ne 0 ]; then
      echo "FAIL $set: eval ($mode) exited $rc"
      grep -E "^LEAK" "$work/$set-$mode.txt" || tail -5 "$work/$set-$mode.log"
      status=1
    fi
  done
done
exit $status
