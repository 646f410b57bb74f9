"""The staff UI for B2C profiles: their figures (a table and a chart), their rules with a live count,
and the suggested profiles found by clustering, to adopt.

Every signed-in user may read them (consumers are anonymous and measured only in groups);
administrators, sales managers and marketing analysts may define them, everyone else gets 403.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cartera.core.errors import ConflictError, PermissionDeniedError
from cartera.insights.forms import parse_rule_text, rule_error_positions
from cartera.profiles.forms import ProfileForm, SuggestForm, profile_builder_catalog
from cartera.profiles.models import Profile
from cartera.profiles.rules import describe_rule
from cartera.profiles.selectors import profile_figures, profiles_figures_table
from cartera.profiles.services import (
    ensure_can_manage_profiles,
    profile_create,
    profile_update,
    profiles_adopt_suggestions,
)
from cartera.profiles.suggest import suggest_profiles

SECTION = "analysis"


def may_manage_profiles(user: Any) -> bool:
    try:
        ensure_can_manage_profiles(user)
    except PermissionDeniedError:
        return False
    return True


def _ensure_may_manage(user: Any) -> None:
    if not may_manage_profiles(user):
        raise PermissionDenied


def _visible_profiles(user: Any) -> Any:
    return Profile.objects.visible_to(user).order_by("-is_active", "priority", "name")


@login_required
@require_GET
def profile_list(request: HttpRequest) -> HttpResponse:
    as_of = timezone.localdate()
    profiles = list(_visible_profiles(request.user))
    figures, total = profiles_figures_table(profiles, as_of)
    rows = [(row, describe_rule(profile.rule)) for row, profile in zip(figures, profiles, strict=True)]
    context = {
        "section": SECTION,
        "rows": rows,
        "total": total,
        "as_of": as_of,
        "may_manage": may_manage_profiles(request.user),
        "suggest_form": SuggestForm(),
    }
    return render(request, "profiles/profile_list.html", context)


@login_required
@require_GET
def profile_chart(request: HttpRequest) -> JsonResponse:
    """Revenue and margin of the last 12 months per profile, with their consumers, for the chart."""
    profiles = list(_visible_profiles(request.user))
    rows, _total = profiles_figures_table(profiles, timezone.localdate())
    if not any(row.consumers for row in rows):
        return JsonResponse({"empty": True})
    may_manage = may_manage_profiles(request.user)
    items = []
    for row in rows:
        assert row.profile is not None
        url = reverse("profiles:profile_edit", args=[row.profile.pk]) if may_manage else None
        items.append(
            {
                "name": row.profile.name,
                "active": row.profile.is_active,
                "consumers": row.consumers,
                "revenue": float(row.revenue_12m),
                "margin": float(row.margin_12m),
                "url": url,
            }
        )
    return JsonResponse(
        {
            "empty": False,
            "currency": settings.CARTERA_DEFAULT_CURRENCY,
            "profiles": items,
            "labels": {
                "revenue": _("Revenue (12 months)"),
                "margin": _("Margin (12 months)"),
                "consumers": _("Consumers"),
                "inactive": _("inactive"),
            },
        }
    )


def _profile_form_page(
    request: HttpRequest, form: ProfileForm, profile: Profile | None, **extra: Any
) -> HttpResponse:
    context = {
        "section": SECTION,
        "form": form,
        "profile": profile,
        "catalog": profile_builder_catalog(),
        **extra,
    }
    return render(request, "profiles/profile_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile_new(request: HttpRequest) -> HttpResponse:
    _ensure_may_manage(request.user)
    form = ProfileForm(request.POST or None)
    positions: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            profile = profile_create(actor=request.user, **form.service_fields())
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            form.add_service_error(error)
            positions = rule_error_positions(error)
        else:
            messages.success(request, _("The profile %(name)s was created.") % {"name": profile})
            return redirect("profiles:profile_list")
    return _profile_form_page(request, form, None, error_positions_json=json.dumps(positions))


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _ensure_may_manage(request.user)
    profile = get_object_or_404(Profile.objects.visible_to(request.user), pk=pk)
    form = ProfileForm(request.POST or None, profile=profile)
    conflict = False
    positions: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            profile = profile_update(
                actor=request.user,
                profile=profile,
                expected_version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:  # ConflictError included: a stale version is refused whole
            form.add_service_error(error)
            conflict = isinstance(error, ConflictError)
            positions = rule_error_positions(error)
            profile.refresh_from_db()
        else:
            messages.success(request, _("The changes to %(name)s were saved.") % {"name": profile})
            return redirect("profiles:profile_list")
    return _profile_form_page(
        request, form, profile, conflict=conflict, error_positions_json=json.dumps(positions)
    )


@login_required
@require_POST
def profile_preview(request: HttpRequest) -> HttpResponse:
    """How many consumers the rule being edited takes today, and their figures (an HTMX fragment)."""
    _ensure_may_manage(request.user)
    as_of = timezone.localdate()
    context: dict[str, Any] = {"as_of": as_of}
    try:
        rule = parse_rule_text(request.POST.get("rule", ""))
        context["figures"] = profile_figures(Profile(rule=rule), as_of)
        context["rule_text"] = describe_rule(rule)
    except ValidationError as error:
        context["errors"] = error.messages
        context["error_positions_json"] = json.dumps(rule_error_positions(error))
    return render(request, "profiles/partials/profile_preview.html", context)


def _suggestions(form: SuggestForm) -> tuple[list[Any], list[str]]:
    if not form.is_valid():
        return [], [str(message) for errors in form.errors.values() for message in errors]
    try:
        return suggest_profiles(k=form.cleaned_data["k"], as_of=timezone.localdate()), []
    except ValidationError as error:
        return [], error.messages


def _habits(suggestion: Any) -> str:
    """A suggestion's description without the name it starts with, shown above it anyway."""
    prefix = f"{suggestion.name}: "
    description = str(suggestion.description)
    return description[len(prefix) :] if description.startswith(prefix) else description


