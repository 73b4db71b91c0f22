"""Every table, imported in one place so Alembic and create_app() see them all."""

from supervision.agreements.models import (  # noqa: F401
    AbsencePeriod,
    AsyeReview,
    SupervisionAgreement,
    SupervisionPolicy,
)
from supervision.audit.models import AuditEvent, ClosedMonthChange  # noqa: F401
from supervision.auth.links import PasswordLink  # noqa: F401
from supervision.auth.sessions import UserSession  # noqa: F401
from supervision.auth.throttle import SignInThrottle  # noqa: F401
from supervision.auth.tokens import ApiToken  # noqa: F401
from supervision.cases.models import CaseAllocation, CaseOversightLimit, ChildCase  # noqa: F401
from supervision.cases.reminder_models import CaseReminder  # noqa: F401
from supervision.compliance.models import ComplianceAlert, OverdueExplanation  # noqa: F401
from supervision.hr.models import (  # noqa: F401
    RetentionSnapshot,
    StaffImport,
    StoredRetentionReport,
    StoredWithholding,
)
from supervision.jobs.models import JobRun  # noqa: F401
from supervision.notifications.models import CalendarFeed, Notification, OutboxEmail  # noqa: F401
from supervision.org.models import Organisation, Service, Staff, StaffRole, Team  # noqa: F401
from supervision.privacy.models import RetentionReview  # noqa: F401
from supervision.records.models import (  # noqa: F401
    Action,
    ActionReview,
    CaseDiscussion,
    RecordAddendum,
    RecordReturn,
    SessionAttendee,
    SupervisionRecord,
    SupervisionSession,
)
from supervision.reports.models import QualityAudit  # noqa: F401
from supervision.stored_figures.models import StoredFiguresRun  # noqa: F401
