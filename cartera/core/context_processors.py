"""Template context that every staff page's layout needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

# The navbar section of each URL name of the staff UI (namespace:name).
SECTIONS = {
    "accounts:list": "accounts",
    "accounts:new": "accounts",
    "accounts:detail": "accounts",
    "accounts:edit": "accounts",
    "accounts:contact_new": "accounts",
    "accounts:contact_list": "contacts",
    "accounts:contact_edit": "contacts",
    "dataio:import": "data",
    "dataio:import_detail": "data",
    "api_ui:tokens": "integrations",
    "api_ui:webhooks": "integrations",
    "api_ui:webhook_new": "integrations",
    "api_ui:webhook_edit": "integrations",
}


def navigation(request: HttpRequest) -> dict[str, Any]:
    """`section`: the navbar entry to mark as current; `search_text`: what the global search shows."""
    match = request.resolver_match
    view_name = match.view_name if match else ""
    return {
        "section": SECTIONS.get(view_name, ""),
        "search_text": request.GET.get("q", "") if view_name == "accounts:search" else "",
    }