@login_required
@require_GET
def profile_suggestions(request: HttpRequest) -> HttpResponse:
    """Suggested profiles for k groups (an HTMX fragment; k-means takes well under a second on a few
    thousand consumers, so it runs in the request)."""
    form = SuggestForm(request.GET or {"k": 4})
    suggestions, errors = _suggestions(form)
    context = {
        "suggestions": [
            (suggestion, _habits(suggestion), json.dumps(suggestion.rule)) for suggestion in suggestions
        ],
        "errors": errors,
        "k": form.cleaned_data.get("k") if not errors else None,
        "may_manage": may_manage_profiles(request.user),
    }
    return render(request, "profiles/partials/suggestions.html", context)


@login_required
@require_POST
def profile_adopt(request: HttpRequest) -> HttpResponse:
    """Adopt one suggestion as an inactive profile. The suggestions are computed again (the same data
    give the same ones) and the one shown is adopted only if it is still there, unchanged."""
    _ensure_may_manage(request.user)
    form = SuggestForm(request.POST)
    suggestions, _problems = _suggestions(form)
    wanted_name = request.POST.get("name", "")
    try:
        wanted_rule = json.loads(request.POST.get("rule", ""))
    except json.JSONDecodeError:
        wanted_rule = None
    chosen = next(
        (item for item in suggestions if item.name == wanted_name and item.rule == wanted_rule), None
    )
    if chosen is None:
        messages.warning(
            request,
            _("The suggestions changed since they were shown (new purchases came in): look at them again."),
        )
        return redirect(f"{reverse('profiles:profile_list')}#suggestions")
    try:
        (profile,) = profiles_adopt_suggestions(actor=request.user, suggestions=[chosen])
    except PermissionDeniedError:
        raise PermissionDenied from None
    messages.success(
        request,
        _("%(name)s was adopted as an inactive profile: review its rule and switch it on.")
        % {"name": profile},
    )
    return redirect("profiles:profile_edit", pk=profile.pk)
