#!/usr/bin/env python3
"""Validate the LibreOffice-help evaluation set against a built corpus.

    python3 check.py CORPUS_DIR            # CORPUS_DIR as built by build_corpus.sh

Checks (python3 standard library only):
  * questions.jsonl: fields present, ids unique, lang en/de, roles ["everyone"] or
    ["everyone","dev"] (the latter exactly for questions whose gold lies in dev/),
    difficulty lexical / paraphrase / unanswerable; the set-level rules: at least 100
    questions, at least 45 % German, at least 50 % paraphrase, at least 22 unanswerable,
    of which both kinds (no page at all / dev-only asked without "dev") occur, roughly
    half each;
  * answerable questions: gold non-empty, every gold file exists, is readable with the
    question's roles (acl.toml) and lies in the question's language folder; no duplicate
    golds; answer_snippet has 5-15 words, occurs in gold[0]'s extracted text (tags stripped
    or replaced by spaces, comments/script/style dropped, entities decoded, whitespace and
    no-break spaces collapsed) and is not contained in the question (case-insensitive);
  * unanswerable questions: gold == [] and answer_snippet == ""; for the na- kind (answer in
    no page) none of the patterns in NA_ABSENT below occurs in any public/ file; for the
    nd- kind (answer only in the restricted Basic help) every string in ND_ONLY_DEV below
    occurs in some dev/<lang>/ file and in no public/ file;
  * leak_probes.jsonl: at least 12 probes, ids unique, roles ["everyone"], lang en/de,
    both languages present; every target exists under dev/; every forbidden string occurs
    (raw or extracted) in some dev/ file and in no public/ file; no probe contains one of
    its forbidden strings (case-insensitive);
  * the corpus holds only public/ and dev/ files, each readable by some acl.toml rule.
Prints every failure, then "N passed, M failed"; exit status 1 if anything failed.
"""
import json
import os
import re
import sys
from functools import lru_cache

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from evalset import acl_for, collapse, html_texts, load_acl, raw_text  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

# Evidence that the unanswerable questions stay unanswerable (extracted text, case-insensitive).
# na-: the feature / topic is in none of the selected pages (regexes that must not match).
NA_ABSENT = {
    "na-en-01": [r"XLOOKUP", r"XVERWEIS"],
    "na-en-02": [r"\bMP4\b", r"\bvideo"],
    "na-en-03": [r"sparkline"],
    "na-en-04": [r"matrix\s*\{", r"Math.{0,60}matri"],
    "na-en-05": [r"YouTube", r"\bvideo"],
    "na-en-06": [r"1[ ,.\u00a0]?048[ ,.\u00a0]?576", r"\b16[ ,.]?384\b"],
    "na-en-07": [r"subform", r"Unterformular"],
    "na-de-01": [r"Wasserfall", r"waterfall"],
    "na-de-02": [r"diktier", r"Spracheingabe", r"Spracherkennung", r"dictat"],
    "na-de-03": [r"\b1:n\b", r"Beziehungen", r"relationship"],
    "na-de-04": [r"Maßlinie", r"Bemaßung", r"dimension line"],
    "na-de-05": [r"übersetz", r"DeepL", r"translat"],
    "na-de-06": [r"Markdown"],
}
# nd-: the answer is in the Basic help under dev/<lang>/ and nowhere under public/.
ND_ONLY_DEV = {
    "nd-en-01": ["Split Function"],
    "nd-en-02": ["Option Explicit"],
    "nd-en-03": ["Line Input"],
    "nd-en-04": ["breakpoint", "Watch window"],
    "nd-en-05": ["CreateUnoDialog"],
    "nd-en-06": ["ThisComponent"],
    "nd-de-01": ["MB_YESNO"],
    "nd-de-02": ["FileExists"],
    "nd-de-03": ["On Error GoTo"],
    "nd-de-04": ["FunctionAccess"],
    "nd-de-05": ["Format(Ausdruck"],
    "nd-de-06": ["Funktion Shell"],
    "nd-de-07": ["Anweisung Const"],
}
TOPS = ("public", "dev")


def searchable(path):
    return (collapse(raw_text(path)),) + html_texts(path)


def all_files(corpus):
    out = []
    for dp, dirs, fs in os.walk(corpus):
        dirs.sort()
        for f in sorted(fs):
            p = os.path.join(dp, f)
            out.append((os.path.relpath(p, corpus), p))
    return out


