#!/usr/bin/env python3
"""Make one LibreOffice help page (HTML from libreoffice-help-*) standalone, deterministically.

    lohelp_post.py MODULE < page.html > out.html
    lohelp_post.py --batch SRCDIR DSTDIR < list     # list: paths relative to SRCDIR, one a line;
                                                    # MODULE from each path's first folder

The help pages carry their whole text in the HTML, but platform- and application-specific
wording sits in "switch" spans whose alternatives are all marked hidden="true"; help2.js
un-hides one alternative at load time. Without JavaScript a browser shows none of them
(e.g. "+F" instead of "Ctrl+F") and a tag stripper shows all of them run together
("CommandCtrl+F"). This script does what the script would do, for a fixed reader:

  * system switches (id="swlnsys…"): keep the alternatives whose id starts with "UNIX";
    if there is none, those whose id starts with "default" (the Linux/Debian view);
  * application switches (id="swlnappl…"): keep the alternatives whose id starts with
    MODULE (the module the help's own contents tree opens the page with: swriter/ WRITER,
    scalc/ CALC, simpress/ IMPRESS, sbasic/ BASIC, shared/ SHARED, which no alternative
    matches); if there is none, those whose id starts with "default";
  * the kept alternatives lose hidden="true"; the others are removed; text inside a switch
    that is not in an alternative (the shipped HTML has a few such slips) stays, as in a
    browser;
  * the <noscript> meta refresh to ../noscript.html (not copied) is removed.

Everything else - the visible help text, headings, tables, the empty navigation shells and
the hidden-by-CSS debug footer - is left byte for byte as shipped.
"""
import os
import re
import sys

SPAN = re.compile(r"<span\b[^>]*>|</span\s*>", re.I)
SWITCH = re.compile(r'<span\s+id="swln(sys|appl)[^"]*"\s+class="switch(?:inline)?"\s*>')
CASE_ID = re.compile(r'\bid="([^"]*)"')
NOSCRIPT = re.compile(r'<noscript><meta http-equiv="refresh" content="0; URL=[^"]*noscript\.html"></noscript>\n?')


def matching_close(s, start):
    """Index just past the </span> that closes the <span> starting at s[start]."""
    depth = 0
    for m in SPAN.finditer(s, start):
        if m.group(0).startswith("</"):
            depth -= 1
            if depth == 0:
                return m.end()
        else:
            depth += 1
    raise ValueError(f"unclosed span at offset {start}")


def resolve(s, module):
    out, pos = [], 0
    while True:
        m = SWITCH.search(s, pos)
        if not m:
            out.append(s[pos:])
            return "".join(out)
        out.append(s[pos:m.start()])
        end = matching_close(s, m.start())
        inner = s[m.end():end - len("</span>")]
        want = "UNIX" if m.group(1) == "sys" else module
        # direct child spans of the switch carrying hidden="true" and an id are its cases;
        # anything else inside the switch (text, other spans) is visible and stays as it is
        parts, i = [], 0
        while True:
            c = SPAN.search(inner, i)
            if not c:
                parts.append(("text", inner[i:]))
                break
            if c.group(0).startswith("</"):
                raise ValueError(f"unbalanced span in switch near {inner[i:i + 80]!r}")
            parts.append(("text", inner[i:c.start()]))
            cend = matching_close(inner, c.start())
            cid = CASE_ID.search(c.group(0))
            if ' hidden="true"' in c.group(0) and cid:
                parts.append(("case", cid.group(1), c.group(0), inner[c.end():cend - len("</span>")]))
            else:
                parts.append(("text", resolve(inner[c.start():cend], module)))
            i = cend
        cases = [p for p in parts if p[0] == "case"]
        keep = {id(p) for p in cases if want and p[1].startswith(want)}
        if not keep:
            keep = {id(p) for p in cases if p[1].startswith("default")}
        out.append(m.group(0))
        for p in parts:
            if p[0] == "text":
                out.append(p[1])
            elif id(p) in keep:
                out.append(p[2].replace(' hidden="true"', "") + resolve(p[3], module) + "</span>")
        out.append("</span>")
        pos = end


MODULES = {"swriter": "WRITER", "scalc": "CALC", "simpress": "IMPRESS", "sdraw": "DRAW",
           "schart": "CHART", "smath": "MATH", "sdatabase": "BASE", "sbasic": "BASIC",
           "shared": "SHARED"}


def convert(raw, module):
    s = raw.decode("utf-8")
    s = NOSCRIPT.sub("", s, count=1)
    s = resolve(s, module)
    if ' hidden="true"' in s:
        raise ValueError("hidden content left outside a switch")
    if "<noscript" in s:
        raise ValueError("noscript element left")
    return s.encode("utf-8")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--batch":
        src, dst = sys.argv[2], sys.argv[3]
        n = 0
        for rel in sys.stdin.read().split("\n"):
            rel = rel.strip()
            if not rel:
                continue
            module = MODULES[rel.split("/", 1)[0]]
            with open(os.path.join(src, rel), "rb") as f:
                raw = f.read()
            try:
                out = convert(raw, module)
            except ValueError as e:
                raise SystemExit(f"error: {rel}: {e}")
            os.makedirs(os.path.dirname(os.path.join(dst, rel)), exist_ok=True)
            with open(os.path.join(dst, rel), "wb") as f:
                f.write(out)
            n += 1
        print(n)
    elif len(sys.argv) == 2:
        sys.stdout.buffer.write(convert(sys.stdin.buffer.read(), sys.argv[1]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
