"""One filter class per list of interactions, commitments, referrals and feedback (pages, exports, API)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from cartera.core.filtersets import VisibleFilterSet, visible_accounts
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


class InteractionFilterSet(VisibleFilterSet):
    """Interactions by account, kind and date range."""

    account = django_filters.ModelChoiceFilter(label=_("Account"), queryset=visible_accounts)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=InteractionKind.choices)
    date_from = django_filters.DateFilter(label=_("From"), field_name="occurred_on", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("To"), field_name="occurred_on", lookup_expr="lte")

    class Meta:
        model = Interaction
        fields = ["account", "kind", "date_from", "date_to"]


class CommitmentFilterSet(VisibleFilterSet):
    """Commitments by account, status and due date."""

    account = django_filters.ModelChoiceFilter(label=_("Account"), queryset=visible_accounts)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CommitmentStatus.choices)
    due_before = django_filters.DateFilter(label=_("Due before"), field_name="due_date", lookup_expr="lt")

    class Meta:
        model = Commitment
        fields = ["account", "status", "due_before"]


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