def read_jsonl(name):
    rows = []
    for n, line in enumerate(open(os.path.join(HERE, name), encoding="utf-8"), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                rows.append({"id": f"{name}:{n}", "_error": str(e)})
    return rows


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    corpus = sys.argv[1]
    if not all(os.path.isdir(os.path.join(corpus, t)) for t in TOPS):
        print(f"no corpus at {corpus}: run build_corpus.sh {corpus} first")
        return 2
    rules = load_acl(os.path.join(HERE, "acl.toml"))
    fails, passed = [], 0

    def fail(msg):
        fails.append(msg)

    # ---- corpus layout ---------------------------------------------------------
    files = all_files(corpus)
    public_files = [(r, p) for r, p in files if r.startswith("public/")]
    dev_files = [(r, p) for r, p in files if r.startswith("dev/")]
    ok = True
    for rel, _ in files:
        if not rel.startswith(tuple(t + "/" for t in TOPS)):
            continue  # other things the user keeps in the directory are not ours
        if not acl_for(rules, rel):
            fail(f"corpus file {rel} matches no acl.toml rule"); ok = False
    if not public_files or not dev_files:
        fail("corpus has no public/ or no dev/ files"); ok = False
    passed += ok

    # ---- questions -------------------------------------------------------------
    qs = read_jsonl("questions.jsonl")
    need = {"id", "lang", "roles", "question", "gold", "answer_snippet", "difficulty"}
    ids = set()
    for q in qs:
        qid = q.get("id", "?")
        if "_error" in q:
            fail(f"{qid}: bad JSON: {q['_error']}"); continue
        missing = need - q.keys()
        if missing:
            fail(f"{qid}: missing fields {sorted(missing)}"); continue
        ok = True
        if qid in ids:
            fail(f"{qid}: duplicate id"); ok = False
        ids.add(qid)
        if q["lang"] not in ("en", "de"):
            fail(f"{qid}: bad lang {q['lang']!r}"); ok = False
        if q["difficulty"] not in ("lexical", "paraphrase", "unanswerable"):
            fail(f"{qid}: bad difficulty {q['difficulty']!r}"); ok = False
        if not isinstance(q["question"], str) or len(q["question"].split()) < 4:
            fail(f"{qid}: question too short"); ok = False
        gold = q["gold"]
        if not isinstance(gold, list) or not isinstance(q["answer_snippet"], str):
            fail(f"{qid}: gold must be a list and answer_snippet a string"); continue
        dev_gold = any(g.startswith("dev/") for g in gold)
        want_roles = ["everyone", "dev"] if dev_gold else ["everyone"]
        if q["roles"] != want_roles:
            fail(f"{qid}: roles {q['roles']} (want {want_roles})"); ok = False
        if q["difficulty"] == "unanswerable":
            if gold or q["answer_snippet"]:
                fail(f"{qid}: unanswerable question needs gold [] and answer_snippet \"\"")
                ok = False
            if qid.startswith("na-"):
                if qid not in NA_ABSENT:
                    fail(f"{qid}: no NA_ABSENT evidence listed in check.py"); ok = False
                for pat in NA_ABSENT.get(qid, []):
                    rx = re.compile(pat, re.I)
                    hits = [r for r, path in public_files if any(rx.search(t) for t in html_texts(path))]
                    if hits:
                        fail(f"{qid}: {pat!r} occurs in public file(s) {hits[:3]}"); ok = False
            elif qid.startswith("nd-"):
                if qid not in ND_ONLY_DEV:
                    fail(f"{qid}: no ND_ONLY_DEV evidence listed in check.py"); ok = False
                for term in ND_ONLY_DEV.get(qid, []):
                    t = term.lower()
                    in_dev = [r for r, path in dev_files if r.split("/")[1] == q["lang"]
                              and any(t in x.lower() for x in html_texts(path))]
                    in_pub = [r for r, path in public_files if any(t in x.lower() for x in html_texts(path))]
                    if not in_dev:
                        fail(f"{qid}: {term!r} occurs in no dev/{q['lang']}/ file"); ok = False
                    if in_pub:
                        fail(f"{qid}: {term!r} occurs in public file(s) {in_pub[:3]}"); ok = False
            passed += ok
            continue
        if not gold:
            fail(f"{qid}: empty gold for an answerable question"); continue
        if len(set(gold)) != len(gold):
            fail(f"{qid}: duplicate gold entries"); ok = False
        for g in gold:
            path = os.path.join(corpus, g)
            parts = g.split("/")
            if not os.path.isfile(path):
                fail(f"{qid}: gold {g} not in corpus"); ok = False
            elif not (acl_for(rules, g) & set(q["roles"])):
                fail(f"{qid}: gold {g} not readable with roles {q['roles']}"); ok = False
            elif len(parts) < 3 or parts[1] != q["lang"]:
                fail(f"{qid}: gold {g} is not in the {q['lang']} folder"); ok = False
        if not ok:
            continue
        snip = collapse(q["answer_snippet"])
        words = len(snip.split(" ")) if snip else 0
        if not 5 <= words <= 15:
            fail(f"{qid}: snippet has {words} words (want 5-15)"); ok = False
        if not any(snip in t for t in html_texts(os.path.join(corpus, gold[0]))):
            fail(f"{qid}: snippet not found in {gold[0]}: {snip!r}"); ok = False
        if snip.lower() in collapse(q["question"]).lower():
            fail(f"{qid}: question contains the snippet verbatim"); ok = False
        passed += ok

    # ---- set-level rules ---------------------------------------------------------
    valid = [q for q in qs if "_error" not in q and need <= q.keys()]
    n = len(valid)
    n_de = sum(q["lang"] == "de" for q in valid)
    n_para = sum(q["difficulty"] == "paraphrase" for q in valid)
    unans = [q for q in valid if q["difficulty"] == "unanswerable"]
    kind_b = [q for q in unans if q["id"].startswith("nd-")]
    kind_a = [q for q in unans if q["id"].startswith("na-")]
    ok = True
    if n < 100:
        fail(f"only {n} questions (want >= 100)"); ok = False
    if n and n_de / n < 0.45:
        fail(f"German share {n_de}/{n} < 45 %"); ok = False
    if n and n_para / n < 0.50:
        fail(f"paraphrase share {n_para}/{n} < 50 %"); ok = False
    if len(unans) < 22:
        fail(f"only {len(unans)} unanswerable questions (want >= 22)"); ok = False
    if len(kind_a) + len(kind_b) != len(unans):
        fail("unanswerable ids must start with na- (no page answers) or nd- (dev-only)"); ok = False
    if unans and not (0.3 <= len(kind_a) / len(unans) <= 0.7):
        fail(f"unanswerable kinds unbalanced: {len(kind_a)} na- / {len(kind_b)} nd-"); ok = False
    passed += ok

    # ---- leak probes ------------------------------------------------------------
    probes = read_jsonl("leak_probes.jsonl")
    checked = {}
    pids = set()
    for p in probes:
        pid = p.get("id", "?")
        if "_error" in p:
            fail(f"{pid}: bad JSON: {p['_error']}"); continue
        ok = True
        if pid in pids:
            fail(f"{pid}: duplicate id"); ok = False
        pids.add(pid)
        if p.get("roles") != ["everyone"]:
            fail(f"{pid}: leak probe roles must be ['everyone']"); ok = False
        if p.get("lang") not in ("en", "de"):
            fail(f"{pid}: bad lang"); ok = False
        if not p.get("forbidden") or not p.get("query") or not p.get("target"):
            fail(f"{pid}: needs query, forbidden and target"); continue
        for t in p["target"]:
            if not t.startswith("dev/") or not os.path.isfile(os.path.join(corpus, t)):
                fail(f"{pid}: target {t} is not a dev/ file of the corpus"); ok = False
        for s in p["forbidden"]:
            if s.lower() in p["query"].lower():
                fail(f"{pid}: query itself contains forbidden {s!r}"); ok = False
            if s not in checked:
                cs = collapse(s)
                in_dev = [r for r, path in dev_files if any(cs in t for t in searchable(path))]
                in_pub = [r for r, path in public_files if any(cs in t for t in searchable(path))]
                checked[s] = (in_dev, in_pub)
            in_dev, in_pub = checked[s]
            if not in_dev:
                fail(f"{pid}: forbidden {s!r} occurs in no dev/ file"); ok = False
            if in_pub:
                fail(f"{pid}: forbidden {s!r} occurs in public file(s) {in_pub[:3]}"); ok = False
        passed += ok
    ok = True
    if len(probes) < 12:
        fail(f"only {len(probes)} leak probes (want >= 12)"); ok = False
    if {p.get("lang") for p in probes} != {"en", "de"}:
        fail("leak probes must cover both en and de"); ok = False
    passed += ok

    for m in fails:
        print("FAIL", m)
    print(f"questions: {n} ({n_de} de, {n - n_de} en; {n_para} paraphrase, "
          f"{sum(q['difficulty'] == 'lexical' for q in valid)} lexical, {len(unans)} unanswerable "
          f"[{len(kind_a)} na-, {len(kind_b)} nd-])  leak probes: {len(probes)}")
    print(f"{passed} passed, {len(fails)} failed")
    return 0 if not fails else 1


if __name__ == "__main__":
    sys.exit(main())
