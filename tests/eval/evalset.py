"""What the dev sets' check.py scripts share: the access rules of an acl.toml, white-space
collapsing as the scorers do it, and the visible text of an HTML page. Python 3 stdlib only;
each check.py puts this folder on sys.path."""
import html
import re
from functools import lru_cache

_WS = re.compile(r"\s+")
_DROP = re.compile(r"<!--.*?-->|<script\b.*?</script\s*>|<style\b.*?</style\s*>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>", re.S)


def collapse(s):
    """Every run of white space (no-break spaces included) as one space; soft hyphens gone."""
    return _WS.sub(" ", s.replace("\u00a0", " ").replace("\u00ad", "")).strip()


def load_acl(path):
    """Tiny reader for the [[rule]] prefix/roles tables of acl.toml."""
    rules, cur = [], None
    for line in open(path, encoding="utf-8"):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line == "[[rule]]":
            cur = {}
            rules.append(cur)
            continue
        m = re.match(r"^(\w+)\s*=\s*(.+)$", line)
        if m and cur is not None:
            key, val = m.group(1), m.group(2).strip()
            cur[key] = re.findall(r'"([^"]*)"', val) if val.startswith("[") else val.strip('"')
    return rules


def acl_for(rules, rel):
    """The roles of the longest matching prefix; no rule: nobody (fail closed)."""
    best = None
    for r in rules:
        if rel.startswith(r["prefix"]) and (best is None or len(r["prefix"]) > len(best["prefix"])):
            best = r
    return set(best["roles"]) if best else set()


@lru_cache(maxsize=None)
def raw_text(path):
    return open(path, encoding="utf-8", errors="replace").read()


@lru_cache(maxsize=None)
def html_texts(path):
    """Extracted visible text, two ways: tags removed, and tags replaced by a space."""
    raw = _DROP.sub(" ", raw_text(path))
    return (collapse(html.unescape(_TAG.sub("", raw))), collapse(html.unescape(_TAG.sub(" ", raw))))
