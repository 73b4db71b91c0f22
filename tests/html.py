"""How the tests read a page: BeautifulSoup over lxml's HTML parser.

One parser for every test, so that a page reads the same in all of them. lxml parses in C; with
Python's own `html.parser` the ~1,700 pages a run parses took about 21 s of CPU
(docs/development.md, "Tests").
"""

from bs4 import BeautifulSoup


def parse_html(markup: str | bytes) -> BeautifulSoup:
    return BeautifulSoup(markup, "lxml")
