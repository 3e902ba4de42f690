#!/usr/bin/env python3
"""Validate the Beispiel GmbH sample corpus (python3 stdlib + pdftotext/pdfinfo).

    python3 samples/check.py

Checks:
  * questions.jsonl: fields well formed, ids unique, gold files exist and are readable with
    the question's roles (ACL globs of wissen.toml), PDF golds carry a page, the snippet has
    5-15 words, occurs in gold[0]'s extracted text (HTML: decoded with its declared charset,
    tags stripped or replaced by spaces, entities decoded, whitespace collapsed; PDF: that
    page's pdftotext text, whitespace collapsed) and is not contained in the question.
  * leak_probes.jsonl: roles ["everyone"]; every forbidden string occurs in some hr/ or rnd/
    document and in no public/ document (raw or extracted); no query contains one.
  * CANARY-SAMPLE-* strings occur only under hr/ and rnd/; every hr/rnd HTML section ends
    with its canary; every page of every rnd/ PDF carries the R&D canary.
Prints "N passed, M failed"; exit status 1 on any failure.
"""
import fnmatch
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
import email
import email.policy

HERE = os.path.dirname(os.path.abspath(__file__))
WS = re.compile(r"\s+")
ACL = [("hr/**", {"hr"}), ("rnd/**", {"rnd"}), ("public/**", {"everyone"})]
CANARY = re.compile(r"CANARY-SAMPLE-[A-Z]+-[A-Z0-9]{4}")
DOC_EXT = (".pdf", ".html", ".htm", ".txt", ".md", ".docx", ".xlsx", ".pptx", ".odt", ".eml")
OFFICE_EXT = (".docx", ".xlsx", ".pptx", ".odt")
# Restricted Office files carry a canary of their own, so a leak names the format.
OWN_CANARY = {
    "hr/de/richtlinie-mobiles-arbeiten.docx": "CANARY-SAMPLE-HR-W5T3",
    "rnd/de/kalkulation-bx750.xlsx": "CANARY-SAMPLE-RND-X8J2",
    "rnd/en/bx750-design-review.pptx": "CANARY-SAMPLE-RND-P3V6",
}


def collapse(s):
    return WS.sub(" ", s.replace("\u00a0", " ").replace("\u00ad", "")).strip()


def acl_for(rel):
    for pat, roles in ACL:
        if fnmatch.fnmatch(rel, pat):
            return roles
    return set()


def read_html(path):
    raw = open(path, "rb").read()
    m = re.search(rb'<meta[^>]+charset=["\']?([A-Za-z0-9_-]+)', raw[:2048], re.I)
    return raw.decode(m.group(1).decode() if m else "utf-8")


_DROP = re.compile(r"<!--.*?-->|<script\b.*?</script\s*>|<style\b.*?</style\s*>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>", re.S)


def office_text(path):
    """Text of an Office file: its XML parts' character data, paragraphs and cells apart."""
    parts = []
    with zipfile.ZipFile(path) as z:
        for name in sorted(z.namelist()):
            if name.endswith(".xml") and not name.startswith(("_rels", "[Content", "docProps")):
                xml = z.read(name).decode("utf-8")
                xml = re.sub(r"</(w:p|a:p|text:p|text:h|c|si|table:table-cell)>", " ", xml)
                parts.append(html.unescape(_TAG.sub("", xml)))
    return collapse(" ".join(parts))


def pdf_text(data, page=None):
    """pdftotext of PDF bytes; a page without a text layer (a scan) through Tesseract."""
    args = ["pdftotext", "-enc", "UTF-8"]
    if page:
        args += ["-f", str(page), "-l", str(page)]
    t = subprocess.run(args + ["-", "-"], input=data, capture_output=True, check=True).stdout
    t = t.decode("utf-8")
    if not t.strip() and shutil.which("tesseract"):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", "-singlefile", "-f",
                            str(page or 1), "-", os.path.join(tmp, "p")], input=data, check=True)
            t = subprocess.run(["tesseract", os.path.join(tmp, "p.png"), "-", "-l", "deu+eng"],
                               capture_output=True, text=True, check=True).stdout
    return t


def mail_text(path):
    """Body and attachments of an e-mail."""
    message = email.message_from_binary_file(open(path, "rb"), policy=email.policy.default)
    out = [str(message["subject"])]
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            out.append(part.get_content())
        elif part.get_content_type() == "application/pdf":
            out.append(pdf_text(part.get_payload(decode=True)))
    return collapse(" ".join(out))


