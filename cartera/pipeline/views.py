"""The pipeline pages: the board, moving a card, opening, editing and closing a deal.

Someone who may not see a deal's account gets 404 for anything about the deal; someone who may see it but
not change it (a read-only role) gets 403 on its edit actions, and the board shows them no move controls.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cartera.accounts.models import Account
from cartera.commerce.models import ProductLine
from cartera.core.errors import ConflictError, PermissionDeniedError
from cartera.core.htmx import render_page_or_partial
from cartera.core.lists import filtered, style_filter_form
from cartera.pipeline.filtersets import OpportunityFilterSet
from cartera.pipeline.forms import CloseForm, MoveForm, OpportunityForm
from cartera.pipeline.models import Opportunity, Stage
from cartera.pipeline.selectors import pipeline_board, suggest_purchase_type
from cartera.pipeline.services import (
    opportunity_close,
    opportunity_create,
    opportunity_move,
    opportunity_update,
)

BOARD_FILTERS = ("q", "owner", "portfolio", "product_line", "purchase_type")


def _board_filters(request: HttpRequest, data: Any) -> OpportunityFilterSet:
    """The board's filter set: no stage filter (the columns are the stages), owner only for managers."""
    filterset = OpportunityFilterSet(
        {key: data[key] for key in BOARD_FILTERS if data.get(key)}, request=request
    )
    allowed = set(BOARD_FILTERS) if request.user.manages_everything else set(BOARD_FILTERS) - {"owner"}  # type: ignore[union-attr]
    for name in list(filterset.filters):
        if name not in allowed:
            del filterset.filters[name]
    for name in list(filterset.form.fields):
        if name not in allowed:
            del filterset.form.fields[name]
    style_filter_form(filterset.form)
    return filterset


def _board_context(request: HttpRequest, data: Any) -> dict[str, Any]:
    filterset = _board_filters(request, data)
    # A refused filter value (a portfolio the user may not see) shows no deal, not every deal.
    board = pipeline_board(opportunities=filtered(filterset), user=request.user, today=timezone.localdate())
    query = urlencode(
        [(key, data[key]) for key in BOARD_FILTERS if data.get(key) and key in filterset.filters]
    )
    board_url = reverse("pipeline:board") + (f"?{query}" if query else "")
    return {
        "filter": filterset,
        "board": board,
        "section": "pipeline",
        "board_query": query,
        "board_url": board_url,
    }


def _visible_opportunity(user: Any, pk: int) -> Opportunity:
    return get_object_or_404(Opportunity.objects.visible_to(user).select_related("account"), pk=pk)


