"""Errors as RFC 9457 problem documents (application/problem+json), the only error shape of the API."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from cartera.core.errors import ConflictError, PermissionDeniedError

logger = logging.getLogger("cartera.api")

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:cartera:problem:"

# The stable `type` of each status, and the title shown with it.
KINDS: dict[int, tuple[str, Callable[[], str]]] = {
    400: ("bad-request", lambda: _("The request could not be read.")),
    401: ("unauthenticated", lambda: _("Authentication is required.")),
    403: ("forbidden", lambda: _("You may not do this.")),
    404: ("not-found", lambda: _("Not found.")),
    405: ("method-not-allowed", lambda: _("This method is not allowed here.")),
    409: ("conflict", lambda: _("This conflicts with existing data.")),
    412: ("precondition-failed", lambda: _("The record changed since you read it.")),
    422: ("validation", lambda: _("The data is not valid.")),
    428: ("precondition-required", lambda: _("This update needs an If-Match header.")),
    500: ("server-error", lambda: _("Something went wrong on our side.")),
}


class Problem(Exception):
    """Raised anywhere under the API to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str = "",
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        kind: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.kind = kind


def field_error(field: str, message: str, code: str = "invalid") -> dict[str, str]:
    return {"field": field, "message": message, "code": code}


def problem_response(
    status: int,
    detail: str = "",
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    kind: str | None = None,
) -> HttpResponse:
    slug, title = KINDS.get(status, KINDS[400] if status < 500 else KINDS[500])
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + (kind or slug),
        "title": str(title()),
        "status": status,
        "detail": str(detail or title()),
    }
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(json.dumps(body), status=status, content_type=CONTENT_TYPE)
    for name, value in headers.items() if headers else ():
        response[name] = value
    return response


def validation_errors(error: ValidationError, prefix: str = "") -> list[dict[str, str]]:
    """A Django ValidationError as field errors (`__all__` becomes the empty field name)."""
    if hasattr(error, "error_dict"):
        items: Iterable[tuple[str, list[ValidationError]]] = error.error_dict.items()
    else:
        items = [(NON_FIELD_ERRORS, error.error_list)]
    return [
        field_error(
            f"{prefix}{name}" if name != NON_FIELD_ERRORS else prefix.rstrip("."),
            " ".join(str(message) for message in item),
            item.code or "invalid",
        )
        for name, errors in items
        for item in errors
    ]


def _location(loc: Iterable[Any]) -> str:
    # ninja prefixes the parameter's argument name ("payload", "query"): the field path is what follows.
    parts = [str(part) for part in loc]
    if len(parts) > 2 and parts[0] in {"body", "query", "path", "header"}:
        parts = [parts[0], *parts[2:]]
    return ".".join(parts)


def install(api: NinjaAPI) -> None:
    """Route every exception raised under the API to a problem document."""

    def handle_problem(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem_response(exc.status, exc.detail, errors=exc.errors, headers=exc.headers, kind=exc.kind)

    def handle_request_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = [
            field_error(_location(item.get("loc", ())), str(item.get("msg", "")), str(item.get("type", "")))
            for item in exc.errors
        ]
        if any(item["code"] == "json_invalid" for item in errors):
            return problem_response(400, _("The body is not valid JSON."), errors=errors)
        return problem_response(422, errors=errors)

    def handle_conflict(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem_response(412, str(exc.messages[0]))

    def handle_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = validation_errors(exc)
        if any(item["code"].startswith("duplicate") for item in errors):
            return problem_response(409, errors[0]["message"], errors=errors)
        return problem_response(422, errors=errors)

    def handle_integrity(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem_response(409, _("The data conflicts with a record that already exists."))

    def handle_permission(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem_response(403)

    def handle_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem_response(404)

    def handle_authentication(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem_response(
            401,
            _("Send a personal API token as “Authorization: Bearer <token>”, or sign in."),
            headers={"WWW-Authenticate": 'Bearer realm="cartera"'},
        )

    def handle_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        detail = _("CSRF check failed.") if exc.status_code == 403 else ""
        return problem_response(exc.status_code, detail)

    def handle_unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
        logger.exception("Unhandled error in %s %s", request.method, request.path)
        return problem_response(500)

    api.add_exception_handler(Problem, handle_problem)
    api.add_exception_handler(NinjaValidationError, handle_request_validation)
    api.add_exception_handler(ConflictError, handle_conflict)
    api.add_exception_handler(ValidationError, handle_validation)
    api.add_exception_handler(IntegrityError, handle_integrity)
    api.add_exception_handler(PermissionDeniedError, handle_permission)
    api.add_exception_handler(Http404, handle_not_found)
    api.add_exception_handler(ObjectDoesNotExist, handle_not_found)
    api.add_exception_handler(AuthenticationError, handle_authentication)
    api.add_exception_handler(HttpError, handle_http_error)
    api.add_exception_handler(Exception, handle_unexpected)
