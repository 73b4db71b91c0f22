"""Agreements: made, kept as history, changed only before both sign, signed by both parties."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from supervision.agreements import services
from supervision.agreements.models import (
    AbsenceKind,
    AbsencePeriod,
    FrequencyKind,
    SupervisionAgreement,
    SupervisionPolicy,
    SupervisionType,
)
from supervision.extensions import db
from supervision.org.models import CareerStage
from supervision.service_errors import NotPermitted, ServiceError, StaleVersion
from tests.factories import make_agreement, make_staff

pytestmark = pytest.mark.usefixtures("clock")


def terms(supervisor, **overrides):
    values = {
        "supervisor_id": supervisor.id,
        "frequency_kind": FrequencyKind.INTERVAL,
        "supervision_type": SupervisionType.INDIVIDUAL,
        "agreed_on": date(2026, 11, 23),
    }
    return services.AgreementTerms(**{**values, **overrides})


def current(person):
    db.session.expire_all()
    return services.current_agreement(person.id)


def test_a_new_agreement_replaces_the_current_one_and_keeps_it_as_history(people):
    old = services.current_agreement(people.worker.id)
    new = services.create_agreement(people.supervisor, people.worker, terms(people.head, interval_days=21))
    assert current(people.worker).id == new.id
    db.session.expire_all()
    assert db.session.get(SupervisionAgreement, old.id).ended_on == date(2026, 11, 22)
    assert [a.id for a in services.agreement_history(people.worker.id)] == [new.id, old.id]
    assert (new.interval_days, new.supervisor_id) == (21, people.head.id)


def test_defaults_come_from_the_policy(people):
    policy = services.get_policy(people.worker.organisation_id)
    policy.minimum_duration_minutes, policy.agreement_review_months = 60, 6
    db.session.commit()
    agreement = services.create_agreement(people.supervisor, people.worker, terms(people.supervisor))
    assert agreement.minimum_duration_minutes == 60
    assert agreement.review_due_on == date(2027, 5, 23)


def test_a_new_agreement_must_start_after_the_current_one(people):
    with pytest.raises(ServiceError) as refused:
        services.create_agreement(
            people.supervisor, people.worker, terms(people.supervisor, agreed_on=date(2026, 1, 5))
        )
    assert refused.value.field == "agreed_on"
    assert len(services.agreement_history(people.worker.id)) == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"frequency_kind": FrequencyKind.ASYE_STAGED}, "asye_started_on"),
        ({"interval_days": 0}, "interval_days"),
        ({"review_due_on": date(2026, 1, 1)}, "review_due_on"),
        ({"minimum_duration_minutes": 1000}, "minimum_duration_minutes"),
    ],
)
def test_bad_terms_are_refused_and_nothing_is_written(people, overrides, field):
    before = services.current_agreement(people.worker.id).id
    with pytest.raises(ServiceError) as refused:
        services.create_agreement(people.supervisor, people.worker, terms(people.supervisor, **overrides))
    assert refused.value.field == field
    assert current(people.worker).id == before
    assert current(people.worker).ended_on is None


def test_nobody_supervises_themselves_or_picks_a_supervisor_from_elsewhere(people):
    from tests.factories import make_organisation

    outsider = make_staff()
    outsider.organisation = make_organisation("Another Council")
    db.session.commit()
    for supervisor_id in (people.worker.id, outsider.id, 999_999):
        with pytest.raises(ServiceError) as refused:
            services.create_agreement(
                people.supervisor,
                people.worker,
                services.AgreementTerms(
                    **{**terms(people.supervisor).__dict__, "supervisor_id": supervisor_id}
                ),
            )
        assert refused.value.field == "supervisor_id"


def test_only_the_current_supervisor_or_a_manager_above_makes_an_agreement(people):
    for actor in (people.colleague, people.other_supervisor, people.hr, people.admin, people.worker):
        with pytest.raises(NotPermitted):
            services.create_agreement(actor, people.worker, terms(people.supervisor))
    services.create_agreement(people.head, people.worker, terms(people.supervisor))


def test_the_database_allows_one_current_agreement_per_person(people):
    with pytest.raises(IntegrityError):
        make_agreement(people.worker, people.head, agreed_on=date(2026, 6, 1))
    db.session.rollback()
    make_agreement(people.worker, people.head, agreed_on=date(2025, 6, 1), ended_on=date(2025, 12, 31))


def test_both_parties_sign_and_then_it_cannot_be_changed(people, clock):
    agreement = services.create_agreement(people.supervisor, people.worker, terms(people.supervisor))
    services.sign_agreement(people.supervisor, agreement, agreement.version)
    with pytest.raises(ServiceError, match="already signed"):
        services.sign_agreement(people.supervisor, agreement, agreement.version)
    services.sign_agreement(people.worker, agreement, agreement.version)
    agreement = current(people.worker)
    assert agreement.supervisor_signed_at == agreement.supervisee_signed_at == clock.now()
    with pytest.raises(ServiceError, match="make a new agreement"):
        services.update_agreement(
            people.supervisor, agreement, agreement.version, terms(people.supervisor, interval_days=7)
        )
    assert current(people.worker).interval_days is None


def test_changing_an_agreement_before_both_sign_withdraws_any_signature(people):
    agreement = services.create_agreement(people.supervisor, people.worker, terms(people.supervisor))
    services.sign_agreement(people.worker, agreement, agreement.version)
    services.update_agreement(
        people.supervisor,
        agreement,
        agreement.version,
        terms(people.supervisor, interval_days=14, notes="Fortnightly"),
    )
    agreement = current(people.worker)
    assert (agreement.interval_days, agreement.notes, agreement.supervisee_signed_at) == (
        14,
        "Fortnightly",
        None,
    )


def test_a_stale_agreement_save_is_refused(people):
    agreement = services.create_agreement(people.supervisor, people.worker, terms(people.supervisor))
    opened_at = agreement.version
    services.update_agreement(
        people.supervisor, agreement, opened_at, terms(people.supervisor, interval_days=14)
    )
    with pytest.raises(StaleVersion):
        services.update_agreement(
            people.head, agreement, opened_at, terms(people.supervisor, interval_days=60)
        )
    assert current(people.worker).interval_days == 14


def test_only_the_parties_sign(people):
    agreement = services.current_agreement(people.worker.id)
    for actor in (people.head, people.colleague, people.admin):
        with pytest.raises(NotPermitted):
            services.sign_agreement(actor, agreement, agreement.version)


# --- absences -----------------------------------------------------------------------------------


def test_an_absence_is_recorded_and_overlaps_are_refused(people):
    services.record_absence(
        people.supervisor, people.worker, AbsenceKind.SICKNESS, date(2026, 12, 1), date(2026, 12, 5)
    )
    with pytest.raises(ServiceError, match="overlap") as refused:
        services.record_absence(
            people.supervisor, people.worker, AbsenceKind.ANNUAL_LEAVE, date(2026, 12, 5), date(2026, 12, 9)
        )
    assert refused.value.field == "starts_on"
    assert [(a.kind, a.starts_on) for a in services.absences_of(people.worker.id)] == [
        (AbsenceKind.SICKNESS, date(2026, 12, 1))
    ]


def test_an_absence_cannot_end_before_it_starts(people):
    with pytest.raises(ServiceError) as refused:
        services.record_absence(
            people.supervisor, people.worker, AbsenceKind.PARENTAL, date(2026, 12, 5), date(2026, 12, 1)
        )
    assert refused.value.field == "ends_on"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AbsencePeriod)) == 0


def test_only_the_line_records_or_removes_absences(people):
    for actor in (people.worker, people.colleague, people.hr, people.admin, people.other_supervisor):
        with pytest.raises(NotPermitted):
            services.record_absence(
                actor, people.worker, AbsenceKind.SECONDMENT, date(2026, 12, 1), date(2026, 12, 2)
            )
    absence = services.record_absence(
        people.head, people.worker, AbsenceKind.ASYE_PAUSE, date(2026, 12, 1), date(2026, 12, 2)
    )
    with pytest.raises(NotPermitted):
        services.remove_absence(people.colleague, absence)
    services.remove_absence(people.supervisor, absence)
    assert services.absences_of(people.worker.id) == []


# --- policy -------------------------------------------------------------------------------------


def test_the_policy_is_created_with_the_defaults_when_missing(people):
    policy = services.get_policy(people.worker.organisation_id)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionPolicy)) == 1
    assert (
        policy.interval_days_social_worker,
        policy.minimum_duration_minutes,
        policy.write_up_working_days,
    ) == (
        28,
        90,
        5,
    )
    assert services.get_policy(people.worker.organisation_id).id == policy.id


def test_asye_agreements_use_the_staged_rule(people):
    newly_qualified = make_staff(career_stage=CareerStage.ASYE, line_manager=people.supervisor)
    agreement = services.create_agreement(
        people.supervisor,
        newly_qualified,
        terms(people.supervisor, frequency_kind=FrequencyKind.ASYE_STAGED, asye_started_on=date(2026, 9, 1)),
    )
    assert (agreement.frequency_kind, agreement.asye_started_on) == (
        FrequencyKind.ASYE_STAGED,
        date(2026, 9, 1),
    )
