"""Deactivating a person stops them signing in and keeps their records; reactivating undoes it."""

from supervision.extensions import db
from supervision.org.models import Role
from tests.factories import PASSWORD, make_staff
from tests.org.conftest import error_links


def sign_in_status(client, email: str) -> int:
    return client.post("/sign-in", data={"email": email, "password": PASSWORD}).status_code


def test_the_confirmation_page_asks_before_anything_changes(pages, admin):
    person = make_staff(given_name="Sam", family_name="Okafor")
    detail = pages.get("org.staff_detail", staff_id=person.id)
    assert len(detail.select(f'a[href="/staff/{person.id}/deactivate"]')) == 1
    soup = pages.get("org.deactivate_staff", staff_id=person.id)
    assert soup.h1.get_text(strip=True) == "Are you sure you want to deactivate Sam Okafor?"
    assert soup.select_one("button#confirm").get_text(strip=True) == "Deactivate Sam Okafor"
    db.session.expire_all()
    assert person.active is True


def test_an_admin_deactivates_a_person_who_then_cannot_sign_in(pages, admin, client, clock):
    person = make_staff(given_name="Sam", family_name="Okafor", email="sam@example.test")
    response = pages.post("org.deactivate_staff", staff_id=person.id, data={"confirm": "Deactivate"})
    assert response.headers["Location"] == f"/staff/{person.id}"
    db.session.expire_all()
    assert person.active is False
    assert person.updated_at == clock.now()

    detail = pages.get("org.staff_detail", staff_id=person.id)
    text = detail.get_text(" ", strip=True)
    assert "Sam Okafor has been deactivated and can no longer sign in" in text
    assert "Deactivated" in detail.h1.get_text(" ", strip=True)
    buttons = [button.get_text(" ", strip=True) for button in detail.select("main button")]
    assert "Reactivate Sam Okafor" in buttons

    client.post("/sign-out")
    assert sign_in_status(client, "sam@example.test") == 200  # the form again: refused


def test_a_reactivated_person_can_sign_in_again(pages, admin, client):
    person = make_staff(email="back@example.test", active=False)
    pages.post("org.reactivate_staff", staff_id=person.id)
    db.session.expire_all()
    assert person.active is True
    assert "can sign in again" in pages.get("org.staff_detail", staff_id=person.id).get_text(" ", strip=True)
    client.post("/sign-out")
    assert sign_in_status(client, "back@example.test") == 302


def test_an_admin_cannot_deactivate_themselves(pages, admin):
    page = pages.get("org.deactivate_staff", staff_id=admin.id)
    assert page.select_one("button#confirm") is None
    assert "You cannot deactivate your own account" in page.get_text(" ", strip=True)
    own_page = pages.get("org.staff_detail", staff_id=admin.id)
    assert own_page.select(f'a[href="/staff/{admin.id}/deactivate"]') == []

    soup = pages.post(
        "org.deactivate_staff", staff_id=admin.id, data={"confirm": "Deactivate"}, _expected_status=200
    )
    assert error_links(soup) == {
        "You cannot deactivate your own account. Ask another administrator to do it.": "#confirm"
    }
    db.session.expire_all()
    assert admin.active is True


def test_hr_see_no_deactivate_or_reactivate_buttons(pages, hr):
    active = make_staff(Role.SOCIAL_WORKER)
    inactive = make_staff(Role.SOCIAL_WORKER, active=False)
    for person in (active, inactive):
        page = pages.get("org.staff_detail", staff_id=person.id)
        buttons = [element.get_text(" ", strip=True) for element in page.select("main .govuk-button")]
        assert [label for label in buttons if label.startswith(("Deactivate", "Reactivate"))] == []
