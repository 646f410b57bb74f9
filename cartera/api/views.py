"""Pages for personal API tokens (every user) and webhooks (administrators and sales managers)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cartera.api.forms import TokenForm, WebhookSubscriptionForm
from cartera.api.models import ApiToken, WebhookDelivery, WebhookSubscription
from cartera.api.services import (
    api_token_create,
    api_token_revoke,
    ensure_can_manage_webhooks,
    webhook_subscription_create,
    webhook_subscription_delete,
    webhook_subscription_update,
)
from cartera.core.errors import ConflictError, PermissionDeniedError


def _signed_in(request: HttpRequest) -> Any:
    return request.user


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's tokens; creating one shows its key on this one response only."""
    new_key = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, new_key = api_token_create(actor=request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=_signed_in(request))
    response = render(request, "api/token_list.html", {"tokens": tokens, "form": form, "new_key": new_key})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.filter(user=_signed_in(request)), pk=pk)
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("api_ui:tokens")


def _manager(request: HttpRequest) -> None:
    try:
        ensure_can_manage_webhooks(request.user)
    except PermissionDeniedError:
        raise PermissionDenied from None


@login_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    """Subscriptions and the delivery log, newest first."""
    _manager(request)
    deliveries = WebhookDelivery.objects.select_related("subscription").prefetch_related("attempt_log")
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "api/webhook_list.html",
        {"subscriptions": WebhookSubscription.objects.all(), "deliveries": page},
    )


def _subscription_fields(form: WebhookSubscriptionForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "url": data["url"],
        "events": data["events"],
        "description": data["description"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def webhook_new(request: HttpRequest) -> HttpResponse:
    _manager(request)
    form = WebhookSubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            webhook_subscription_create(actor=request.user, **_subscription_fields(form))
        except ValidationError as error:
            form.add_error(None, error) if not hasattr(error, "error_dict") else _add_errors(form, error)
        else:
            messages.success(request, _("The subscription was created."))
            return redirect("api_ui:webhooks")
    return render(request, "api/webhook_form.html", {"form": form, "subscription": None})


def _add_errors(form: WebhookSubscriptionForm, error: ValidationError) -> None:
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    initial = {
        "url": subscription.url,
        "events": subscription.events,
        "description": subscription.description,
        "is_active": subscription.is_active,
        "version": subscription.version,
    }
    form = WebhookSubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            webhook_subscription_update(
                actor=request.user,
                subscription=subscription,
                expected_version=form.cleaned_data["version"] or subscription.version,
                is_active=form.cleaned_data["is_active"],
                **_subscription_fields(form),
            )
        except ConflictError as error:
            form.add_error(None, error)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The subscription was saved."))
            return redirect("api_ui:webhooks")
    return render(request, "api/webhook_form.html", {"form": form, "subscription": subscription})


@login_required
@require_POST
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    webhook_subscription_delete(actor=request.user, subscription=subscription)
    messages.success(request, _("The subscription was deleted."))
    return redirect("api_ui:webhooks")


@login_required
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("subscription"), pk=pk)
    return render(
        request,
        "api/delivery_detail.html",
        {"delivery": delivery, "attempts": delivery.attempt_log.all()},
    )
