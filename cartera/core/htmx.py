"""HTMX helpers for the staff UI: one URL answers with the whole page or with just a fragment."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def render_page_or_partial(
    request: HttpRequest, page: str, partial: str, context: dict[str, Any], *, target: str
) -> HttpResponse:
    """Render `partial` when HTMX asks to swap the element `target`, else the full `page`.

    The page includes the partial, so both answers show the same rows. Requests that HTMX makes for
    other elements (a boosted link, the region select) get the full page.
    """
    htmx = getattr(request, "htmx", None)
    template = partial if htmx and htmx.target == target and not htmx.boosted else page
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response
