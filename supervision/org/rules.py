"""Rules for organisation data: pure functions, no database, request or clock.

Each rule answers with the message a person should see (or None when all is well), so the
same wording reaches the admin pages, the staff import and the API. Field names in the
dictionaries are the form field names the views map them onto.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from supervision import limits
from supervision.org.models import CareerStage, ContractType, LeavingDestination, Role

EMAIL_PATTERN = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")
SWE_NUMBER_PATTERN = re.compile(r"^SW[0-9]{1,10}$")
MAX_CASELOAD = limits.CASELOAD.high
MAX_ESTABLISHMENT_FTE = limits.ESTABLISHMENT_FTE.high

# (field, label used in messages, required): the limits are supervision.limits.TEXT's.
STAFF_TEXT_FIELDS = (
    ("given_name", "Given name", True),
    ("family_name", "Family name", True),
    ("email", "Email address", True),
    ("employee_number", "Employee number", False),
    ("job_title", "Job title", False),
    ("swe_registration_number", "Social Work England registration number", False),
    ("leaving_reason", "Leaving reason", False),
)


@dataclass(frozen=True)
class StaffDetails:
    """A person's employment details as entered: one attribute per Staff column of the same name."""

    given_name: str
    family_name: str
    email: str
    employee_number: str | None
    job_title: str
    career_stage: CareerStage
    registered_social_worker: bool
    swe_registration_number: str | None
    swe_renewal_date: date | None
    dbs_check_date: date | None
    contract_type: ContractType
    fte: Decimal
    caseload: int | None
    start_date: date
    end_date: date | None
    leaving_reason: str | None
    leaving_destination: LeavingDestination | None
    team_id: int | None
    line_manager_id: int | None


def blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def normalised(details: StaffDetails) -> StaffDetails:
    """Trimmed text, blank optional text as None, email lower-case, registration number upper-case.

    Email addresses are compared case-insensitively everywhere, so they are stored lower-case.
    """
    swe_number = blank_to_none(details.swe_registration_number)
    return dataclasses.replace(
        details,
        given_name=details.given_name.strip(),
        family_name=details.family_name.strip(),
        email=details.email.strip().lower(),
        employee_number=blank_to_none(details.employee_number),
        job_title=details.job_title.strip(),
        swe_registration_number=swe_number.upper() if swe_number else None,
        leaving_reason=blank_to_none(details.leaving_reason),
    )


def parse_decimal(text: str) -> Decimal | None:
    """A finite decimal number written in plain digits, or None ("abc", "NaN", "1e3" are not)."""
    text = text.strip()
    if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def parse_whole_number(text: str) -> int | None:
    text = text.strip()
    return int(text) if re.fullmatch(r"[+-]?[0-9]{1,9}", text) else None


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def fte_problem(fte: Decimal) -> str | None:
    """Full-time equivalent: more than 0, at most 1 (full time), in hundredths."""
    if fte <= limits.FTE.low:
        return f"FTE must be more than {limits.FTE.low}"
    if fte > limits.FTE.high:
        return f"FTE must be {limits.FTE.high} or less (1 is full time)"
    if decimal_places(fte) > 2:
        return "FTE must have no more than 2 decimal places, like 0.75"
    return None


def establishment_fte_problem(fte: Decimal) -> str | None:
    """A team's funded posts in FTE: 0 (a team being set up) or more, in hundredths."""
    if fte < 0:
        return "Establishment must be 0 or more"
    if fte > MAX_ESTABLISHMENT_FTE:
        return "Establishment must be less than 100,000 FTE"
    if decimal_places(fte) > 2:
        return "Establishment must have no more than 2 decimal places, like 6.5"
    return None


def caseload_problem(caseload: int | None) -> str | None:
    if caseload is None:
        return None
    if caseload < 0:
        return "Caseload must be 0 or more"
    if caseload > MAX_CASELOAD:
        return f"Caseload must be {MAX_CASELOAD:,} or fewer"
    return None


def end_date_problem(start_date: date, end_date: date | None) -> str | None:
    if end_date is not None and end_date < start_date:
        return "End date must be the same as or after the start date"
    return None


def leaving_problems(
    end_date: date | None, leaving_reason: str | None, leaving_destination: LeavingDestination | None
) -> dict[str, str]:
    """A leaving reason or destination only makes sense for someone with an end date."""
    if end_date is not None:
        return {}
    problems = {}
    if leaving_reason:
        problems["leaving_reason"] = "Enter an end date, or leave the leaving reason blank"
    if leaving_destination is not None:
        problems["leaving_destination"] = "Enter an end date, or choose ‘Not left’ as the leaving destination"
    return problems


def email_problem(email: str) -> str | None:
    if email and not EMAIL_PATTERN.match(email):
        return "Enter an email address in the correct format, like name@example.com"
    return None


