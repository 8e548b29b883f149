#!/usr/bin/python3
"""Checks that each file named on the command line is valid HTML5 by html5lib's strict parser
(Debian python3-html5lib): the first parse error of each file is printed and the exit code is 1.
Run with Debian's /usr/bin/python3, which has the module."""
import sys

import html5lib

failed = False
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        data = f.read()
    parser = html5lib.HTMLParser(strict=True)
    try:
        parser.parse(data)
    except html5lib.html5parser.ParseError as e:
        failed = True
        print(f"{path}: {e}")
sys.exit(1 if failed else 0)
