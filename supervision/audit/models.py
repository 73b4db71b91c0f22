"""The append-only audit log: who did what to which object, and when; never supervision content.

A change to a person's access (line manager, team, roles, email, account status) also keeps
its old and new values in `changes`: {"field": [old, new], ...}.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervision.db_types import UTCDateTime
from supervision.extensions import db
from supervision.org.models import Staff


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_event_actor_id_occurred_at", "actor_id", "occurred_at"),
        sa.Index("ix_audit_event_object_type_object_id", "object_type", "object_id"),
        sa.Index("ix_audit_event_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int]
    changes: Mapped[dict | None] = mapped_column(sa.JSON)

    actor: Mapped[Staff | None] = relationship()
