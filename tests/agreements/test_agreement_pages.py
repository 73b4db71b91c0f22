"""Agreement, absence and policy pages: forms that name each mistake and write nothing on one."""

from datetime import date

import pytest
import sqlalchemy as sa

from supervision.agreements import services
from supervision.agreements.models import AbsencePeriod, SupervisionAgreement, SupervisionPolicy
from supervision.extensions import db

pytestmark = pytest.mark.usefixtures("clock")


def agreement_form(supervisor, **changes):
    return {
        "version": "",
        "supervisor_id": str(supervisor.id),
        "frequency_kind": "interval",
        "interval_days": "",
        "asye_started_on": ["", "", ""],
        "minimum_duration_minutes": "",
        "supervision_type": "individual",
        "agreed_on": ["23", "11", "2026"],
        "review_due_on": ["", "", ""],
        "notes": "",
        **changes,
    }


def agreements_of(person):
    db.session.expire_all()
    return services.agreement_history(person.id)


def test_the_supervisor_makes_a_new_agreement_from_the_page(people, pages):
    pages.sign_in(people.supervisor)
    page = pages.get("agreements.new_agreement", person_id=people.worker.id)
    assert page.find("input", attrs={"name": "frequency_kind", "value": "interval"}).has_attr("checked")
    pages.post(
        "agreements.new_agreement",
        agreement_form(people.supervisor, interval_days="21", notes="Cover by Hana"),
        person_id=people.worker.id,
    )
    new, old = agreements_of(people.worker)
    assert (new.interval_days, new.notes, new.review_due_on, new.minimum_duration_minutes) == (
        21,
        "Cover by Hana",
        date(2027, 11, 23),
        90,
    )
    assert old.ended_on == date(2026, 11, 22)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"frequency_kind": "asye_staged"}, "asye_started_on", "Enter the date the ASYE started"),
        ({"interval_days": "fortnight"}, "interval_days", "Interval must be a whole number of days, like 28"),
        ({"agreed_on": ["", "", ""]}, "agreed_on", "Enter the date the agreement was made"),
        (
            {"agreed_on": ["1", "1", "2026"]},
            "agreed_on",
            "The new agreement must start after the current one",
        ),
        ({"supervision_type": "sometimes"}, "supervision_type", "Choose individual, group or a mix"),
        ({"supervisor_id": "999999"}, "supervisor_id", "Choose a supervisor from the list"),
    ],
)
def test_a_bad_agreement_is_named_and_nothing_is_written(people, pages, changes, field, message):
    pages.sign_in(people.supervisor)
    page = pages.post(
        "agreements.new_agreement",
        agreement_form(people.supervisor, **changes),
        _expected_status=200,
        person_id=people.worker.id,
    )
    summary = page.select_one(".govuk-error-summary")
    assert message in summary.text
    first_input = f"{field}-day" if field.endswith("_on") else field  # a date's day box
    assert summary.find("a")["href"] == f"#{first_input}"
    assert len(agreements_of(people.worker)) == 1


def test_both_sign_the_agreement_on_its_page_and_then_it_cannot_be_changed(people, pages, client):
    agreement = services.current_agreement(people.worker.id)
    for person in (people.supervisor, people.worker):
        pages.sign_in(person)
        page = pages.get("agreements.agreement", agreement_id=agreement.id)
        version = page.find("input", attrs={"name": "version"})["value"]
        pages.post("agreements.sign_agreement", {"version": version}, agreement_id=agreement.id)
        client.post("/sign-out")
    db.session.expire_all()
    assert db.session.get(SupervisionAgreement, agreement.id).fully_signed
    pages.sign_in(people.supervisor)
    response = pages.post(
        "agreements.edit_agreement",
        agreement_form(people.supervisor, interval_days="7"),
        agreement_id=agreement.id,
    )
    assert response.headers["Location"].endswith(f"/agreements/{agreement.id}")
    assert db.session.get(SupervisionAgreement, agreement.id).interval_days is None


