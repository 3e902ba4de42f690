#!/bin/sh
# Builds a mixed-format folder for wissen_bench_ingest, as a company share looks: the
# tests/eval/company2 documents with half of the HTML pages saved as Word or OpenDocument
# files by LibreOffice, their tables also as spreadsheets, some PDFs printed and scanned
# back (image only), e-mails with a PDF attachment in .eml and one .mbox, plus the samples.
#
#   bench/mixed_corpus.sh OUT_DIR
#
# Needs what tests/eval/company2/build_corpus.sh needs, LibreOffice (writer, calc),
# poppler-utils, img2pdf and python3. Takes a few minutes (LibreOffice converts one file a
# second or so). The folder is not committed; its figures are in bench/results/ingest.md.
set -eu
out=${1:?usage: bench/mixed_corpus.sh OUT_DIR}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"

"$here/tests/eval/company2/build_corpus.sh" "$work/company2" >/dev/null
cp -r "$here/samples/public" "$here/samples/hr" "$here/samples/rnd" "$out/"

office() { # office IN FORMAT OUTDIR INFILTER
  soffice -env:UserInstallation="file://$work/profile" --headless --infilter="$4" \
    --convert-to "$2" --outdir "$3" "$1" >/dev/null 2>&1
}

n=0
find "$work/company2" -type f | sort | while read -r file; do
  rel=${file#"$work/company2/"}
  dir="$out/company2/$(dirname "$rel")"
  mkdir -p "$dir"
  n=$((n + 1))
  case "$file" in
    *.html)
      case $((n % 4)) in
        0) office "$file" docx:"MS Word 2007 XML" "$dir" "HTML (StarWriter)" ;;
        1) office "$file" odt:writer8 "$dir" "HTML (StarWriter)" ;;
        2) cp "$file" "$dir/"
           if grep -q "<table" "$file"; then
             office "$file" xlsx:"Calc MS Excel 2007 XML" "$dir" "HTML (StarCalc)"
           fi ;;
        *) cp "$file" "$dir/" ;;
      esac ;;
    *.pdf)
      if [ $((n % 3)) -eq 0 ]; then
        # Printed and scanned back: 150 dpi grey images, no text layer.
        base=$(basename "$file" .pdf)
        pdftoppm -r 150 -gray -png "$file" "$work/scan-$base"
        img2pdf -o "$dir/$base-scan.pdf" "$work"/scan-"$base"-*.png
      else
        cp "$file" "$dir/"
      fi ;;
    *) cp "$file" "$dir/" ;;
  esac
done

# E-mails: each public company2 PDF sent round with a short note, and all of them in an mbox.
mkdir -p "$out/mail"
python3 - "$out" <<'PY'
import email.utils, os, sys
from email.message import EmailMessage
out = sys.argv[1]
pdfs = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(out, "company2", "public"))
              for f in fs if f.endswith(".pdf") and not f.endswith("-scan.pdf"))
with open(os.path.join(out, "mail", "announcements.mbox"), "wb") as mbox:
    for i, pdf in enumerate(pdfs):
        m = EmailMessage()
        m["From"] = "Intranet Team <intranet@example.com>"
        m["To"] = "All staff <all@example.com>"
        m["Subject"] = "New document: " + os.path.basename(pdf)
        m["Date"] = email.utils.format_datetime(email.utils.localtime())
        m["Message-ID"] = "<bench-%d@example.com>" % i
        m.set_content("Please find the updated document attached.\n\nRegards,\nIntranet Team\n")
        m.add_attachment(open(pdf, "rb").read(), maintype="application", subtype="pdf",
                         filename=os.path.basename(pdf))
        raw = bytes(m)
        with open(os.path.join(out, "mail", "announcement-%02d.eml" % i), "wb") as f:
            f.write(raw)
        mbox.write(b"From intranet@example.com Mon Dec  7 09:00:00 2026\n" +
                   raw.replace(b"\nFrom ", b"\n>From ") + b"\n")
PY
find "$out" -type f | sed 's/.*\.//' | sort | uniq -c
