#!/usr/bin/python3
"""Checks a monthly report (medmij-admin report) as an independent reader would, and prints what
its tables say.

  report_check.py REPORT.html

Parses the file with html5lib's strict parser (Debian python3-html5lib: any parse error fails),
then checks that it is self-contained and CSP-safe: no script element (HTML or SVG), no event
handler or style attribute, nothing that loads a resource (src, href, xlink:href, srcset, url()),
a Content-Security-Policy meta element with default-src 'none' whose style-src hash is the
SHA-256 of the one <style> element. Prints one JSON document on stdout:
  {"tables": {table id: [[cell text, ...] per body row]},
   "figures": {element id: text, for ids starting fig- or count-},
   "svg": number of inline SVG charts}
and exits 0; prints the first failed check on stderr and exits 1 otherwise. Run with Debian's
/usr/bin/python3, which has the module."""
import base64
import hashlib
import json
import re
import sys

import html5lib

SVG = "{http://www.w3.org/2000/svg}"


def local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def text(el):
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def fail(why):
    print(f"report_check: {why}", file=sys.stderr)
    sys.exit(1)


def main():
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    parser = html5lib.HTMLParser(strict=True, tree=html5lib.getTreeBuilder("etree"),
                                 namespaceHTMLElements=False)
    try:
        doc = parser.parse(data)
    except html5lib.html5parser.ParseError as e:
        fail(f"not valid HTML5: {e}")

    styles = []
    csp = None
    svg = 0
    for el in doc.iter():
        name = local(el.tag)
        if name == "script":
            fail("a script element")
        if name == "style":
            styles.append(el.text or "")
        if el.tag == SVG + "svg":
            svg += 1
        if name == "meta" and el.get("http-equiv", "").lower() == "content-security-policy":
            csp = el.get("content", "")
        for attr, value in el.attrib.items():
            a = local(attr).lower()
            if a.startswith("on") or a in ("style", "src", "href", "srcset", "action", "poster",
                                           "data"):
                fail(f"attribute {a}={value!r} on <{name}>")
    if len(styles) != 1:
        fail(f"{len(styles)} style elements, expected 1")
    if "url(" in styles[0] or "@import" in styles[0]:
        fail("the stylesheet loads a resource")
    if csp is None:
        fail("no Content-Security-Policy meta element")
    policy = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    if policy.get("default-src") != ["'none'"]:
        fail(f"default-src is {policy.get('default-src')}, not 'none'")
    digest = base64.b64encode(hashlib.sha256(styles[0].encode("utf-8")).digest()).decode()
    if policy.get("style-src") != [f"'sha256-{digest}'"]:
        fail(f"style-src {policy.get('style-src')} does not admit the stylesheet ({digest})")

    tables = {}
    for table in doc.iter("table"):
        rows = []
        for body in table.iter("tbody"):
            for tr in body.iter("tr"):
                rows.append([text(c) for c in tr if local(c.tag) in ("th", "td")])
        tables[table.get("id", "")] = rows
    figures = {el.get("id"): text(el) for el in doc.iter()
               if el.get("id", "").startswith(("fig-", "count-"))}
    json.dump({"tables": tables, "figures": figures, "svg": svg}, sys.stdout)


main()