def _editable_opportunity(user: Any, pk: int) -> Opportunity:
    """The deal, if `user` may change it: 404 when they may not see it, 403 when they may only see it."""
    opportunity = _visible_opportunity(user, pk)
    if not Opportunity.objects.editable_by(user).filter(pk=pk).exists():
        raise PermissionDenied
    return opportunity


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    return render_page_or_partial(
        request,
        "pipeline/board.html",
        "pipeline/partials/board.html",
        _board_context(request, request.GET),
        target="pipeline-board",
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a card to another open stage. From the board's script the answer is JSON with a message for
    the live region and the board drawn again (so a refused move shows where the card really is);
    without the script, a redirect back to the board with the message."""
    opportunity = _visible_opportunity(request.user, pk)
    form = MoveForm(_move_data(request.POST))
    status = 200
    if not form.is_valid():
        status, message = 400, _("Choose an open stage to move the opportunity to.")
    else:
        stage = Stage(form.cleaned_data["stage"])
        try:
            opportunity_move(
                actor=request.user,
                opportunity=opportunity,
                stage=stage,
                expected_version=form.cleaned_data["version"],
            )
        except PermissionDeniedError:
            status, message = 403, _("You may see this opportunity but not move it.")
        except ConflictError:
            status = 409
            message = _(
                "%(name)s was changed by someone else meanwhile, so it was not moved; the board now shows it "
                "where it is."
            ) % {"name": opportunity.name}
        except ValidationError as error:
            status, message = 400, " ".join(error.messages)
        else:
            message = _("%(name)s moved to %(stage)s.") % {"name": opportunity.name, "stage": stage.label}
    if _wants_json(request):
        context = _board_context(request, request.POST)
        html = render_to_string("pipeline/partials/board.html", context, request=request)
        return JsonResponse({"ok": status == 200, "message": message, "board": html}, status=status)
    if status == 403:
        raise PermissionDenied
    (messages.success if status == 200 else messages.error)(request, message)
    return redirect(_back_to_board(request))


def _move_data(data: Any) -> dict[str, Any]:
    """The stage and version, posted as two fields or, by a card's button, as one `move=stage:version`."""
    if "move" in data:
        stage, _sep, version = str(data["move"]).partition(":")
        return {"stage": stage, "version": version}
    return {"stage": data.get("stage"), "version": data.get("version")}


def _back_to_board(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("pipeline:board")


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_new(request: HttpRequest) -> HttpResponse:
    if request.user.is_read_only:  # type: ignore[union-attr]
        raise PermissionDenied
    account = _chosen_account(request)
    form = OpportunityForm(request.POST or None, user=request.user, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = opportunity_create(
                actor=request.user,
                account=form.cleaned_data["account"],
                stage=form.cleaned_data["stage"],
                probability=form.cleaned_data["probability"],
                buying_center=form.roles(),
                **form.service_values(),
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The opportunity %(name)s was opened.") % {"name": opportunity.name})
            return redirect(f"{reverse('pipeline:board')}#opportunity-{opportunity.pk}")
    suggestion = _suggestion_context(form)
    if not form.is_bound and suggestion["suggestion"] is not None:
        form.initial["purchase_type"] = suggestion["suggestion"].purchase_type
    context = {"form": form, "account": account, "section": "pipeline", **suggestion}
    return render(request, "pipeline/opportunity_form.html", context)


def _chosen_account(request: HttpRequest) -> Account | None:
    """The account a new deal is for: the posted one, else the one in the address (if it may be edited)."""
    raw = request.POST.get("account") or request.GET.get("account")
    if not raw or not str(raw).isdigit():
        return None
    return Account.objects.editable_by(request.user).filter(pk=int(raw)).first()


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _visible_opportunity(request.user, pk)
    may_edit = Opportunity.objects.editable_by(request.user).filter(pk=pk).exists()
    if request.method == "POST" and not may_edit:
        raise PermissionDenied
    form = OpportunityForm(request.POST or None, user=request.user, opportunity=opportunity)
    conflict = False
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        if form.cleaned_data["probability"] is not None:
            values["probability"] = form.cleaned_data["probability"]
        try:
            opportunity_update(
                actor=request.user,
                opportunity=opportunity,
                expected_version=form.cleaned_data["version"],
                buying_center=form.roles(),
                **values,
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:  # ConflictError included: a stale version is refused whole
            form.add_service_error(error)
            conflict = isinstance(error, ConflictError)
            opportunity.refresh_from_db()
        else:
            messages.success(request, _("The changes to %(name)s were saved.") % {"name": opportunity.name})
            if opportunity.is_open:
                return redirect(f"{reverse('pipeline:board')}#opportunity-{opportunity.pk}")
            return redirect(opportunity.account)
    context = {
        "form": form,
        "opportunity": opportunity,
        "account": opportunity.account,
        "may_edit": may_edit,
        "conflict": conflict,
        "close_form": CloseForm(opportunity=opportunity) if opportunity.is_open else None,
        "section": "pipeline",
        **_suggestion_context(form),
    }
    return render(request, "pipeline/opportunity_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _editable_opportunity(request.user, pk)
    form = CloseForm(request.POST or None, opportunity=opportunity)
    if request.method == "POST" and form.is_valid():
        won = form.cleaned_data["outcome"] == Stage.WON
        try:
            opportunity_close(
                actor=request.user,
                opportunity=opportunity,
                won=won,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                closed_on=form.cleaned_data["closed_on"],
                expected_version=form.cleaned_data["version"],
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            form.add_service_error(error)
            opportunity.refresh_from_db()
        else:
            text = _("%(name)s was closed as won.") if won else _("%(name)s was closed as lost.")
            messages.success(request, text % {"name": opportunity.name})
            return redirect("pipeline:board")
    context = {
        "form": form,
        "opportunity": opportunity,
        "account": opportunity.account,
        "section": "pipeline",
    }
    return render(request, "pipeline/close_form.html", context, status=422 if form.errors else 200)


@login_required
@require_GET
def purchase_type_suggestion(request: HttpRequest) -> HttpResponse:
    """The purchase type the account's history suggests for the form's account, line and discount (HTMX)."""
    form = OpportunityForm(request.GET, user=request.user)
    return render(
        request, "pipeline/partials/purchase_type_hint.html", _suggestion_context(form, request.GET)
    )


def _suggestion_context(form: OpportunityForm, data: Any = None) -> dict[str, Any]:
    """The suggestion for what the form holds (posted, or as first shown)."""
    source = data if data is not None else (form.data if form.is_bound else None)

    def value(name: str) -> Any:
        if source is not None:
            return source.get(name)
        return form.initial.get(name)

    account = form.deal_account
    account_id = value("account")
    if account is None and account_id and str(account_id).isdigit():
        account = Account.objects.visible_to(form.user).filter(pk=int(account_id)).first()
    if account is None:
        return {"suggestion": None}
    line_id = value("product_line")
    line = ProductLine.objects.filter(pk=int(line_id)).first() if line_id and str(line_id).isdigit() else None
    raw_discount = str(value("discount_pct") or "").strip().replace(",", ".")
    try:
        discount = Decimal(raw_discount) if raw_discount else None
    except InvalidOperation:
        discount = None
    if discount is not None and not discount.is_finite():
        discount = None
    return {"suggestion": suggest_purchase_type(account=account, product_line=line, discount_pct=discount)}
