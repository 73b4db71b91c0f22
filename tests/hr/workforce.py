"""A small workforce whose every retention figure is worked out by hand in the tests.

Census year: 1 October 2025 to 30 September 2026 (snapshot 30 September 2026).

Assessment service: North team (establishment 6), South team (establishment 4).
Care service: Care Leavers team (establishment 3). One registered social worker has no team.

| key | team   | contract   | fte | start      | end        | caseload | destination           |
|-----|--------|------------|-----|------------|------------|----------|-----------------------|
| N1  | North  | permanent  | 1   | 2015-01-05 |            | 15       |                       |
| N2  | North  | permanent  | 1   | 2019-03-01 |            | 12       |                       |
| N3  | North  | permanent  | 0.8 | 2021-06-01 |            | 10       |                       |
| N4  | North  | fixed term | 0.6 | 2026-01-12 |            | 6        | (starter)             |
| N5  | North  | permanent  | 1   | 2025-10-01 |            | 14       | (starter, first day)  |
| N6  | North  | agency     | 1   | 2025-11-03 |            | 16       | (agency: not starter) |
| N7  | North  | permanent  | 1   | 2022-02-01 | 2026-03-31 |          | agency                |
| N8  | North  | permanent  | 0.5 | 2014-09-01 | 2026-09-30 |          | retired (last day = snapshot) |
| N9  | North  | permanent  | 1   | 2024-01-08 | 2025-09-30 |          | left before the year  |
| N10 | North  | not registered          | 1 | 2018-01-01 |  |     | outside the scope     |
| N11 | North  | permanent  | 1   | 2026-10-05 |            |          | starts after snapshot |
| S1  | South  | permanent  | 1   | 2020-05-05 |            | 18       |                       |
| S2  | South  | permanent  | 1   | 2017-07-01 | 2026-06-30 |          | other local authority |
| S3  | South  | permanent  | 0.5 | 2025-12-01 | 2026-08-15 |          | left social work      |
| C1  | Care L | permanent  | 1   | 2010-01-04 |            | 20       |                       |
| C2  | Care L | agency     | 0.5 | 2026-04-01 |            | 8        |                       |
| C3  | Care L | permanent  | 1   | 2023-03-01 | 2026-02-27 |          | (not recorded)        |
| X1  | none   | permanent  | 1   | 2012-06-01 |            |          |                       |
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from supervision.org.models import ContractType, LeavingDestination

SNAPSHOT = date(2026, 9, 30)
PERMANENT, FIXED, AGENCY = ContractType.PERMANENT, ContractType.FIXED_TERM, ContractType.AGENCY
D = LeavingDestination

TEAMS = {
    # key: (service, team name, establishment)
    "North": ("Assessment", "North", "6"),
    "South": ("Assessment", "South", "4"),
    "Care Leavers": ("Care", "Care Leavers", "3"),
}

# key: (team, contract, fte, start, end, caseload, destination, registered)
PEOPLE = {
    "N1": ("North", PERMANENT, "1", date(2015, 1, 5), None, 15, None, True),
    "N2": ("North", PERMANENT, "1", date(2019, 3, 1), None, 12, None, True),
    "N3": ("North", PERMANENT, "0.8", date(2021, 6, 1), None, 10, None, True),
    "N4": ("North", FIXED, "0.6", date(2026, 1, 12), None, 6, None, True),
    "N5": ("North", PERMANENT, "1", date(2025, 10, 1), None, 14, None, True),
    "N6": ("North", AGENCY, "1", date(2025, 11, 3), None, 16, None, True),
    "N7": ("North", PERMANENT, "1", date(2022, 2, 1), date(2026, 3, 31), None, D.AGENCY, True),
    "N8": ("North", PERMANENT, "0.5", date(2014, 9, 1), date(2026, 9, 30), None, D.RETIRED, True),
    "N9": ("North", PERMANENT, "1", date(2024, 1, 8), date(2025, 9, 30), None, D.OTHER, True),
    "N10": ("North", PERMANENT, "1", date(2018, 1, 1), None, None, None, False),
    "N11": ("North", PERMANENT, "1", date(2026, 10, 5), None, None, None, True),
    "S1": ("South", PERMANENT, "1", date(2020, 5, 5), None, 18, None, True),
    "S2": ("South", PERMANENT, "1", date(2017, 7, 1), date(2026, 6, 30), None, D.OTHER_LOCAL_AUTHORITY, True),
    "S3": ("South", PERMANENT, "0.5", date(2025, 12, 1), date(2026, 8, 15), None, D.LEFT_SOCIAL_WORK, True),
    "C1": ("Care Leavers", PERMANENT, "1", date(2010, 1, 4), None, 20, None, True),
    "C2": ("Care Leavers", AGENCY, "0.5", date(2026, 4, 1), None, 8, None, True),
    "C3": ("Care Leavers", PERMANENT, "1", date(2023, 3, 1), date(2026, 2, 27), None, None, True),
    "X1": (None, PERMANENT, "1", date(2012, 6, 1), None, None, None, True),
}


def staff_fields(key: str) -> dict:
    """The Staff attributes for one person (team aside)."""
    _, contract, fte, start, end, caseload, destination, registered = PEOPLE[key]
    return {
        "contract_type": contract,
        "fte": Decimal(fte),
        "start_date": start,
        "end_date": end,
        "caseload": caseload,
        "leaving_destination": destination,
        "registered_social_worker": registered,
    }
