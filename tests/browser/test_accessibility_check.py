"""The browser tests' own axe-core check (`assert_accessible`) still finds what it leaves to the first of
a build: a row or cell built like an earlier one is left out, one built differently is checked."""

import pytest

from tests.browser.conftest import assert_accessible

ROWS = "".join(f"<tr><td>Person {n}</td><td><a href='/people/{n}'></a></td></tr>" for n in range(30))


def problems_on(page, body: str) -> str:
    page.set_content(f"<!doctype html><html lang='en'><title>A table</title><main>{body}</main></html>")
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    return str(failure.value)


def test_a_problem_in_rows_of_one_build_is_found_in_the_first(page):
    found = problems_on(page, f"<table><caption>People</caption><tbody>{ROWS}</tbody></table>")
    assert "link-name" in found
    assert found.count("Target:") == 1 and 'href="/people/0"' in found


def test_a_row_or_a_cell_built_differently_from_those_before_it_is_checked(page):
    pale = "<td style='color: #cccccc'>Pale</td>"
    found = problems_on(
        page,
        f"<table><caption>People</caption><tbody>{ROWS.replace('<a ', '<a aria-label=Open ')}"
        f"<tr><td>A</td><td>B</td><td>C</td>{pale}</tr></tbody></table>"
        "<ul><li>One</li><li>Two</li><li><a href='/'></a></li></ul>",
    )
    assert "color-contrast" in found and "Pale" in found
    assert "link-name" in found
