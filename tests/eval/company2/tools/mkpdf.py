#!/usr/bin/python3
"""Render a fixture written in the small markup below into a text PDF (python3-reportlab).

    /usr/bin/python3 mkpdf.py SOURCE.md OUT.pdf

Markup (blocks separated by blank lines):
    %title ...      document title (PDF metadata)          %lang de|en   footer language
    %running ...    running head printed on every page
    # H1 / ## H2 / ### H3   headings (H2 starts a section; restricted documents end every
                             section with their "Dokumentkennung:/Document ID:" line)
    - item          bullet list (consecutive lines)
    | a | b |       table; the first row is the header row
    %pagebreak      force a page break
    anything else   paragraph (consecutive lines are joined)
Only the standard Helvetica fonts are used (no embedding), with invariant=1, so the output is
byte-identical on every run. Text must be encodable in cp1252 (WinAnsi).
"""
import sys
from xml.sax.saxutils import escape

from reportlab import rl_config
rl_config.invariant = 1
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (ListFlowable, ListItem, PageBreak, Paragraph, SimpleDocTemplate,
                                Spacer, Table, TableStyle)

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=14.5, spaceAfter=6,
                      alignment=TA_LEFT)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=9.5, leading=12, spaceAfter=0)
CELLH = ParagraphStyle("cellh", parent=CELL, fontName="Helvetica-Bold")
H = {
    1: ParagraphStyle("h1", parent=BODY, fontName="Helvetica-Bold", fontSize=19, leading=24,
                      spaceBefore=4, spaceAfter=10, keepWithNext=1),
    2: ParagraphStyle("h2", parent=BODY, fontName="Helvetica-Bold", fontSize=14, leading=18,
                      spaceBefore=12, spaceAfter=6, keepWithNext=1),
    3: ParagraphStyle("h3", parent=BODY, fontName="Helvetica-Bold", fontSize=11.5, leading=15,
                      spaceBefore=8, spaceAfter=4, keepWithNext=1),
}


def inline(text):
    # **bold** only
    out, bold = [], False
    for i, part in enumerate(text.split("**")):
        if i:
            bold = not bold
        part = escape(part)
        out.append(f"<b>{part}</b>" if bold and part else part)
    return "".join(out)


def parse(src):
    meta, blocks, cur = {}, [], []
    for line in src.splitlines():
        if line.startswith("%") and not cur:
            key, _, val = line[1:].partition(" ")
            if key == "pagebreak":
                blocks.append(["%pagebreak"])
            else:
                meta[key] = val.strip()
            continue
        if not line.strip():
            if cur:
                blocks.append(cur)
                cur = []
            continue
        cur.append(line.rstrip())
    if cur:
        blocks.append(cur)
    return meta, blocks


def build(src_path, out_path):
    src = open(src_path, encoding="utf-8").read()
    src.encode("cp1252")  # fail loudly on characters the standard fonts cannot show
    meta, blocks = parse(src)
    lang = meta.get("lang", "de")
    running = meta.get("running", "")
    story = []
    for b in blocks:
        first = b[0]
        if first == "%pagebreak":
            story.append(PageBreak())
        elif first.startswith("#"):
            level = len(first) - len(first.lstrip("#"))
            story.append(Paragraph(inline(first[level:].strip()), H[min(level, 3)]))
        elif first.startswith("- "):
            items, buf = [], None
            for line in b:
                if line.startswith("- "):
                    if buf is not None:
                        items.append(buf)
                    buf = line[2:].strip()
                else:
                    buf += " " + line.strip()
            items.append(buf)
            story.append(ListFlowable(
                [ListItem(Paragraph(inline(t), BODY), leftIndent=14) for t in items],
                bulletType="bullet", start="\u2022", leftIndent=14, bulletFontSize=9))
        elif first.startswith("|"):
            rows = []
            for line in b:
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                if all(set(c) <= set("-: ") for c in cells):
                    continue  # markdown separator row
                rows.append(cells)
            data = [[Paragraph(inline(c), CELLH if r == 0 else CELL) for c in row]
                    for r, row in enumerate(rows)]
            t = Table(data, repeatRows=1, hAlign="LEFT")
            t.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            story.append(t)
            story.append(Spacer(1, 8))
        else:
            story.append(Paragraph(inline(" ".join(x.strip() for x in b)), BODY))

    word = "Seite" if lang == "de" else "Page"

    def decorate(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(20 * mm, A4[1] - 12 * mm, running)
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, f"{word} {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(out_path, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm,
                            topMargin=22 * mm, bottomMargin=20 * mm, invariant=1,
                            title=meta.get("title", ""), author="Ostheim Verpackungstechnik GmbH",
                            creator="mkpdf.py (python3-reportlab)", subject="", keywords="")
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    build(sys.argv[1], sys.argv[2])