def swe_number_problem(number: str | None) -> str | None:
    if number and not SWE_NUMBER_PATTERN.match(number):
        return "Enter a Social Work England registration number in the correct format, like SW12345"
    return None


def line_manager_problem(
    person_id: int | None, proposed_manager_id: int | None, managers: Mapping[int, int | None]
) -> str | None:
    """Refuse a line manager who is the person, or who reports to the person (directly or further up).

    `managers` maps a person's id to their line manager's id; it needs to cover at least the
    chain above the proposed manager. A new person (no id yet) cannot be anyone's manager.
    """
    if proposed_manager_id is None or person_id is None:
        return None
    if proposed_manager_id == person_id:
        return "A person cannot be their own line manager"
    seen: set[int] = set()
    current: int | None = proposed_manager_id
    while current is not None and current not in seen:
        if current == person_id:
            return (
                "Choose a different line manager: the person you chose reports to this person, "
                "directly or further up the line"
            )
        seen.add(current)
        current = managers.get(current)
    return None


def text_problems(
    values: Mapping[str, str | None], fields: Iterable[tuple[str, str, bool]]
) -> dict[str, str]:
    """Required text present (whitespace counts as blank), within its limit's length and with no
    control characters (supervision.limits.TEXT: the same on the pages, the API and the import)."""
    problems = {}
    for name, label, required in fields:
        value = (values.get(name) or "").strip()
        if required and not value:
            problems[name] = f"Enter the {label[0].lower() + label[1:]}"
        else:
            problem = limits.text_problem(value, label, limits.TEXT[name])
            if problem:
                problems[name] = problem
    return problems


def staff_details_problems(details: StaffDetails) -> dict[str, str]:
    """Every rule about one person's details that needs nothing but the details themselves."""
    problems = text_problems(dataclasses.asdict(details), STAFF_TEXT_FIELDS)
    checks = {
        "email": email_problem(details.email),
        "swe_registration_number": swe_number_problem(details.swe_registration_number),
        "fte": fte_problem(details.fte),
        "caseload": caseload_problem(details.caseload),
        "end_date": end_date_problem(details.start_date, details.end_date),
    }
    for field, message in checks.items():
        if message and field not in problems:
            problems[field] = message
    for field, message in leaving_problems(
        details.end_date, details.leaving_reason, details.leaving_destination
    ).items():
        problems.setdefault(field, message)
    return problems


def name_problem(name: str, what: str) -> str | None:
    """A service or team name: present and no longer than its column."""
    name = name.strip()
    if not name:
        return f"Enter the {what} name"
    return limits.text_problem(name, f"The {what} name", limits.TEXT["name"])


def deactivation_problem(actor_id: int, person_id: int) -> str | None:
    """Nobody deactivates their own account: it would sign them out and could leave no administrator."""
    if actor_id == person_id:
        return "You cannot deactivate your own account. Ask another administrator to do it."
    return None


def own_roles_problem(
    actor_id: int, person_id: int, current_roles: Iterable[Role], new_roles: Iterable[Role]
) -> str | None:
    """Nobody changes their own roles: an administrator's roles change only by another one."""
    if actor_id == person_id and set(current_roles) != set(new_roles):
        return "You cannot change your own roles. Ask another administrator to do it."
    return None


# Separation of duties (docs/roles.md) --------------------------------------------------------

LINE_MANAGER_GAINED = (
    "You cannot make yourself this person’s line manager or put them in a line of management "
    "you are in. Ask a colleague to make this change."
)
TEAM_GAINED = (
    "You cannot move this person into a team or service you manage. Ask a colleague to make this change."
)
OWN_TEAM_OR_SERVICE = (
    "You cannot make yourself the manager of a team or the head of a service. "
    "Ask another administrator to make this change."
)


def roles_change_problem(actor_roles: Iterable[Role]) -> str | None:
    """Only administrators change roles (HR keep employment data, never access)."""
    if Role.ADMIN not in set(actor_roles):
        return "Only an administrator can change a person’s roles"
    return None


def email_change_problem(
    actor_id: int, actor_roles: Iterable[Role], person_id: int, person_roles: Iterable[Role]
) -> str | None:
    """Who may change a person's email address, which is how they sign in (and with SSO, who they are).

    Nobody changes their own here; an administrator's only by another administrator; someone
    holding the HR role only by an administrator; anyone else's by HR or an administrator.
    """
    actor_roles, person_roles = set(actor_roles), set(person_roles)
    if actor_id == person_id:
        return "You cannot change your own email address. Ask an administrator to do it."
    if Role.ADMIN in person_roles and Role.ADMIN not in actor_roles:
        return "Only another administrator can change an administrator’s email address"
    if Role.HR in person_roles and Role.ADMIN not in actor_roles:
        return "Only an administrator can change the email address of someone with the HR role"
    return None
