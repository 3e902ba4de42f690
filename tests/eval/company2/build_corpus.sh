#!/usr/bin/env bash
# Build the "company2" evaluation corpus for Wissen (fictional Ostheim Verpackungstechnik GmbH).
#
#   build_corpus.sh DIR                  install python3-reportlab + poppler-utils if missing, build DIR
#   SKIP_INSTALL=1 build_corpus.sh DIR   never call apt-get (packages must already be installed)
#
# Layout built (mirrors fixtures/; *.html copied, *.md rendered to *.pdf by tools/mkpdf.py):
#   DIR/public/{it,travel,general}/{de,en}/*.{html,pdf}   readable by everyone
#   DIR/hr/{de,en}/*.{html,pdf}                           role hr
#   DIR/rnd/{de,en}/*.{html,pdf}                          role rnd
# Only DIR/public, DIR/hr and DIR/rnd are removed and rebuilt. Output is deterministic: the
# PDFs are made with reportlab's invariant mode, every file's mtime is 2024-01-01 00:00 UTC,
# and a sha256 digest of the tree is printed at the end (README.md records the expected value).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
EVAL="$(cd "$HERE/.." && pwd)"          # tests/eval
OUT="$(realpath -m -- "$1")"
case "$OUT" in
  "$EVAL"|"$EVAL"/*) echo "refusing to build inside $EVAL (the corpus must stay out of tests/eval)" >&2; exit 2;;
  /) echo "refusing to build in /" >&2; exit 2;;
esac
mkdir -p "$OUT"

export LC_ALL=C.UTF-8 TZ=UTC PYTHONHASHSEED=0
FIXED_MTIME="2024-01-01 00:00:00 UTC"
PY=/usr/bin/python3                      # Debian's python3, where python3-reportlab lives

# package -> version the expected digest was made with (Debian 12)
PACKAGES=(
  "python3-reportlab 3.6.12-1+deb12u1"
  "poppler-utils 22.12.0-2+deb12u3"
)

have_version() { dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null | sed -n 's/^install ok installed //p'; }

missing=()
for p in "${PACKAGES[@]}"; do
  name="${p%% *}"
  [ -n "$(have_version "$name")" ] || missing+=("$name")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "${SKIP_INSTALL:-0}" = "1" ]; then
    echo "error: missing packages ${missing[*]} (run without SKIP_INSTALL=1 to install them)" >&2; exit 1
  fi
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"; then
    $SUDO apt-get update
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi
for p in "${PACKAGES[@]}"; do
  name="${p%% *}"; want="${p#* }"; have="$(have_version "$name")"
  if [ -z "$have" ]; then
    echo "error: package $name is not installed" >&2; exit 1
  elif [ "$have" != "$want" ]; then
    echo "warning: $name is $have, corpus was made with $want; PDF bytes (and pages) may differ" >&2
  fi
done
"$PY" -c 'import reportlab' 2>/dev/null || { echo "error: $PY cannot import reportlab" >&2; exit 1; }

rm -rf "$OUT/public" "$OUT/hr" "$OUT/rnd"
mkdir -p "$OUT/public" "$OUT/hr" "$OUT/rnd"

nhtml=0; npdf=0
while IFS= read -r -d '' rel; do
  rel="${rel#./}"
  mkdir -p "$OUT/$(dirname "$rel")"
  case "$rel" in
    *.html) cat "$HERE/fixtures/$rel" > "$OUT/$rel"; nhtml=$((nhtml+1));;
    *.md)   "$PY" "$HERE/tools/mkpdf.py" "$HERE/fixtures/$rel" "$OUT/${rel%.md}.pdf"; npdf=$((npdf+1));;
    *) echo "error: unexpected fixture $rel" >&2; exit 1;;
  esac
done < <(cd "$HERE/fixtures" && find . -type f -print0 | sort -z)
echo "html: $nhtml  pdf: $npdf"

# --- fixed permissions and mtimes, then a digest of the whole tree ------------
find "$OUT/public" "$OUT/hr" "$OUT/rnd" -type d -exec chmod 755 {} +
find "$OUT/public" "$OUT/hr" "$OUT/rnd" -type f -exec chmod 644 {} +
find "$OUT/public" "$OUT/hr" "$OUT/rnd" -exec touch -h -d "$FIXED_MTIME" {} +

bytes="$(find "$OUT/public" "$OUT/hr" "$OUT/rnd" -type f -printf '%s\n' | awk '{s+=$1} END{print s+0}')"
digest="$(cd "$OUT" && find public hr rnd -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)"
echo "files: $(find "$OUT/public" "$OUT/hr" "$OUT/rnd" -type f | wc -l)  bytes: $bytes"
echo "corpus digest: $digest"
