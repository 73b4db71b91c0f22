"""schemathesis drives every operation in the generated OpenAPI document against the real app:
no answer is a server error, and every answer matches the document (status, type, body)."""

from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from supervision.auth.tokens import create_token
from supervision.org.models import Role
from tests.factories import make_agreement, make_record, make_service, make_staff, make_team

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_token(app, clock):
    # Every role the report operations need, so they answer with figures and not only 403.
    supervisor = make_staff(Role.SUPERVISOR, Role.SERVICE_MANAGER, Role.HR)
    team = make_team(service=make_service(manager=supervisor), manager=supervisor)
    supervisee = make_staff(team=team, line_manager=supervisor)
    make_agreement(supervisee, supervisor)
    make_record(supervisee, supervisor, complete=True)
    make_record(supervisee, supervisor)
    return create_token(supervisor, "schemathesis", True, timedelta(days=1)).secret


@pytest.fixture
def api_schema(app, api_token):
    return schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", app, headers={"Authorization": f"Bearer {api_token}"}
    )


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_as_documented(case, api_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {api_token}"}, checks=CHECKS)
