#!/bin/sh
# Regenerate the sample Office files, e-mail and scanned notice from their sources in
# src/office/, with the programs a company's documents come from:
#
#   hr/de/richtlinie-mobiles-arbeiten.docx   LibreOffice from richtlinie-mobiles-arbeiten.html
#   rnd/de/kalkulation-bx750.xlsx            LibreOffice from kalkulation-bx750.fods (2 sheets)
#   rnd/en/bx750-design-review.pptx          LibreOffice from bx750-design-review.fodp (notes)
#   public/de/betriebsausflug-2026.odt       LibreOffice from betriebsausflug-2026.html
#   public/en/it-newsletter-2026-11.eml      Python's email package, with a groff PDF attached
#   public/de/aushang-brandschutzuebung.pdf  groff page -> pdftoppm image -> img2pdf (no text)
#
# Needs libreoffice-writer, -calc and -impress (the -nogui packages do), groff, poppler-utils
# and img2pdf. The outputs are committed, so the demo and the tests never run this script;
# LibreOffice stamps dates into its files, so a new run gives other bytes with the same text.
set -eu
cd "$(dirname "$0")"
export TZ=UTC LC_ALL=C.UTF-8
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1735689600}
export SOURCE_DATE_EPOCH

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A private LibreOffice profile: no interference with a running instance or the user's one.
office() { # office IN FORMAT OUTDIR [INFILTER]
  set -- "$@"
  if [ $# -eq 4 ]; then
    soffice -env:UserInstallation="file://$work/profile" --headless --infilter="$4" \
      --convert-to "$2" --outdir "$3" "$1" >/dev/null
  else
    soffice -env:UserInstallation="file://$work/profile" --headless \
      --convert-to "$2" --outdir "$3" "$1" >/dev/null
  fi
}

office src/office/richtlinie-mobiles-arbeiten.html docx:"MS Word 2007 XML" hr/de "HTML (StarWriter)"
office src/office/kalkulation-bx750.fods xlsx:"Calc MS Excel 2007 XML" rnd/de
office src/office/bx750-design-review.fodp pptx:"Impress MS PowerPoint 2007 XML" rnd/en
office src/office/betriebsausflug-2026.html odt:writer8 public/de "HTML (StarWriter)"

groff -ms -Tpdf -k -Kutf8 -dpaper=a4 -P-pa4 src/office/follow-me-printing.ms >"$work/follow.pdf"
python3 src/office/it-newsletter-2026-11.py "$work/follow.pdf" public/en/it-newsletter-2026-11.eml

# A scan: the page exists only as an image, as a copier would deliver it.
groff -ms -Tpdf -k -Kutf8 -dpaper=a4 -P-pa4 src/office/aushang-brandschutzuebung.ms >"$work/notice.pdf"
pdftoppm -r 150 -gray -png -singlefile "$work/notice.pdf" "$work/notice"
img2pdf --pagesize A4 -o public/de/aushang-brandschutzuebung.pdf "$work/notice.png"
echo "make_office.sh: done"
