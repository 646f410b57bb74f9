"""The staff UI for accounts and contacts: parse the request, call a selector or a service, render.

Someone who may not see an account gets 404 for anything about it, so a URL does not even tell them it
exists; someone who may see it but not change it gets 403 on its edit pages.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cartera.accounts.filtersets import CONTACT_SORTS, AccountFilterSet, ContactFilterSet
from cartera.accounts.forms import (
    AccountForm,
    CommitmentForm,
    CommitmentResolveForm,
    ContactForm,
    InteractionForm,
    TeamMemberForm,
    region_select_choices,
)
from cartera.accounts.models import Account, Contact
from cartera.accounts.selectors import (
    TREND_MONTHS,
    account_commitments,
    account_coverage,
    account_health,
    account_overview,
    buying_center,
    latest_interactions,
    may_edit_account,
    profit_trend,
    profit_waterfall,
    visible_accounts,
    visible_accounts_with_insight,
)
from cartera.accounts.services import (
    DuplicateAccountError,
    account_create,
    account_update,
    contact_create,
    contact_update,
)
from cartera.core.errors import ConflictError, PermissionDeniedError
from cartera.core.htmx import render_page_or_partial
from cartera.core.lists import list_context
from cartera.core.sorting import Column
from cartera.core.taxid import tax_id_label
from cartera.core.templatetags.cartera_format import money
from cartera.coverage.services import team_member_add
from cartera.relationship.models import Commitment, CommitmentStatus
from cartera.relationship.services import commitment_create, commitment_resolve, interaction_log
from cartera.users.models import Role

SEARCH_LIMIT = 20


def _page(request: HttpRequest, queryset: QuerySet[Any]) -> Page:
    return Paginator(queryset, settings.CARTERA_PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _editable_account(user: Any, pk: int) -> Account:
    """The account, if `user` may change it: 404 when they may not see it, 403 when only see it."""
    account = get_object_or_404(visible_accounts(user), pk=pk)
    if not Account.objects.editable_by(user).filter(pk=pk).exists():
        raise PermissionDenied
    return account


# Lists and search


@login_required
@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    filterset = AccountFilterSet(request.GET or None, request=request)
    context = {
        "filter": filterset,
        "page": _page(request, filterset.qs),
        "query": _query_without_page(request),
        "may_create": not request.user.is_read_only,  # type: ignore[union-attr]
    }
    return render_page_or_partial(
        request,
        "accounts/account_list.html",
        "accounts/partials/account_table.html",
        context,
        target="account-results",
    )


CONTACT_COLUMNS = [
    Column(gettext_lazy("Name"), "name"),
    Column(gettext_lazy("Job title"), "job_title", "d-none d-lg-table-cell"),
    Column(gettext_lazy("Buying role"), "buying_role"),
    Column(gettext_lazy("Account"), "account"),
    Column(gettext_lazy("Email"), "email", "d-none d-md-table-cell"),
    Column(gettext_lazy("Phone"), "", "d-none d-xl-table-cell"),
]


@login_required
@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    filterset = ContactFilterSet(request.GET or None, request=request)
    context = list_context(
        request,
        filterset,
        CONTACT_SORTS,
        CONTACT_COLUMNS,
        prepare=lambda rows: rows.select_related("account"),
    )
    return render_page_or_partial(
        request,
        "accounts/contact_list.html",
        "accounts/partials/contact_table.html",
        context,
        target="contact-results",
    )


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    accounts: list[Account] = []
    contacts: list[Contact] = []
    if text:
        accounts = list(
            Account.objects.visible_to(request.user).search(text).select_related("territory")[:SEARCH_LIMIT]
        )
        contacts = list(
            Contact.objects.visible_to(request.user)
            .search(text)  # type: ignore[attr-defined]
            .select_related("account")[:SEARCH_LIMIT]
        )
    context = {"q": text, "accounts": accounts, "contacts": contacts, "limit": SEARCH_LIMIT}
    return render(request, "accounts/search.html", context)


# The account page (360°): the whole page, its sections one by one, and the JSON of its charts


@login_required
@require_GET
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(visible_accounts_with_insight(request.user), pk=pk)
    overview = account_overview(account=account, user=request.user, today=timezone.localdate())
    context = {
        "account": account,
        "overview": overview,
        "health": overview.health,
        "buying_center": overview.buying_center,
        "coverage": overview.coverage,
        "commitments": overview.commitments,
        "interactions": overview.interactions,
        "may_edit": overview.may_edit,
        "section": "accounts",
        "trend_months": TREND_MONTHS,
        **_opportunities_context(account, request.user),
    }
    return render(request, "accounts/account_detail.html", context)


# How long the header keeps asking whether the insights refresh queued by a quick action has run, and
# how often: every second at first (the refresh of one account usually runs within a few), then less
# often, up to every REFRESH_DELAY_MAX seconds.
REFRESH_WAIT = dt.timedelta(seconds=30)
REFRESH_DELAY_MAX = 5
OPPORTUNITIES_LIMIT = 10


def _header_context(account: Account, user: Any, request: HttpRequest, today: dt.date) -> dict[str, Any]:
    health = account_health(account)
    context: dict[str, Any] = {"health": health}
    try:
        since = parse_datetime(request.GET.get("since", "") or "")
    except ValueError:  # well formed but impossible, e.g. month 13
        since = None
    if since is None or not timezone.is_aware(since):
        return context
    elapsed = int((timezone.now() - since).total_seconds())
    updated = health.insight.updated_at if health.insight else None
    if elapsed < REFRESH_WAIT.total_seconds() and (updated is None or updated < since):
        # Not yet: the header asks again in a moment, a little later each time.
        context["refresh_since"] = since.isoformat()
        context["refresh_delay"] = max(1, min(REFRESH_DELAY_MAX, 1 + elapsed // 5))
    return context


SECTIONS: dict[str, Any] = {
    "header": _header_context,
    "buying-center": lambda account, user, request, today: {"buying_center": buying_center(account)},
    "team": lambda account, user, request, today: {"coverage": account_coverage(account, today=today)},
    "commitments": lambda account, user, request, today: {
        "commitments": account_commitments(account, today=today)
    },
    "interactions": lambda account, user, request, today: {"interactions": latest_interactions(account)},
}


@login_required
@require_GET
def account_section(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One section of the account page, re-rendered after a quick action changed what it shows."""
    if name not in SECTIONS:
        raise Http404
    account = get_object_or_404(visible_accounts_with_insight(request.user), pk=pk)
    today = timezone.localdate()
    context = {"account": account, **SECTIONS[name](account, request.user, request, today)}
    if name != "header":  # the header, polled while a refresh runs, offers no action: no need to ask
        context["may_edit"] = may_edit_account(request.user, account)
    return render(request, f"accounts/partials/account_{name.replace('-', '_')}.html", context)


