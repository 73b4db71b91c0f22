"""The default policy is written once (agreements/defaults.py): the table, the engine and the
policy page all start from it."""

from dataclasses import asdict, fields
from datetime import date

import pytest

from supervision.agreements.defaults import DEFAULT_POLICY
from supervision.agreements.services import get_policy
from supervision.compliance import rules
from supervision.compliance.services import thresholds_for
from supervision.org.models import Role
from tests.factories import make_organisation, make_staff

pytestmark = pytest.mark.usefixtures("clock")


def test_a_new_organisations_policy_row_holds_the_default_policy(app):
    policy = get_policy(make_organisation().id)
    assert {field.name: getattr(policy, field.name) for field in fields(DEFAULT_POLICY)} == asdict(
        DEFAULT_POLICY
    )


def test_the_engine_without_a_policy_uses_the_same_defaults(app):
    thresholds = thresholds_for(None)
    assert (
        thresholds.due_soon_working_days,
        thresholds.escalation_working_days,
        thresholds.write_up_working_days,
    ) == (
        DEFAULT_POLICY.due_soon_working_days,
        DEFAULT_POLICY.escalation_working_days,
        DEFAULT_POLICY.write_up_working_days,
    )
    assert thresholds_for(None) == thresholds_for(get_policy(make_organisation().id))
    asye = rules.AsyeStagedRule(date(2026, 1, 5))
    assert (asye.weekly_weeks, asye.fortnightly_until_months, asye.monthly_interval_days) == (
        DEFAULT_POLICY.asye_weekly_weeks,
        DEFAULT_POLICY.asye_fortnightly_until_months,
        DEFAULT_POLICY.interval_days_social_worker,
    )


def test_the_policy_page_starts_from_the_defaults(app, pages):
    pages.sign_in(make_staff(Role.ADMIN))
    page = pages.get("agreements.policy")
    shown = {field["name"]: field.get("value", "") for field in page.select("main input[type=text]")}
    assert shown["interval_days_social_worker"] == str(DEFAULT_POLICY.interval_days_social_worker)
    assert shown["escalation_working_days"] == str(DEFAULT_POLICY.escalation_working_days)
    assert not page.find("input", attrs={"name": "pro_rata_part_time"}).has_attr("checked")
