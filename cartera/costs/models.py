"""What it costs to serve an account, and the marketing money spent on it."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cartera.core.models import TimeStampedModel
from cartera.costs.querysets import MarketingSpendQuerySet, ServiceCostQuerySet


class ServiceCostKind(models.TextChoices):
    SUPPORT = "support", _("Support time")
    VISITS = "visits", _("Visits")
    LOGISTICS = "logistics", _("Logistics")
    SPECIAL_TERMS = "special_terms", _("Special terms")
    OTHER = "other", _("Other")


class ServiceCost(TimeStampedModel):
    """A cost of serving an account on a date: support time, visits, logistics, special terms."""

    # Found by the (account, date) index below, which also serves lookups by account alone.
    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="service_costs",
        db_index=False,
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=ServiceCostKind.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ServiceCostQuerySet.as_manager()

    class Meta:
        verbose_name = _("service cost")
        verbose_name_plural = _("service costs")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["account", "date"], name="service_cost_account_date_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d} {self.amount}"


class MarketingSpend(TimeStampedModel):
    """Marketing money spent on an account, or allocated to it from a campaign."""

    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="marketing_spend",
        db_index=False,  # the (account, date) index below serves lookups by account alone
    )
    date = models.DateField(_("date"))
    campaign = models.CharField(_("campaign"), max_length=200)
    amount = models.DecimalField(
        _("amount"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = MarketingSpendQuerySet.as_manager()

    class Meta:
        verbose_name = _("marketing spend")
        verbose_name_plural = _("marketing spend")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["account", "date"], name="marketing_account_date_idx")]

    def __str__(self) -> str:
        return f"{self.campaign} {self.date:%Y-%m-%d} {self.amount}"
