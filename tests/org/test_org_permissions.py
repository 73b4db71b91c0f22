"""Who may use each organisation page: admin everything, HR staff data only, everyone else 403."""

import pytest
from flask import current_app, url_for

from supervision.extensions import db
from supervision.org.models import Role
from tests.factories import make_staff, make_team
from tests.org.conftest import row_counts, staff_form

ADMIN_ONLY = {
    "org.services",
    "org.create_service",
    "org.edit_service",
    "org.create_team",
    "org.edit_team",
    "org.deactivate_staff",
    "org.reactivate_staff",
}
ADMIN_OR_HR = {"org.staff_list", "org.create_staff", "org.staff_detail", "org.edit_staff"}

# (endpoint, method); every org route is here, checked against the URL map below.
ROUTES = [
    ("org.services", "GET"),
    ("org.create_service", "GET"),
    ("org.create_service", "POST"),
    ("org.edit_service", "GET"),
    ("org.edit_service", "POST"),
    ("org.create_team", "GET"),
    ("org.create_team", "POST"),
    ("org.edit_team", "GET"),
    ("org.edit_team", "POST"),
    ("org.staff_list", "GET"),
    ("org.create_staff", "GET"),
    ("org.create_staff", "POST"),
    ("org.staff_detail", "GET"),
    ("org.edit_staff", "GET"),
    ("org.edit_staff", "POST"),
    ("org.deactivate_staff", "GET"),
    ("org.deactivate_staff", "POST"),
    ("org.reactivate_staff", "POST"),
]


def test_the_table_covers_every_organisation_route(app):
    in_map = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("org.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert in_map == set(ROUTES)
    assert {endpoint for endpoint, _ in ROUTES} == ADMIN_ONLY | ADMIN_OR_HR


@pytest.fixture
def target():
    team = make_team()
    person = make_staff(Role.SOCIAL_WORKER, team=team, job_title="Untouched")
    return {"service_id": team.service_id, "team_id": team.id, "staff_id": person.id, "person": person}


def url(endpoint: str, target: dict) -> str:
    rule = next(current_app.url_map.iter_rules(endpoint))
    return url_for(endpoint, **{name: target[name] for name in rule.arguments})


# Posts that would change something if they were let through.
POSTS = {
    "org.create_service": {"name": "Intruders"},
    "org.edit_service": {"name": "Intruders"},
    "org.create_team": {"name": "Intruders", "establishment_fte": "1"},
    "org.edit_team": {"name": "Intruders", "establishment_fte": "1"},
    "org.create_staff": staff_form(email="intruder@example.test", roles=["admin"]),
    "org.edit_staff": staff_form(job_title="Changed"),
    "org.deactivate_staff": {"confirm": "Deactivate"},
    "org.reactivate_staff": {},
}


def expected_status(role: Role, endpoint: str) -> int:
    if role is Role.ADMIN:
        return 200
    if role is Role.HR and endpoint in ADMIN_OR_HR:
        return 200
    return 403


@pytest.mark.parametrize(
    "role", [Role.ADMIN, Role.HR, Role.SERVICE_MANAGER, Role.SUPERVISOR, Role.SOCIAL_WORKER]
)
@pytest.mark.parametrize(("endpoint", "method"), ROUTES)
def test_each_role_gets_what_it_may_and_403_otherwise(pages, client, target, role, endpoint, method):
    pages.sign_in(make_staff(role))
    if method == "GET":
        assert client.get(url(endpoint, target)).status_code == expected_status(role, endpoint)
        return
    before = row_counts()
    response = client.post(url(endpoint, target), data=POSTS[endpoint])
    if expected_status(role, endpoint) == 403:
        assert response.status_code == 403
        assert row_counts() == before
        db.session.expire_all()
        assert (target["person"].job_title, target["person"].active) == ("Untouched", True)
    else:
        assert response.status_code in (200, 302)


@pytest.mark.parametrize(("endpoint", "method"), ROUTES)
def test_signed_out_people_are_sent_to_sign_in(pages, client, target, endpoint, method):
    response = client.open(url(endpoint, target), method=method, data=POSTS.get(endpoint, {}))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.ADMIN, {"Staff", "Services and teams"}),
        (Role.HR, {"Staff"}),
        (Role.SUPERVISOR, set()),
        (Role.SOCIAL_WORKER, set()),
    ],
)
def test_navigation_offers_each_role_only_its_organisation_pages(pages, role, expected):
    pages.sign_in(make_staff(role))
    menu = pages.get("home.index").select(".govuk-service-navigation__list a")
    labels = {link.get_text(strip=True) for link in menu}
    assert labels & {"Staff", "Services and teams"} == expected