def test_an_unsigned_agreement_is_edited_on_its_page(people, pages):
    agreement = services.current_agreement(people.worker.id)
    pages.sign_in(people.head)
    pages.post(
        "agreements.edit_agreement",
        agreement_form(
            people.supervisor,
            version=str(agreement.version),
            agreed_on=["5", "1", "2026"],
            interval_days="14",
        ),
        agreement_id=agreement.id,
    )
    db.session.expire_all()
    assert db.session.get(SupervisionAgreement, agreement.id).interval_days == 14


@pytest.mark.parametrize("viewer", ["colleague", "other_supervisor", "hr", "admin"])
def test_people_outside_the_line_never_see_an_agreement(people, pages, viewer):
    agreement = services.current_agreement(people.worker.id)
    pages.sign_in(getattr(people, viewer))
    pages.get("agreements.agreement", _expected_status=404, agreement_id=agreement.id)
    pages.get("agreements.history", _expected_status=404, person_id=people.worker.id)
    pages.get("agreements.new_agreement", _expected_status=404, person_id=people.worker.id)
    pages.get("agreements.new_absence", _expected_status=404, person_id=people.worker.id)


def test_an_absence_is_recorded_on_the_page_and_bad_dates_are_named(people, pages):
    pages.sign_in(people.supervisor)
    page = pages.post(
        "agreements.new_absence",
        {"kind": "sickness", "starts_on": ["10", "12", "2026"], "ends_on": ["1", "12", "2026"]},
        _expected_status=200,
        person_id=people.worker.id,
    )
    assert (
        "The end date must be the same as or after the start date"
        in page.select_one(".govuk-error-summary").text
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AbsencePeriod)) == 0
    pages.post(
        "agreements.new_absence",
        {"kind": "sickness", "starts_on": ["1", "12", "2026"], "ends_on": ["10", "12", "2026"]},
        person_id=people.worker.id,
    )
    [absence] = services.absences_of(people.worker.id)
    assert (absence.starts_on, absence.ends_on, absence.recorded_by_id) == (
        date(2026, 12, 1),
        date(2026, 12, 10),
        people.supervisor.id,
    )
    pages.post("agreements.remove_absence", {}, absence_id=absence.id)
    assert services.absences_of(people.worker.id) == []


def test_an_administrator_changes_the_policy(people, pages):
    pages.sign_in(people.admin)
    page = pages.get("agreements.policy")
    data = {field["name"]: field.get("value", "") for field in page.select("main input[type=text]")}
    data.update({"version": page.find("input", attrs={"name": "version"})["value"]})
    data.update(
        {"interval_days_social_worker": "21", "interval_days_other": "", "optional_sections": ["learning"]}
    )
    pages.post("agreements.policy", data)
    db.session.expire_all()
    policy = db.session.scalar(sa.select(SupervisionPolicy))
    assert (policy.interval_days_social_worker, policy.interval_days_other, policy.optional_sections) == (
        21,
        None,
        "learning",
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("interval_days_social_worker", "", "Enter social workers: days between sessions"),
        (
            "interval_days_social_worker",
            "0",
            "Social workers: days between sessions must be a whole number between 1 and 366",
        ),
        (
            "due_soon_working_days",
            "soon",
            "Due soon: working days before the due date must be a whole number",
        ),
    ],
)
def test_a_bad_policy_is_named_and_not_saved(people, pages, field, value, message):
    pages.sign_in(people.admin)
    page = pages.get("agreements.policy")
    data = {input_["name"]: input_.get("value", "") for input_ in page.select("main input[type=text]")}
    data.update({"version": page.find("input", attrs={"name": "version"})["value"], field: value})
    page = pages.post("agreements.policy", data, _expected_status=200)
    assert message in page.select_one(".govuk-error-summary").text
    assert (
        db.session.scalar(sa.select(SupervisionPolicy)) is None
        or db.session.scalar(sa.select(SupervisionPolicy.interval_days_social_worker)) == 28
    )


@pytest.mark.parametrize("viewer", ["worker", "supervisor", "head", "hr"])
def test_only_administrators_see_the_policy(people, pages, viewer):
    pages.sign_in(getattr(people, viewer))
    pages.get("agreements.policy", _expected_status=403)
