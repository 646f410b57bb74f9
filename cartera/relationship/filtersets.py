"""One filter class per list of interactions, commitments, referrals and feedback (pages, exports, API)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cartera.accounts.filtersets import by_account_name
from cartera.accounts.models import Account, Contact
from cartera.core.filtersets import VisibleFilterSet, visible_accounts
from cartera.core.sorting import SortKey, Sorts
from cartera.relationship.models import (
    Commitment,
    CommitmentStatus,
    Feedback,
    FeedbackKind,
    FeedbackStatus,
    Interaction,
    InteractionKind,
    Referral,
    ReferralKind,
)
from cartera.relationship.querysets import overdue_q


def staff_users(request: Any) -> QuerySet[Any]:
    """The people a list can be narrowed to (who logged an interaction, who made a promise)."""
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")


def _accounts_matching(text: str) -> QuerySet[Any]:
    return Account.objects.search(text).values("pk")


class InteractionFilterSet(VisibleFilterSet):
    """Interactions by text (account name or contact, accents ignored; summary), account, kind, user and
    date range."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    account = django_filters.ModelChoiceFilter(label=_("Account"), queryset=visible_accounts)
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=InteractionKind.choices, empty_label=_("All kinds")
    )
    user = django_filters.ModelChoiceFilter(label=_("By"), queryset=staff_users, empty_label=_("Anyone"))
    date_from = django_filters.DateFilter(
        label=pgettext_lazy("date range", "From"), field_name="occurred_on", lookup_expr="gte"
    )
    date_to = django_filters.DateFilter(
        label=pgettext_lazy("date range", "To"), field_name="occurred_on", lookup_expr="lte"
    )

    class Meta:
        model = Interaction
        fields = ["q", "account", "kind", "user", "date_from", "date_to"]

    def filter_search(self, queryset: QuerySet[Interaction], name: str, value: str) -> QuerySet[Interaction]:
        text = value.strip()
        if not text:
            return queryset
        contacts = Contact.objects.search(text).values("pk")
        with_contacts = Interaction.contacts.through.objects.filter(contact__in=contacts).values(
            "interaction_id"
        )
        return queryset.filter(
            Q(account__in=_accounts_matching(text)) | Q(pk__in=with_contacts) | Q(summary__icontains=text)
        )


class OverdueSelect(forms.NullBooleanSelect):
    """All commitments, only the overdue ones, or only those not overdue."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("unknown", _("All")), ("true", _("Overdue only")), ("false", _("Not overdue"))]


class CommitmentFilterSet(VisibleFilterSet):
    """Commitments by text (what, or the account's name), account, status, overdue, who promised and due
    date."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    account = django_filters.ModelChoiceFilter(label=_("Account"), queryset=visible_accounts)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=CommitmentStatus.choices, empty_label=_("All statuses")
    )
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue", widget=OverdueSelect)
    owner = django_filters.ModelChoiceFilter(
        label=pgettext_lazy("column", "Promised by"),
        field_name="promised_by",
        queryset=staff_users,
        empty_label=_("Anyone"),
    )
    due_before = django_filters.DateFilter(label=_("Due before"), field_name="due_date", lookup_expr="lt")

    class Meta:
        model = Commitment
        fields = ["q", "account", "status", "overdue", "owner", "due_before"]

    def filter_search(self, queryset: QuerySet[Commitment], name: str, value: str) -> QuerySet[Commitment]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(Q(description__icontains=text) | Q(account__in=_accounts_matching(text)))

    def filter_overdue(
        self, queryset: QuerySet[Commitment], name: str, value: bool | None
    ) -> QuerySet[Commitment]:
        """Overdue: still open after its due date (as the trust score counts it)."""
        if value is None:
            return queryset
        overdue = overdue_q(timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class ReferralFilterSet(VisibleFilterSet):
    """Referrals and testimonials by account and kind."""

    account = django_filters.ModelChoiceFilter(label=_("Account"), queryset=visible_accounts)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ReferralKind.choices)

    class Meta:
        model = Referral
        fields = ["account", "kind"]


class FeedbackFilterSet(VisibleFilterSet):
    """Feedback by account, kind and status."""

    account = django_filters.ModelChoiceFilter(label=_("Account"), queryset=visible_accounts)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=FeedbackKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=FeedbackStatus.choices)

    class Meta:
        model = Feedback
        fields = ["account", "kind", "status"]


def _user_key(prefix: str) -> tuple[str, ...]:
    return (f"{prefix}__first_name", f"{prefix}__last_name", f"{prefix}__username")


INTERACTION_SORTS = Sorts(
    {
        "date": ["occurred_at"],
        "account": SortKey(("account_sort",), by_account_name),
        "kind": ["kind"],
        "user": _user_key("user"),
    },
    default="-date",
)

COMMITMENT_SORTS = Sorts(
    {
        "account": SortKey(("account_sort",), by_account_name),
        "promised_by": _user_key("promised_by"),
        "promised_to": ["promised_to__last_name", "promised_to__first_name"],
        "description": SortKey(
            ("description_sort",), lambda qs: qs.annotate(description_sort=Lower("description"))
        ),
        "due": ["due_date"],
        "status": ["status"],
    },
    default="due",
)
