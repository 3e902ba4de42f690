#!/usr/bin/env bash
# Build the LibreOffice-help evaluation corpus for Wissen.
#
#   build_corpus.sh DIR                               apt-get download the two .debs, build DIR
#   SKIP_DOWNLOAD=1 DEB_DIR=/path build_corpus.sh DIR  use .debs downloaded before
#
# LibreOffice itself is not installed: the .debs are only unpacked (dpkg-deb -x) into a
# temporary directory. Output is deterministic; the script prints a digest of the tree,
# README.md records the expected value.
#
# Layout built (same page selection in both languages; paths relative to help/<lang>/text/):
#   DIR/public/{de,en}/…   lists/public_pages.txt  Writer, Calc, Impress and shared help  (everyone)
#   DIR/dev/{de,en}/…      lists/dev_pages.txt     Basic macro / scripting help            (dev)
# Every page passes through tools/lohelp_post.py (resolves the JavaScript-driven
# platform/application switches, drops the <noscript> redirect; see there).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
EVAL="$(dirname "$HERE")"            # tests/eval
OUT="$(realpath -m -- "$1")"
case "$OUT" in
  "$EVAL"|"$EVAL"/*) echo "refusing to build inside $EVAL (the corpus must stay out of the repository)" >&2; exit 2;;
esac
mkdir -p "$OUT"

export LC_ALL=C.UTF-8 TZ=UTC
FIXED_MTIME="2024-01-01 00:00:00 UTC"

# package -> version the expected digest was made with (Debian 12 "bookworm"); README.md
# records the same versions in its package table
PACKAGES=(
  "libreoffice-help-de 4:7.4.7-1+deb12u14"
  "libreoffice-help-en-us 4:7.4.7-1+deb12u14"
)

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

if [ "${SKIP_DOWNLOAD:-0}" = "1" ]; then
  DEB_DIR="${DEB_DIR:?set DEB_DIR to the directory holding the downloaded .debs}"
  DEB_DIR="$(cd "$DEB_DIR" && pwd)"
else
  DEB_DIR="$WORK/debs"
  mkdir -p "$DEB_DIR"
  names=()
  for p in "${PACKAGES[@]}"; do names+=("${p%% *}"); done
  aptopt=()
  # as root, apt would hand the download to user _apt, who cannot write into our mktemp dir
  [ "$(id -u)" = 0 ] && aptopt=(-o APT::Sandbox::User=root)
  if ! (cd "$DEB_DIR" && apt-get "${aptopt[@]}" download "${names[@]}"); then
    apt-get update
    (cd "$DEB_DIR" && apt-get "${aptopt[@]}" download "${names[@]}")
  fi
fi

versions=()
for p in "${PACKAGES[@]}"; do
  name="${p%% *}"; want="${p#* }"
  debs=("$DEB_DIR/${name}"_*.deb)
  if [ ! -f "${debs[0]}" ]; then
    echo "error: no ${name}_*.deb in $DEB_DIR" >&2; exit 1
  elif [ "${#debs[@]}" -ne 1 ]; then
    echo "error: more than one ${name}_*.deb in $DEB_DIR" >&2; exit 1
  fi
  have="$(dpkg-deb -f "${debs[0]}" Version)"
  if [ -f "$HERE/README.md" ] && ! grep -qF "| $name | $want |" "$HERE/README.md"; then
    echo "warning: README.md does not record $name $want" >&2
  fi
  if [ "$have" != "$want" ]; then
    echo "warning: $name is $have, corpus was made with $want; bytes (and snippets) may differ" >&2
  fi
  versions+=("$name $have")
  dpkg-deb -x "${debs[0]}" "$WORK/root"
done

HELP="$WORK/root/usr/share/libreoffice/help"
rm -rf "$OUT/public" "$OUT/dev"
for lang in de en; do
  src="$HELP/$lang/text"
  [ "$lang" = en ] && src="$HELP/en-US/text"
  [ -d "$src" ] || { echo "error: $src missing in the package" >&2; exit 1; }
  while IFS= read -r rel; do
    [ -z "$rel" ] && continue
    [ -f "$src/$rel" ] || { echo "error: missing $src/$rel" >&2; exit 1; }
  done < <(cat "$HERE/lists/public_pages.txt" "$HERE/lists/dev_pages.txt")
  n="$(python3 "$HERE/tools/lohelp_post.py" --batch "$src" "$OUT/public/$lang" < "$HERE/lists/public_pages.txt")"
  echo "public/$lang: $n pages"
  n="$(python3 "$HERE/tools/lohelp_post.py" --batch "$src" "$OUT/dev/$lang" < "$HERE/lists/dev_pages.txt")"
  echo "dev/$lang: $n pages"
done

# --- fixed permissions and mtimes, then a digest of the whole tree ------------
find "$OUT/public" "$OUT/dev" -type d -exec chmod 755 {} +
find "$OUT/public" "$OUT/dev" -type f -exec chmod 644 {} +
find "$OUT/public" "$OUT/dev" -exec touch -h -d "$FIXED_MTIME" {} +

bytes="$(find "$OUT/public" "$OUT/dev" -type f -printf '%s\n' | awk '{s+=$1} END{print s}')"
digest="$(cd "$OUT" && find public dev -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64)"
for v in "${versions[@]}"; do echo "package: $v"; done
echo "files: $(find "$OUT/public" "$OUT/dev" -type f | wc -l)  bytes: $bytes"
echo "corpus digest: $digest"
