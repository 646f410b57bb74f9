"""The staff UI for accounts and contacts: parse the request, call a selector or a service, render.

Someone who may not see an account gets 404 for anything about it, so a URL does not even tell them it
exists; someone who may see it but not change it gets 403 on its edit pages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cartera.accounts.filtersets import AccountFilterSet, ContactFilterSet
from cartera.accounts.forms import AccountForm, ContactForm, region_select_choices
from cartera.accounts.models import Account, Contact
from cartera.accounts.selectors import account_overview, visible_accounts
from cartera.accounts.services import (
    DuplicateAccountError,
    account_create,
    account_update,
    contact_create,
    contact_update,
)
from cartera.core.errors import ConflictError, PermissionDeniedError
from cartera.core.htmx import render_page_or_partial
from cartera.core.taxid import tax_id_label
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


@login_required
@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    filterset = ContactFilterSet(request.GET or None, request=request)
    context = {
        "filter": filterset,
        "page": _page(request, filterset.qs),
        "query": _query_without_page(request),
    }
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


# The account page


@login_required
@require_GET
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(visible_accounts(request.user), pk=pk)
    overview = account_overview(account=account, user=request.user, today=timezone.localdate())
    return render(request, "accounts/account_detail.html", {"account": account, "overview": overview})


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
            messages.success(request, _("%(name)s was added to the account.") % {"name": contact})
            return redirect(account)
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