@login_required
@require_GET
def account_profit_data(request: HttpRequest, pk: int) -> JsonResponse:
    """The P&L waterfall of the window: revenue down to net profit (charts.js draws it)."""
    account = get_object_or_404(visible_accounts_with_insight(request.user), pk=pk)
    steps = profit_waterfall(account)
    if not steps or not any(step.amount for step in steps):
        return JsonResponse({"empty": True})
    return JsonResponse(
        {
            "empty": False,
            "currency": account.currency,
            "steps": [
                {
                    "key": step.key,
                    "label": step.label,
                    "value": _number(step.amount),
                    "text": money(step.amount, account.currency),
                    "total": step.is_total,
                }
                for step in steps
            ],
        }
    )


@login_required
@require_GET
def account_trend_data(request: HttpRequest, pk: int) -> JsonResponse:
    """Revenue, gross margin and net profit by month over the last two years."""
    account = get_object_or_404(visible_accounts(request.user), pk=pk)
    trend = profit_trend(account, today=timezone.localdate())
    if trend.is_empty:
        return JsonResponse({"empty": True})
    series = {
        "revenue": (_("Revenue"), [m.revenue for m in trend.months]),
        "gross_margin": (_("Gross margin"), [m.gross_margin for m in trend.months]),
        "cost_to_serve": (_("Cost to serve"), [m.cost_to_serve for m in trend.months]),
        "marketing": (_("Marketing"), [m.marketing for m in trend.months]),
        "net_profit": (_("Net profit"), [m.net_profit for m in trend.months]),
    }
    return JsonResponse(
        {
            "empty": False,
            "currency": account.currency,
            "months": [date_format(m.month, "M Y") for m in trend.months],
            "month_label": _("Month"),
            # All five go to the table alternative; the chart draws revenue, gross margin and net profit.
            "series": [
                {
                    "key": key,
                    "label": label,
                    "values": [_number(value) for value in values],
                    "texts": [money(value, account.currency) for value in values],
                    "charted": key in TREND_CHARTED,
                }
                for key, (label, values) in series.items()
            ],
        }
    )


TREND_CHARTED = {"revenue", "gross_margin", "net_profit"}


def _number(amount: Decimal) -> float | int:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _opportunities_context(account: Account, user: Any) -> dict[str, Any]:
    """The account's opportunities when the pipeline is installed (it ships its own selector and partial)."""
    if not apps.is_installed("cartera.pipeline"):
        return {}
    from cartera.pipeline.selectors import account_opportunities

    opportunities = account_opportunities(account=account, user=user)[:OPPORTUNITIES_LIMIT]
    return {"opportunities": opportunities, "has_pipeline": True}


