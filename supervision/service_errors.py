"""What a use case says when it refuses: pages show these messages on the field they name
(supervision.forms.show_error), the API returns them as JSON errors."""

from __future__ import annotations


class ServiceError(Exception):
    """Refused with a message for the person, naming the field to fix where there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotPermitted(ServiceError):
    """The actor may not do this to this object; pages answer 404 so nothing is revealed."""

    def __init__(self, message: str = "Not permitted"):
        super().__init__(message)


class StaleVersion(ServiceError):
    """Someone saved the object after this person opened it: their save is refused, not merged."""

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or "Someone else saved changes after you opened this page, so your changes have not been saved. "
            "Your text is shown below: check what is saved now, then save again."
        )


def check_version(current: int, expected: int | None) -> None:
    if expected is None or int(expected) != current:
        raise StaleVersion()
