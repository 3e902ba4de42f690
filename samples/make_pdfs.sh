#!/bin/sh
# Regenerate the sample PDFs from their groff -ms sources in src/.
#
#   ./make_pdfs.sh           # writes public/en/employee-handbook.pdf, rnd/de/pruefprotokoll-ladegeraet.pdf
#   ./make_pdfs.sh --check   # renders twice into a temp dir and compares with the committed PDFs
#
# Needs groff (gropdf, Debian package "groff"; groff-base alone has no PDF output) and,
# for --check, poppler-utils. The PDFs are committed, so the demo and the tests never need
# to run this script.
#
# Reproducibility: gropdf honours SOURCE_DATE_EPOCH for /CreationDate and /ModDate and
# writes nothing else that depends on time or host, so the same groff version produces
# byte-identical files. A different groff version may produce different bytes with the
# same extracted text.
set -eu

cd "$(dirname "$0")"

if ! command -v groff >/dev/null 2>&1 || ! printf '' | groff -Tpdf >/dev/null 2>&1; then
  echo "make_pdfs.sh: groff with the pdf device (gropdf) is missing; install it: apt-get install -y groff" >&2
  exit 1
fi

# 2025-01-01 00:00:00 UTC
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1735689600}
export SOURCE_DATE_EPOCH
export TZ=UTC LC_ALL=C.UTF-8

render() { # render SRC.ms OUT.pdf
  # -t tbl, -ms macros, -k preconv, -Kutf8 input encoding; A4 paper.
  groff -t -ms -Tpdf -k -Kutf8 -dpaper=a4 -P-pa4 "$1" >"$2.tmp"
  mv "$2.tmp" "$2"
}

build_all() { # build_all OUTDIR
  mkdir -p "$1/public/en" "$1/rnd/de"
  render src/employee-handbook.ms "$1/public/en/employee-handbook.pdf"
  render src/pruefprotokoll-ladegeraet.ms "$1/rnd/de/pruefprotokoll-ladegeraet.pdf"
}

if [ "${1:-}" = "--check" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  build_all "$tmp/a"
  build_all "$tmp/b"
  status=0
  for f in public/en/employee-handbook.pdf rnd/de/pruefprotokoll-ladegeraet.pdf; do
    if cmp -s "$tmp/a/$f" "$tmp/b/$f"; then echo "reproducible: $f"; else echo "NOT reproducible: $f"; status=1; fi
    if cmp -s "$tmp/a/$f" "$f"; then echo "matches committed: $f"; else echo "differs from committed: $f"; status=1; fi
    pages=$(pdfinfo "$f" | sed -n 's/^Pages: *//p')
    echo "  pages: $pages, bytes: $(wc -c <"$f")"
  done
  # The R&D canary must be on every page of the test report.
  f=rnd/de/pruefprotokoll-ladegeraet.pdf
  n=$(pdfinfo "$f" | sed -n 's/^Pages: *//p')
  i=1
  while [ "$i" -le "$n" ]; do
    pdftotext -f "$i" -l "$i" "$f" - | grep -q 'CANARY-SAMPLE-RND-4K9P' || { echo "canary missing on page $i of $f"; status=1; }
    i=$((i + 1))
  done
  exit $status
fi

build_all .
echo "wrote public/en/employee-handbook.pdf rnd/de/pruefprotokoll-ladegeraet.pdf"