# Quick actions of the account page. Each answers HTMX with a fragment: the form again with its errors
# (422; 409 for a stale version), or a short confirmation with HX-Trigger events that make the sections
# it changed fetch themselves again. Without HTMX the same URLs work as plain pages.


def _done(
    request: HttpRequest, account: Account, message: str, *events: str, since: dt.datetime | None = None
) -> HttpResponse:
    """The answer to a quick action that succeeded: the page's sections named by `events` refresh and,
    when the action queued an insights refresh (`since`: just before its write), the header waits for it.
    Contacts and team members feed no insight: the header is left alone, rather than asking in vain."""
    if not getattr(request, "htmx", False):
        messages.success(request, message)
        return redirect(account)
    response = render(request, "accounts/partials/quick_action_done.html", {"message": message})
    triggers: dict[str, Any] = dict.fromkeys(events, True)
    if since is not None:
        triggers["account-changed"] = {"since": since.isoformat()}
    triggers["quick-action-done"] = {"message": message}
    response["HX-Trigger"] = json.dumps(triggers)
    return response


def _form_page(
    request: HttpRequest, account: Account, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """The form of a quick action: the fragment for HTMX (the modal), else a page around it."""
    context = {"account": account, "section": "accounts", **context}
    if getattr(request, "htmx", False):
        return render(request, template, context, status=status)
    return render(
        request, "accounts/quick_action_page.html", {**context, "form_template": template}, status=status
    )


def _invalid_status(request: HttpRequest, form: Any) -> int:
    return 422 if request.method == "POST" and form.errors else 200


@login_required
@require_http_methods(["GET", "POST"])
def interaction_new(request: HttpRequest, pk: int) -> HttpResponse:
    account = _editable_account(request.user, pk)
    initial = {"occurred_at": timezone.localtime().replace(second=0, microsecond=0), "kind": "call"}
    form = InteractionForm(request.POST or None, account=account, initial=initial)
    if request.method == "POST" and form.is_valid():
        since = timezone.now()
        try:
            interaction_log(
                actor=request.user,
                account=account,
                kind=form.cleaned_data["kind"],
                occurred_at=form.cleaned_data["occurred_at"],
                summary=form.cleaned_data["summary"],
                contacts=form.cleaned_data["contacts"],
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return _done(
                request, account, _("The interaction was logged."), "interactions-changed", since=since
            )
    context = {"form": form, "action_url": request.path, "title": _("Log an interaction")}
    return _form_page(
        request,
        account,
        "accounts/partials/interaction_form.html",
        context,
        status=_invalid_status(request, form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_new(request: HttpRequest, pk: int) -> HttpResponse:
    account = _editable_account(request.user, pk)
    form = CommitmentForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        since = timezone.now()
        try:
            commitment_create(actor=request.user, account=account, **form.cleaned_data)
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return _done(
                request, account, _("The commitment was recorded."), "commitments-changed", since=since
            )
    context = {"form": form, "action_url": request.path, "title": _("Record a commitment")}
    return _form_page(
        request,
        account,
        "accounts/partials/commitment_form.html",
        context,
        status=_invalid_status(request, form),
    )


@login_required
@require_POST
def commitment_close(request: HttpRequest, pk: int, commitment_pk: int) -> HttpResponse:
    """Close an open commitment as kept, broken or cancelled, from its row on the account page."""
    account = _editable_account(request.user, pk)
    commitment = get_object_or_404(
        Commitment.objects.for_account(account).select_related("account"), pk=commitment_pk
    )
    form = CommitmentResolveForm(request.POST)
    error: str | None = None
    status = 200
    since = timezone.now()
    if not form.is_valid():
        error, status = _("Choose whether the commitment was kept, broken or cancelled."), 422
    elif commitment.status != CommitmentStatus.OPEN:
        error, status = _("This commitment was already closed by someone else."), 409
    else:
        try:
            commitment_resolve(
                actor=request.user,
                commitment=commitment,
                status=form.cleaned_data["status"],
                expected_version=form.cleaned_data["version"],
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ConflictError as conflict:
            error, status = " ".join(conflict.messages), 409
        except ValidationError as invalid:
            error, status = " ".join(invalid.messages), 422
    if not getattr(request, "htmx", False):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("The commitment was closed."))
        return redirect(account)
    context = {
        "account": account,
        "may_edit": True,
        "commitments": account_commitments(account, today=timezone.localdate()),
        "commitment_error": error,
        "commitment_error_pk": commitment.pk,
    }
    response = render(request, "accounts/partials/account_commitments.html", context, status=status)
    if not error:
        response["HX-Trigger"] = json.dumps(
            {
                "account-changed": {"since": since.isoformat()},
                "quick-action-done": {"message": str(_("The commitment was closed."))},
            }
        )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def team_member_new(request: HttpRequest, pk: int) -> HttpResponse:
    account = _editable_account(request.user, pk)
    form = TeamMemberForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            team_member_add(actor=request.user, account=account, **form.cleaned_data)
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            form.add_service_error(error)
        else:
            name = form.cleaned_data["user"]
            return _done(
                request,
                account,
                _("%(name)s joined the account team.") % {"name": name},
                "team-changed",
            )
    context = {"form": form, "action_url": request.path, "title": _("Add a team member")}
    return _form_page(
        request,
        account,
        "accounts/partials/team_member_form.html",
        context,
        status=_invalid_status(request, form),
    )


# Forms


@login_required
@require_http_methods(["GET", "POST"])
def account_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.is_read_only:
        raise PermissionDenied
    form = AccountForm(request.POST or None, user=user)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        # An executive's new account without a portfolio stays theirs: they join its team as responsible.
        responsible = user if user.role == Role.ACCOUNT_EXECUTIVE and not fields["portfolio"] else None
        try:
            account = account_create(actor=user, responsible=responsible, **fields)
        except DuplicateAccountError as error:
            duplicate = _visible_or_none(user, error.existing)
            form.add_service_error(ValidationError({"tax_id": error}))
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The account %(name)s was created.") % {"name": account})
            if Account.objects.visible_to(user).filter(pk=account.pk).exists():
                return redirect(account)
            return redirect("accounts:list")
    return render(request, "accounts/account_form.html", {"form": form, "duplicate": duplicate})


@login_required
@require_http_methods(["GET", "POST"])
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = _editable_account(request.user, pk)
    form = AccountForm(request.POST or None, user=request.user, account=account)
    duplicate = None
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            account = account_update(
                actor=request.user,
                account=account,
                expected_version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except DuplicateAccountError as error:
            duplicate = _visible_or_none(request.user, error.existing)
            form.add_service_error(ValidationError({"tax_id": error}))
            account.refresh_from_db()  # the service applied the refused values to this instance
        except ValidationError as error:  # ConflictError included: a stale version is refused whole
            form.add_service_error(error)
            conflict = isinstance(error, ConflictError)
            account.refresh_from_db()
        else:
            messages.success(request, _("The changes to %(name)s were saved.") % {"name": account})
            return redirect(account)
    context = {"form": form, "account": account, "duplicate": duplicate, "conflict": conflict}
    return render(request, "accounts/account_form.html", context)


@login_required
@require_GET
def region_options(request: HttpRequest) -> HttpResponse:
    """The region select for the country chosen in the account form (HTMX swaps it in place)."""
    country = request.GET.get("country", "CL").upper()[:2]
    context = {"choices": region_select_choices(country), "tax_id_label": tax_id_label(country)}
    return render(request, "accounts/partials/region_select.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest, pk: int) -> HttpResponse:
    account = _editable_account(request.user, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = contact_create(actor=request.user, account=account, **form.service_fields())
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            form.add_service_error(error)
        else:
            message = _("%(name)s was added to the account.") % {"name": contact}
            if getattr(request, "htmx", False):
                return _done(request, account, message, "contacts-changed")
            messages.success(request, message)
            return redirect(account)
    if getattr(request, "htmx", False):  # the quick action of the account page: the form in its modal
        context = {"form": form, "account": account, "action_url": request.path, "title": _("Add a contact")}
        return render(
            request,
            "accounts/partials/contact_quick_form.html",
            context,
            status=_invalid_status(request, form),
        )
    return render(request, "accounts/contact_form.html", {"form": form, "account": account})


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact.objects.visible_to(request.user).select_related("account"), pk=pk)
    account = _editable_account(request.user, contact.account_id)
    form = ContactForm(request.POST or None, contact=contact)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            contact = contact_update(
                actor=request.user,
                contact=contact,
                expected_version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:  # ConflictError included: a stale version is refused whole
            form.add_service_error(error)
            conflict = isinstance(error, ConflictError)
            contact.refresh_from_db()
        else:
            messages.success(request, _("The changes to %(name)s were saved.") % {"name": contact})
            return redirect(account)
    context = {"form": form, "account": account, "contact": contact, "conflict": conflict}
    return render(request, "accounts/contact_form.html", context)


def _visible_or_none(user: Any, account: Account) -> Account | None:
    return account if Account.objects.visible_to(user).filter(pk=account.pk).exists() else None
