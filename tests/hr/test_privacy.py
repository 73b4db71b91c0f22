"""HR see aggregates and employment data, never supervision content (docs/roles.md).

Every piece of free text in the seeded supervision records carries a unique marker. HR then
request every page and download they can reach, and none may contain a marker; every route that
shows or changes a supervision record must refuse them.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from flask import current_app

from supervision.hr.import_rules import REQUIRED_COLUMNS
from supervision.org.models import Role
from tests.factories import make_staff
from tests.hr.conftest import seed_workforce
from tests.hr.supervision_seed import seed_supervision
from tests.hr.test_import import line

# Blueprints whose routes show or change supervision agreements, sessions, records and audits.
SUPERVISION_BLUEPRINTS = {
    "records",
    "sessions",
    "agreements",
    "quality_audits",
    "compliance",
    "reports",
    "api",
}
HR_OWN_PAGES = {"sessions.my_supervision"}  # a person's own supervision, empty for HR here
PARAMETER = re.compile(r"<(?:int:)?([a-z_]+)>")
NOT_PAGES = {"static", "assets.govuk_asset", "auth.sign_out", "health.healthz", "notifications.calendar_file"}


@pytest.fixture
def seeded(app, clock):
    workforce = seed_workforce()
    supervision = seed_supervision(supervisee=workforce["N2"], supervisor=workforce["N1"])
    return workforce, supervision


@pytest.fixture
def hr_user(pages, seeded):
    person = make_staff(Role.HR, email="hr@example.test", employee_number="HR1")
    pages.sign_in(person)
    return person


def path_for(rule, ids: dict[str, int]) -> str:
    return PARAMETER.sub(lambda match: str(ids.get(match.group(1), 1)), rule.rule)


def readable(response) -> str:
    """The body as text; an XLSX is unzipped so every sheet and shared string is searched."""
    data = response.get_data()
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return data.decode("utf-8", "replace")


def assert_no_marker(text: str, markers: list[str], where: str) -> None:
    leaked = [marker for marker in markers if marker in text]
    assert leaked == [], f"{where} shows supervision content: {leaked}"


def test_no_hr_page_or_download_shows_supervision_content(pages, seeded, hr_user, clock):
    workforce, supervision = seeded
    client = pages.client
    seen: dict[str, str] = {}

    def visit(label: str, response, status: int = 200):
        assert response.status_code == status, f"{label}: {response.status_code}"
        seen[label] = readable(response)

    visit("retention", client.get("/retention"))
    visit("retention in March", client.get("/retention?snapshot_date=31&snapshot_date=3&snapshot_date=2026"))
    visit("CSV", client.get("/retention/export.csv"))
    visit("XLSX", client.get("/retention/export.xlsx"))
    visit("record a leaver", client.get("/retention/record-leaver"))
    visit("import page", client.get("/staff-import"))
    visit("example file", client.get("/staff-import/example.csv"))

    header = ",".join(REQUIRED_COLUMNS)
    good = f"{header}\r\nN2,{workforce['N2'].email},Person,N2,social_worker,yes,permanent,0.9,2019-03-01\r\n"
    upload = client.post(
        "/staff-import",
        data={"staff_file": (io.BytesIO(good.encode()), "s.csv")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    visit("import preview", client.get("/staff-import/preview"))
    bad = f"{header}\r\n{line(employee_number='N2')}\r\n"
    visit(
        "refused import",
        client.post(
            "/staff-import",
            data={"staff_file": (io.BytesIO(bad.encode()), "s.csv")},
            content_type="multipart/form-data",
        ),
    )
    leaving = {
        "employee_number": "N2",
        "end_date": ["31", "8", "2026"],
        "leaving_reason": "",
        "leaving_destination": "",
    }
    assert client.post("/retention/record-leaver", data=leaving).status_code == 302
    visit("retention after a supervisee left", client.get("/retention"))

    # Every other page HR can open, with the seeded ids filled in.
    for rule in current_app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES or rule.endpoint.startswith("api."):
            continue
        response = client.get(path_for(rule, supervision.route_ids))
        if response.status_code == 200:
            seen[rule.rule] = readable(response)

    assert "/staff/<int:staff_id>" in seen  # HR do see the supervisee's employment details
    for where, text in seen.items():
        assert_no_marker(text, supervision.markers, where)


def test_hr_are_refused_every_route_to_supervision_records(pages, seeded, hr_user):
    _, supervision = seeded
    refused = []
    for rule in current_app.url_map.iter_rules():
        blueprint = rule.endpoint.split(".")[0]
        if blueprint not in SUPERVISION_BLUEPRINTS or rule.endpoint in HR_OWN_PAGES:
            continue
        path = path_for(rule, supervision.route_ids)
        for method in sorted(rule.methods & {"GET", "POST", "PATCH"}):
            response = pages.client.open(path, method=method, data={})
            expected = {401, 403, 404} if blueprint == "api" else {403, 404}
            assert response.status_code in expected, f"{method} {path} answered {response.status_code}"
            assert_no_marker(readable(response), supervision.markers, f"{method} {path}")
            refused.append(rule.endpoint)
    # The routes that matter most are among those tried (this test cannot pass by finding none).
    assert {"records.record", "records.print_record", "records.case_note", "sessions.session"} <= set(refused)
    assert {"agreements.agreement", "sessions.person_supervision"} <= set(refused)
