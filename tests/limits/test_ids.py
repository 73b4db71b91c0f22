"""Ids beyond what the database can hold answer 404, never 500 (issue 20, item 5): every route
with a number in its path, on pages and in the API, and the numbers pages read from the query
string. PostgreSQL's ids stop at 2**31 - 1 and SQLite's at 2**63 - 1; both answer the same."""

from __future__ import annotations

import re

import pytest
from flask import current_app

from supervision.org.models import Role
from tests.factories import make_record, make_staff
from tests.html import parse_html

pytestmark = pytest.mark.usefixtures("clock")

SEGMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
BEYOND = [2**31, 2**63, 2**64, 10**40, "١٢", "１２"]


def routes_with_ids():
    for rule in current_app.url_map.iter_rules():
        if any(converter.__class__.__name__ == "IdConverter" for converter in rule._converters.values()):
            yield rule


def path_with(rule, number) -> str:
    def value(match):
        return str(number) if match["converter"] == "int" else "x"

    return SEGMENT.sub(value, rule.rule)


def request(client, rule, path, headers=None):
    method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
    return client.open(path, method=method, headers=headers or {})


@pytest.fixture
def signed_in(people, pages, api_as):
    pages.sign_in(people.head)
    return pages.client, api_as(people.head).headers()


def test_the_walk_finds_the_routes_with_ids(app):
    with app.app_context():
        rules = list(routes_with_ids())
    assert len(rules) > 40
    assert {"/records/<int:record_id>", "/api/v1/records/<int:record_id>"} <= {rule.rule for rule in rules}


def test_every_id_beyond_the_database_is_404_on_every_route(app, signed_in):
    client, headers = signed_in
    answers = {}
    for rule in routes_with_ids():
        for number in BEYOND:
            path = path_with(rule, number)
            response = request(client, rule, path, headers if path.startswith("/api/") else None)
            answers[path] = response.status_code
            if path.startswith("/api/"):
                assert response.is_json and response.json["status"] == 404, path
    assert {path: status for path, status in answers.items() if status != 404} == {}


def test_the_largest_id_is_an_ordinary_not_found_on_every_route(app, signed_in):
    client, headers = signed_in
    failed = {}
    for rule in routes_with_ids():
        path = path_with(rule, 2**31 - 1)
        response = request(client, rule, path, headers if path.startswith("/api/") else None)
        if response.status_code >= 500:
            failed[path] = response.status_code
    assert failed == {}


def test_a_page_number_beyond_any_id_is_404_and_other_digits_are_not_read_as_a_number(people, pages):
    pages.sign_in(people.admin)
    client = pages.client
    assert client.get("/audit-log?page=2147483648").status_code == 404
    assert client.get("/audit-log?page=99999999999999999999999").status_code == 404
    assert client.get("/staff?page=2147483648").status_code == 404
    assert client.get("/audit-log?page=2147483647").status_code == 200

    # Other scripts' digits are not a number: ignored like any hand-edited filter (the first page).
    def rows(path):
        response = client.get(path)
        assert response.status_code == 200
        return [row.get_text(" ", strip=True) for row in parse_html(response.data).select("tbody tr")]

    assert rows("/staff?page=١٢") == rows("/staff")


def test_an_id_in_the_query_string_beyond_the_database_is_404(people, pages):
    record = make_record(people.worker, people.supervisor)
    pages.sign_in(people.supervisor)
    client = pages.client
    assert client.get("/sessions/new?rebook=2147483648").status_code == 404
    assert client.get("/sessions/new?supervisee_id=9223372036854775808").status_code == 404
    assert client.get(f"/records/{record.id}/actions/new?case_id=2147483648").status_code == 404
    assert client.get(f"/records/{record.id}/actions/new?case_id=١").status_code == 200


def test_the_api_refuses_page_numbers_out_of_range_or_in_other_digits_naming_the_field(api_as):
    api = api_as(make_staff(Role.ADMIN))
    for query, field in (
        ("page=2147483648", "page"),
        ("page=١", "page"),
        ("per_page=١٠", "per_page"),
        ("page=99999999999999999999999999", "page"),
    ):
        response = api.get(f"/staff?{query}")
        assert response.status_code == 400, query
        assert set(response.json["errors"]) == {field}, query
    assert api.get("/staff?page=2147483647").status_code == 200
    response = api.get("/team-dashboard?team_id=١")
    assert response.status_code in (400, 403)
