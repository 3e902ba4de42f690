#!/usr/bin/env python3
"""Validate the Wissen "company2" evaluation set against a built corpus.

    python3 check.py CORPUS_DIR        # CORPUS_DIR as built by build_corpus.sh

Uses the python3 standard library and pdftotext/pdfinfo (poppler-utils). Checks:
  * questions.jsonl: fields and values; unique ids; roles fit the area of the gold files
    (hr/ -> everyone+hr, rnd/ -> everyone+rnd, public/ -> everyone); gold files exist and are
    readable with the question's roles (acl.toml); PDF golds carry a 1-based physical page;
    answer_snippet has 5-15 words and occurs in gold[0]'s extracted text (HTML: tags stripped or
    replaced by spaces, entities decoded, whitespace collapsed; PDF: pdftotext of that page,
    whitespace collapsed, with or without de-hyphenation); the question does not contain the
    snippet; unanswerable questions have empty gold and snippet ("na-*": answered by no
    document, "acl-*": restricted content asked with roles ["everyone"] only).
  * counts: >= 100 questions, >= 45 % German, >= 50 % paraphrase, >= 22 unanswerable of both
    kinds, every area (it, travel, hr, rnd) in both languages, HTML and PDF golds.
  * leak_probes.jsonl: >= 12 probes, roles ["everyone"], German and English; every forbidden
    string occurs in some hr/ or rnd/ file and in no public/ file, and not in the probe itself;
    targets exist under hr/ or rnd/.
  * canaries (CANARY-C2-HR-xxxx / CANARY-C2-RND-xxxx) occur only under hr/ and rnd/; every
    restricted document carries exactly one canary of its area, not shared with another
    document, once in every section (HTML <section>; PDF: every "## " section of its source).
  * every document has 300-1500 words of text.
Prints "N passed, M failed"; exit status 0 only when nothing failed.
"""
import json
import os
import re
import subprocess
import sys
from functools import lru_cache

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from evalset import acl_for, collapse, html_texts, load_acl  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CANARY = re.compile(r"CANARY-C2-([A-Z]+)-[A-Z0-9]{4}")
ROLES_FOR_TOP = {"public": ["everyone"], "hr": ["everyone", "hr"], "rnd": ["everyone", "rnd"]}
AREAS = {"it": "public/it/", "travel": "public/travel/", "general": "public/general/",
         "hr": "hr/", "rnd": "rnd/"}


