"""Domain errors that services raise and interfaces turn into messages or HTTP answers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class ConflictError(ValidationError):
    """An update presented a version that is no longer current: someone else saved first."""

    def __init__(self, *, current_version: int | None = None) -> None:
        self.current_version = current_version
        super().__init__(
            _(
                "Someone else saved this record while you were editing it. Reload the page to see "
                "their changes; yours were not saved."
            ),
            code="conflict",
        )


class PermissionDeniedError(Exception):
    """The actor may not perform this write."""