def texts(rel, page=None):
    """Extracted text variants of a corpus document (list of collapsed strings)."""
    path = os.path.join(HERE, rel)
    if rel.endswith(".pdf"):
        c = collapse(pdf_text(open(path, "rb").read(), page))
        return [c, re.sub(r"(\w)- (\w)", r"\1\2", c)]
    if rel.endswith(OFFICE_EXT):
        return [office_text(path)]
    if rel.endswith(".eml"):
        return [mail_text(path)]
    if rel.endswith((".html", ".htm")):
        raw = _DROP.sub(" ", read_html(path))
        return [collapse(html.unescape(_TAG.sub("", raw))), collapse(html.unescape(_TAG.sub(" ", raw)))]
    return [collapse(open(path, encoding="utf-8").read())]


def pdf_pages(rel):
    out = subprocess.run(["pdfinfo", os.path.join(HERE, rel)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def corpus_files():
    for top in ("public", "hr", "rnd"):
        for d, _, fs in os.walk(os.path.join(HERE, top)):
            for f in sorted(fs):
                if f.endswith(DOC_EXT):
                    yield os.path.relpath(os.path.join(d, f), HERE)


def main():
    passed, failed = 0, 0

    def ok(cond, msg):
        nonlocal passed, failed
        if cond:
            passed += 1
        else:
            failed += 1
            print("FAIL:", msg)

    files = sorted(corpus_files())
    extracted = {rel: " ".join(texts(rel)) for rel in files}

    ids = set()
    for line in open(os.path.join(HERE, "questions.jsonl"), encoding="utf-8"):
        q = json.loads(line)
        qid = q.get("id")
        ok(qid not in ids, f"{qid}: duplicate id")
        ids.add(qid)
        ok(q.get("lang") in ("de", "en"), f"{qid}: lang")
        ok("everyone" in q.get("roles", []), f"{qid}: roles must contain everyone")
        ok(q.get("difficulty") in ("lexical", "paraphrase"), f"{qid}: difficulty")
        gold = q.get("gold", [])
        ok(bool(gold), f"{qid}: no gold")
        for g in gold:
            ok(g in extracted, f"{qid}: gold {g} missing")
            ok(bool(acl_for(g) & set(q["roles"])), f"{qid}: gold {g} not readable with {q['roles']}")
        snip = q.get("answer_snippet", "")
        ok(5 <= len(snip.split()) <= 15, f"{qid}: snippet has {len(snip.split())} words")
        ok(collapse(snip) not in collapse(q.get("question", "")), f"{qid}: question contains snippet")
        page = q.get("page")
        if gold and gold[0].endswith(".pdf"):
            ok(isinstance(page, int) and 1 <= page <= pdf_pages(gold[0]), f"{qid}: bad page {page}")
        if gold and gold[0] in extracted:
            found = any(collapse(snip) in t for t in texts(gold[0], page))
            ok(found, f"{qid}: snippet not in {gold[0]}" + (f" page {page}" if page else ""))

    for line in open(os.path.join(HERE, "leak_probes.jsonl"), encoding="utf-8"):
        p = json.loads(line)
        pid = p["id"]
        ok(p.get("roles") == ["everyone"], f"{pid}: roles")
        for s in p.get("forbidden", []):
            ok(s not in p["query"], f"{pid}: query contains forbidden {s!r}")
            ok(any(s in extracted[r] for r in files if not r.startswith("public/")), f"{pid}: {s!r} in no hr/rnd doc")
            raw_public = [r for r in files if r.startswith("public/")
                          and (s.encode() in open(os.path.join(HERE, r), "rb").read() or s in extracted[r])]
            ok(not raw_public, f"{pid}: {s!r} in public docs {raw_public}")
        for t in p.get("target", []):
            ok(t in extracted and not acl_for(t) & {"everyone"}, f"{pid}: target {t} missing or public")

    # Canaries: only under hr/ and rnd/, and in the right places.
    for dirpath, _, fs in os.walk(os.path.join(HERE, "public")):
        for f in fs:
            rel = os.path.relpath(os.path.join(dirpath, f), HERE)
            raw = open(os.path.join(HERE, rel), "rb").read()
            ok(b"CANARY" not in raw and "CANARY" not in extracted.get(rel, ""), f"canary in {rel}")
    for rel in files:
        if rel.startswith("public/"):
            continue
        want = OWN_CANARY.get(rel) or (
            "CANARY-SAMPLE-HR-7Q2M" if rel.startswith("hr/") else "CANARY-SAMPLE-RND-4K9P")
        found = set(CANARY.findall(extracted[rel]))
        ok(found == {want}, f"{rel}: canaries {found}, want {want}")
        if rel.endswith(".html"):
            src = read_html(os.path.join(HERE, rel))
            for i, sec in enumerate(re.findall(r"<section>(.*?)</section>", src, re.S), 1):
                ok(want in sec.rsplit("</h2>", 1)[-1] and sec.rstrip().endswith("</p>") and want in sec.rstrip()[-80:],
                   f"{rel}: section {i} does not end with the canary")
        if rel.endswith(".pdf"):
            for pg in range(1, pdf_pages(rel) + 1):
                ok(want in texts(rel, pg)[0], f"{rel}: canary missing on page {pg}")

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