@lru_cache(maxsize=None)
def pdf_npages(path):
    out = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def _pdftotext(path, page=None):
    cmd = ["pdftotext", "-enc", "UTF-8"]
    if page:
        cmd += ["-f", str(page), "-l", str(page)]
    raw = subprocess.run(cmd + [path, "-"], capture_output=True, check=True).stdout
    raw = raw.decode("utf-8", "replace")
    return collapse(raw), collapse(re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", raw))


@lru_cache(maxsize=None)
def pdf_texts(path, page=None):
    return _pdftotext(path, page)


def texts(corpus, rel, page=None):
    path = os.path.join(corpus, rel)
    return pdf_texts(path, page) if rel.endswith(".pdf") else html_texts(path)


@lru_cache(maxsize=None)
def searchable(corpus, rel):
    """Every text form of a file in which a forbidden string must (not) appear."""
    path = os.path.join(corpus, rel)
    if rel.endswith(".pdf"):
        return list(pdf_texts(path))
    return [collapse(open(path, encoding="utf-8", errors="replace").read())] + list(html_texts(path))


def all_files(corpus):
    out = []
    for top in ("public", "hr", "rnd"):
        for dp, _, fs in os.walk(os.path.join(corpus, top)):
            for f in fs:
                out.append(os.path.relpath(os.path.join(dp, f), corpus))
    return sorted(out)


def area_of(rel):
    for a, prefix in AREAS.items():
        if rel.startswith(prefix):
            return a
    return None


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    corpus = sys.argv[1]
    if not os.path.isdir(os.path.join(corpus, "public")):
        print(f"no corpus at {corpus}: run build_corpus.sh {corpus} first")
        return 2
    rules = load_acl(os.path.join(HERE, "acl.toml"))
    files = all_files(corpus)
    fails, passed = [], 0

    def fail(msg):
        fails.append(msg)

    # ---- questions -----------------------------------------------------------------
    qs = [json.loads(l) for l in open(os.path.join(HERE, "questions.jsonl"), encoding="utf-8") if l.strip()]
    need = {"id", "lang", "roles", "question", "gold", "answer_snippet", "difficulty"}
    ids = set()
    for q in qs:
        qid = q.get("id", "?")
        missing = need - q.keys()
        if missing:
            fail(f"{qid}: missing fields {sorted(missing)}")
            continue
        extra = set(q.keys()) - need - {"page"}
        ok = True
        if extra:
            fail(f"{qid}: unknown fields {sorted(extra)}"); ok = False
        if qid in ids:
            fail(f"{qid}: duplicate id"); ok = False
        ids.add(qid)
        if q["lang"] not in ("en", "de"):
            fail(f"{qid}: bad lang {q['lang']!r}"); ok = False
        if q["roles"] not in list(ROLES_FOR_TOP.values()):
            fail(f"{qid}: bad roles {q['roles']}"); ok = False
        if q["difficulty"] not in ("lexical", "paraphrase", "unanswerable"):
            fail(f"{qid}: bad difficulty {q['difficulty']!r}"); ok = False
        if not isinstance(q["question"], str) or len(q["question"].split()) < 4:
            fail(f"{qid}: question too short"); ok = False

        if q["difficulty"] == "unanswerable":
            if q["gold"] != [] or q["answer_snippet"] != "" or "page" in q:
                fail(f"{qid}: unanswerable needs gold [], answer_snippet '' and no page"); ok = False
            if qid.startswith("acl-"):
                if q["roles"] != ["everyone"]:
                    fail(f"{qid}: acl-* question must be asked with roles ['everyone']"); ok = False
            elif not qid.startswith("na-"):
                fail(f"{qid}: unanswerable ids start with na- or acl-"); ok = False
            if ok:
                passed += 1
            continue
        if qid.startswith(("na-", "acl-")):
            fail(f"{qid}: na-/acl- ids are reserved for unanswerable questions"); ok = False

        if not q["gold"] or not isinstance(q["gold"], list):
            fail(f"{qid}: empty gold"); continue
        for g in q["gold"]:
            if g not in files:
                fail(f"{qid}: gold {g} not in corpus"); ok = False
            elif not (acl_for(rules, g) & set(q["roles"])):
                fail(f"{qid}: gold {g} not readable with roles {q['roles']}"); ok = False
        if not ok:
            continue
        g0 = q["gold"][0]
        want_roles = ROLES_FOR_TOP[g0.split("/")[0]]
        if q["roles"] != want_roles:
            fail(f"{qid}: roles {q['roles']} but gold[0] {g0} wants {want_roles}"); ok = False
        page = q.get("page")
        if g0.endswith(".pdf"):
            n = pdf_npages(os.path.join(corpus, g0))
            if not isinstance(page, int) or not 1 <= page <= n:
                fail(f"{qid}: PDF gold needs page in 1..{n}, got {page!r}"); continue
        elif page is not None:
            fail(f"{qid}: page given for an HTML gold"); ok = False
        snip = collapse(q["answer_snippet"])
        words = len(snip.split(" ")) if snip else 0
        if not 5 <= words <= 15:
            fail(f"{qid}: snippet has {words} words (want 5-15)"); ok = False
        if not any(snip in t for t in texts(corpus, g0, page)):
            fail(f"{qid}: snippet not found in {g0}" + (f" page {page}" if page else "") + f": {snip!r}")
            ok = False
        if snip.lower() in collapse(q["question"]).lower():
            fail(f"{qid}: question contains the snippet verbatim"); ok = False
        if ok:
            passed += 1

    # ---- counts and coverage ----------------------------------------------------------
    n = len(qs)
    de = sum(q.get("lang") == "de" for q in qs)
    para = sum(q.get("difficulty") == "paraphrase" for q in qs)
    una = [q for q in qs if q.get("difficulty") == "unanswerable"]
    na = sum(q["id"].startswith("na-") for q in una)
    acl = sum(q["id"].startswith("acl-") for q in una)
    ans = [q for q in qs if q.get("gold")]
    cover = {(area_of(q["gold"][0]), q["lang"]) for q in ans}
    kinds = {q["gold"][0].rsplit(".", 1)[-1] for q in ans}
    count_ok = True
    for cond, msg in [
        (n >= 100, f"only {n} questions (want >= 100)"),
        (de >= 0.45 * n, f"only {de}/{n} German questions (want >= 45 %)"),
        (para >= 0.5 * n, f"only {para}/{n} paraphrase questions (want >= 50 %)"),
        (len(una) >= 22, f"only {len(una)} unanswerable questions (want >= 22)"),
        (min(na, acl) >= len(una) / 3, f"unanswerable kinds unbalanced: na {na}, acl {acl}"),
        (all((a, l) in cover for a in ("it", "travel", "hr", "rnd") for l in ("de", "en")),
         f"area/language coverage incomplete: {sorted(cover, key=str)}"),
        (kinds >= {"html", "pdf"}, f"gold formats {sorted(kinds)} (want html and pdf)"),
    ]:
        if not cond:
            fail("counts: " + msg); count_ok = False
    passed += count_ok

    # ---- leak probes --------------------------------------------------------------------
    probes = [json.loads(l) for l in open(os.path.join(HERE, "leak_probes.jsonl"), encoding="utf-8") if l.strip()]
    public = [r for r in files if r.startswith("public/")]
    restricted = [r for r in files if r.startswith(("hr/", "rnd/"))]
    seen, pids = {}, set()
    for p in probes:
        pid = p.get("id", "?")
        ok = True
        if pid in pids:
            fail(f"{pid}: duplicate id"); ok = False
        pids.add(pid)
        if set(p.keys()) != {"id", "lang", "roles", "query", "forbidden", "target"}:
            fail(f"{pid}: fields must be id, lang, roles, query, forbidden, target"); continue
        if p["roles"] != ["everyone"]:
            fail(f"{pid}: leak probe roles must be ['everyone']"); ok = False
        if p["lang"] not in ("en", "de"):
            fail(f"{pid}: bad lang"); ok = False
        if not p["forbidden"] or not p["query"] or not p["target"]:
            fail(f"{pid}: needs query, forbidden and target"); continue
        for t in p["target"]:
            if not t.startswith(("hr/", "rnd/")) or not any(r == t or (t.endswith("/") and r.startswith(t)) for r in restricted):
                fail(f"{pid}: target {t} is not a restricted document or folder"); ok = False
        for s in p["forbidden"]:
            if collapse(s).lower() in collapse(p["query"]).lower():
                fail(f"{pid}: query contains forbidden {s!r}"); ok = False
            if s not in seen:
                cs = collapse(s)
                seen[s] = ([r for r in restricted if any(cs in t for t in searchable(corpus, r))],
                           [r for r in public if any(cs in t for t in searchable(corpus, r))])
            in_r, in_p = seen[s]
            if not in_r:
                fail(f"{pid}: forbidden {s!r} occurs in no hr/ or rnd/ file"); ok = False
            if in_p:
                fail(f"{pid}: forbidden {s!r} occurs in public file(s) {in_p[:3]}"); ok = False
        if ok:
            passed += 1
    probe_ok = len(probes) >= 12 and {p.get("lang") for p in probes} == {"de", "en"}
    if not probe_ok:
        fail(f"leak probes: want >= 12 in German and English, have {len(probes)}")
    passed += probe_ok

    # ---- canaries ---------------------------------------------------------------------
    owner = {}
    for rel in files:
        path = os.path.join(corpus, rel)
        forms = searchable(corpus, rel)
        found = set(m.group(0) for t in forms for m in CANARY.finditer(t))
        top = rel.split("/")[0]
        if top == "public":
            if found:
                fail(f"canary {sorted(found)} in public file {rel}")
            continue
        if len(found) != 1 or CANARY.match(next(iter(found))).group(1) != top.upper():
            fail(f"{rel}: expected exactly one CANARY-C2-{top.upper()}-xxxx, found {sorted(found)}")
            continue
        c = next(iter(found))
        if c in owner:
            fail(f"{rel}: canary {c} also used by {owner[c]}")
        owner[c] = rel
        if rel.endswith(".html"):
            raw = open(path, encoding="utf-8").read()
            sections = re.findall(r"<section\b.*?</section>", raw, re.S)
        else:
            src = open(os.path.join(HERE, "fixtures", rel[:-4] + ".md"), encoding="utf-8").read()
            sections = re.split(r"(?m)^## ", src)[1:]
            if forms[0].count(c) != len(sections):
                fail(f"{rel}: canary occurs {forms[0].count(c)} times in the PDF text, sections: {len(sections)}")
        if not sections or any(s.count(c) != 1 for s in sections):
            fail(f"{rel}: every section needs its canary exactly once")
    for dp, _, fs in os.walk(os.path.join(HERE, "fixtures", "public")):
        for f in fs:
            if CANARY.search(open(os.path.join(dp, f), encoding="utf-8").read()):
                fail(f"canary in public fixture {os.path.join(dp, f)}")
    passed += 1

    # ---- document length ----------------------------------------------------------------
    for rel in files:
        words = len(texts(corpus, rel)[1 if rel.endswith(".html") else 0].split())
        if not 300 <= words <= 1500:
            fail(f"{rel}: {words} words (want 300-1500)")
    passed += 1

    for m in fails:
        print("FAIL", m)
    print(f"documents: {len(files)}  questions: {n} ({de} de, {n - de} en; {para} paraphrase, "
          f"{len(ans) - para} lexical, {len(una)} unanswerable: {na} na, {acl} acl)  leak probes: {len(probes)}")
    print(f"{passed} passed, {len(fails)} failed")
    return 0 if not fails else 1


if __name__ == "__main__":
    sys.exit(main())
