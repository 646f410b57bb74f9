"""The API's single NinjaAPI instance: version 1 under /api/v1/, each domain's router, problem errors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from cartera.api import problems
from cartera.api.auth import BrowserSessionAuth, TokenAuth

api = NinjaAPI(
    title="cartera API",
    version="1",
    description=(
        "REST API of cartera. Authenticate with a personal token (`Authorization: Bearer <token>`). "
        "Errors are application/problem+json; updates need `If-Match` with the ETag of the last read. "
        "See docs/api.md."
    ),
    urls_namespace="api-v1",
    auth=[TokenAuth(), BrowserSessionAuth()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)
problems.install(api)


def _register_routers() -> None:
    from cartera.accounts.api import router as accounts
    from cartera.commerce.api import router as commerce
    from cartera.costs.api import router as costs
    from cartera.coverage.api import router as coverage
    from cartera.insights.api import router as insights
    from cartera.pipeline.api import router as pipeline
    from cartera.relationship.api import router as relationship

    for router in (accounts, coverage, commerce, relationship, pipeline, costs, insights):
        api.add_router("", router)


_register_routers()


def _problem_for_plain_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja answers a wrong method with a plain 405: give it the problem shape too."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type", "") != problems.CONTENT_TYPE:
            allowed = response.get("Allow", "")
            return problems.problem_response(
                405, _("Allowed methods: %(methods)s.") % {"methods": allowed}, headers={"Allow": allowed}
            )
        return response

    return wrapped


def api_urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _problem_for_plain_errors(pattern.callback)
    return patterns, app_name, namespace


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any other address under /api/v1/."""
    return problems.problem_response(404, _("There is no such address in the API."))
