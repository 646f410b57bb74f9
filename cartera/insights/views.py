"""The staff UI for segments and service models: the comparison of segments, their rules with a live
preview, and the service models they get.

Everyone signed in may read them (the figures cover only the accounts the reader may see);
administrators, sales managers and marketing analysts may change them, everyone else gets 403.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cartera.core.errors import ConflictError, PermissionDeniedError
from cartera.core.htmx import render_page_or_partial
from cartera.insights.forms import SegmentForm, ServiceModelForm, parse_rule_text, rule_error_positions
from cartera.insights.models import Segment, ServiceModel
from cartera.insights.rule_catalog import RuleNames, builder_catalog, describe_segment_rule
from cartera.insights.segment_services import (
    may_manage_segments,
    segment_create,
    segment_update,
    service_model_create,
    service_model_update,
)
from cartera.insights.selectors import segment_comparison, segment_rule_preview

SECTION = "analysis"


def _ensure_may_manage(user: Any) -> None:
    if not may_manage_segments(user):
        raise PermissionDenied


# The segments


@login_required
@require_GET
def segment_list(request: HttpRequest) -> HttpResponse:
    figures, total = segment_comparison(user=request.user)
    names = RuleNames.load()
    rows = [
        (row, describe_segment_rule(row.segment.rule, names) if row.segment is not None else "")
        for row in figures
    ]
    context = {
        "section": SECTION,
        "rows": rows,
        "total": total,
        "may_manage": may_manage_segments(request.user),
        "sees_all": request.user.sees_all_accounts,  # type: ignore[union-attr]
        "accounts_url": reverse("accounts:list"),
        "refresh": request.GET.get("saved") == "1",
    }
    return render_page_or_partial(
        request,
        "insights/segment_list.html",
        "insights/partials/segment_table.html",
        context,
        target="segment-results",
    )


def _segment_form_page(
    request: HttpRequest, form: SegmentForm, segment: Segment | None, **extra: Any
) -> HttpResponse:
    context = {
        "section": SECTION,
        "form": form,
        "segment": segment,
        "catalog": builder_catalog(RuleNames.load()),
        **extra,
    }
    return render(request, "insights/segment_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def segment_new(request: HttpRequest) -> HttpResponse:
    _ensure_may_manage(request.user)
    form = SegmentForm(request.POST or None)
    positions: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            segment = segment_create(actor=request.user, **form.service_fields())
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            form.add_service_error(error)
            positions = rule_error_positions(error)
        else:
            messages.success(
                request,
                _("The segment %(name)s was created; the accounts are being re-segmented.")
                % {"name": segment},
            )
            return redirect(f"{reverse('insights:segment_list')}?saved=1")
    return _segment_form_page(request, form, None, error_positions_json=json.dumps(positions))


@login_required
@require_http_methods(["GET", "POST"])
def segment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _ensure_may_manage(request.user)
    segment = get_object_or_404(Segment.objects.select_related("service_model"), pk=pk)
    form = SegmentForm(request.POST or None, segment=segment)
    conflict = False
    positions: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            segment = segment_update(
                actor=request.user,
                segment=segment,
                expected_version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:  # ConflictError included: a stale version is refused whole
            form.add_service_error(error)
            conflict = isinstance(error, ConflictError)
            positions = rule_error_positions(error)
            segment.refresh_from_db()
        else:
            messages.success(
                request,
                _("The changes to %(name)s were saved; the accounts are being re-segmented.")
                % {"name": segment},
            )
            return redirect(f"{reverse('insights:segment_list')}?saved=1")
    return _segment_form_page(
        request, form, segment, conflict=conflict, error_positions_json=json.dumps(positions)
    )


def _optional_int(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return None


@login_required
@require_POST
def segment_preview(request: HttpRequest) -> HttpResponse:
    """What the rule being edited would match, from the form's current fields (an HTMX fragment)."""
    _ensure_may_manage(request.user)
    segment = None
    segment_pk = _optional_int(request.POST.get("segment"))
    if segment_pk is not None:
        segment = get_object_or_404(Segment, pk=segment_pk)
    priority = _optional_int(request.POST.get("priority"))
    is_default = request.POST.get("is_default") in {"on", "true", "1"}
    context: dict[str, Any] = {"priority": priority, "is_default": is_default, "segment": segment}
    try:
        rule = parse_rule_text(request.POST.get("rule", ""))
        context["preview"] = segment_rule_preview(
            rule, user=request.user, priority=priority, segment=segment, is_default=is_default
        )
    except ValidationError as error:
        context["errors"] = error.messages
        context["error_positions_json"] = json.dumps(rule_error_positions(error))
    return render(request, "insights/partials/segment_preview.html", context)


# Service models


@login_required
@require_GET
def service_model_list(request: HttpRequest) -> HttpResponse:
    models = ServiceModel.objects.prefetch_related("segments").order_by("name")
    context = {"section": SECTION, "service_models": models, "may_manage": may_manage_segments(request.user)}
    return render(request, "insights/service_model_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def service_model_new(request: HttpRequest) -> HttpResponse:
    _ensure_may_manage(request.user)
    form = ServiceModelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service_model = service_model_create(actor=request.user, **form.service_fields())
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The service model %(name)s was created.") % {"name": service_model})
            return redirect("insights:service_model_list")
    context = {"section": SECTION, "form": form, "service_model": None}
    return render(request, "insights/service_model_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def service_model_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _ensure_may_manage(request.user)
    service_model = get_object_or_404(ServiceModel, pk=pk)
    form = ServiceModelForm(request.POST or None, service_model=service_model)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            service_model = service_model_update(
                actor=request.user,
                service_model=service_model,
                expected_version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            form.add_service_error(error)
            conflict = isinstance(error, ConflictError)
            service_model.refresh_from_db()
        else:
            messages.success(request, _("The changes to %(name)s were saved.") % {"name": service_model})
            return redirect("insights:service_model_list")
    context = {"section": SECTION, "form": form, "service_model": service_model, "conflict": conflict}
    return render(request, "insights/service_model_form.html", context)
