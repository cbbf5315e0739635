"""Errors raised by services. Views and the API translate them; services never build responses."""

from __future__ import annotations


class TransitionNotAllowed(Exception):
    """The action is not allowed from the object's current status (API: 409, page: a message)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotPermitted(Exception):
    """The user may see the object but may not do this to it (API: 403, page: a message)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Busy(Exception):
    """Something the request needs is held by a longer job (a rebuild of the figures, a large import) for longer than
    a request may wait: nothing was changed, try again shortly (API: 503, page: 503; both say when to retry)."""

    def __init__(self, message: str, *, retry_after: int = 10) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
