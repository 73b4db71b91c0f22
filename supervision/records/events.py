"""What happens in a session's and a record's life, announced for whoever needs to know.

Records owns these events and announces them; the floors above subscribe (supervision.
notifications.record_events tells the people concerned). Records never asks who listens.
Each signal is sent by a use case in supervision.records.services inside its transaction,
after the change is flushed and before the commit, so a subscriber's writes (notifications,
emails) commit with the change or not at all. The sender is the app; the keyword arguments are
the objects changed and `actor`, the person who changed them.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

session_booked = _signals.signal("session-booked")
"""`session`, `actor`: a session was booked."""

session_moved = _signals.signal("session-moved")
"""`session`, `actor`: a booked session's date, time, length or place changed."""

session_cancelled = _signals.signal("session-cancelled")
"""`session`, `actor`: a booked session was cancelled."""

record_returned = _signals.signal("record-returned")
"""`record`, `returned` (the RecordReturn), `actor`: a draft went back to the other party."""

record_signed_by_supervisor = _signals.signal("record-signed-by-supervisor")
"""`record`, `actor`: the supervisor signed; the record waits for the supervisee's signature."""

record_locked = _signals.signal("record-locked")
"""`record`, `actor`: the supervisee signed, so both have and the record is locked; the record
says whether the supervisee recorded disagreement (`record.supervisee_disagrees`)."""

addendum_added = _signals.signal("addendum-added")
"""`record`, `addendum`, `actor`: a correction was added to a locked record."""
