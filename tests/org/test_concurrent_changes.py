"""Two people adding the same thing at once: the database's unique keys decide, and the loser is told why."""

from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from supervision.extensions import db
from supervision.org import services
from supervision.org.models import CareerStage, ContractType, Service, Staff
from supervision.org.rules import StaffDetails
from supervision.org.services import OrgValidationError
from tests.factories import make_organisation
from tests.org.conftest import row_counts

pytestmark = pytest.mark.usefixtures("app")

DETAILS = StaffDetails(
    given_name="Amara",
    family_name="Osei",
    email="amara.osei@example.test",
    employee_number="E90001",
    job_title="",
    career_stage=CareerStage.SOCIAL_WORKER,
    registered_social_worker=False,
    swe_registration_number=None,
    swe_renewal_date=None,
    dbs_check_date=None,
    contract_type=ContractType.PERMANENT,
    fte=Decimal("1"),
    caseload=None,
    start_date=date(2020, 1, 6),
    end_date=None,
    leaving_reason=None,
    leaving_destination=None,
    team_id=None,
    line_manager_id=None,
)


@contextmanager
def just_before_commit(add_in_another_session):
    """Run `add_in_another_session` in its own committed transaction after the checks, before our
    first write (a use case may write its audit entry before committing)."""

    done = []

    def interfere(session, *_):
        if done:
            return
        done.append(True)
        with Session(db.engine) as other:
            add_in_another_session(other)
            other.commit()

    sa.event.listen(db.session, "before_flush", interfere)
    try:
        yield
    finally:
        sa.event.remove(db.session, "before_flush", interfere)
    assert done, "the other session's change was made"


def test_a_person_added_with_the_same_email_meanwhile_is_reported_not_a_crash(clock):
    organisation = make_organisation()
    now = datetime(2026, 1, 1, tzinfo=UTC)

    def add_same_email(other):
        other.add(
            Staff(
                organisation_id=organisation.id,
                email=DETAILS.email,
                given_name="Other",
                family_name="Person",
                career_stage=CareerStage.OTHER,
                contract_type=ContractType.AGENCY,
                start_date=date(2021, 1, 1),
                created_at=now,
                updated_at=now,
            )
        )

    with just_before_commit(add_same_email), pytest.raises(OrgValidationError) as refused:
        services.create_staff(organisation.id, replace(DETAILS, email="Amara.Osei@example.test"))
    assert refused.value.errors == {"email": "There is already a member of staff with this email address"}
    assert row_counts()["staff"] == 1
    assert db.session.scalar(sa.select(Staff.given_name)) == "Other"


def test_a_service_added_with_the_same_name_meanwhile_is_reported_not_a_crash():
    organisation = make_organisation()

    def add_same_name(other):
        other.add(Service(organisation_id=organisation.id, name="Early Help"))

    with just_before_commit(add_same_name), pytest.raises(OrgValidationError) as refused:
        services.create_service(organisation.id, "Early Help", None)
    assert refused.value.errors == {"name": "There is already a service called Early Help"}
    assert row_counts()["service"] == 1
