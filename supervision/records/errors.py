"""The record's own refusal: sign-off with items missing (the rest are supervision.service_errors)."""

from __future__ import annotations

from collections.abc import Sequence

from supervision.records.signoff import MissingItem
from supervision.service_errors import ServiceError


class SignOffRefused(ServiceError):
    def __init__(self, missing: Sequence[MissingItem]):
        super().__init__("The record cannot be signed off until every item below is complete.")
        self.missing = list(missing)
