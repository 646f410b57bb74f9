"""Anonymous B2C consumers, their purchases, and the profiles that measure them as groups."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cartera.commerce.amounts import to_cents
from cartera.core.models import TimeStampedModel, VersionedModel
from cartera.core.regions import REGION_HELP, is_valid_region, region_name
from cartera.profiles.choices import AgeBand, ConsumerChannel
from cartera.profiles.querysets import ConsumerOrderQuerySet, ConsumerQuerySet, ProfileQuerySet
from cartera.profiles.rules import empty_rule, validate_rule


def validate_region_code(code: str) -> None:
    """An ISO 3166-2 first-level region of any country, such as CL-RM."""
    if code and not is_valid_region(code.split("-")[0], code):
        raise ValidationError(
            _("%(region)s is not an ISO 3166-2 region code."), code="invalid_region", params={"region": code}
        )


class Consumer(TimeStampedModel):
    """An anonymous B2C buyer: a customer number and a few attributes, measured only within profiles."""

    customer_number = models.CharField(_("customer number"), max_length=40, unique=True)
    region = models.CharField(
        _("region"), max_length=8, blank=True, validators=[validate_region_code], help_text=REGION_HELP
    )
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN)
    channel = models.CharField(
        _("channel"),
        max_length=16,
        choices=ConsumerChannel.choices,
        default=ConsumerChannel.STORE,
        help_text=_("Where the consumer usually buys."),
    )

    objects = ConsumerQuerySet.as_manager()

    class Meta:
        verbose_name = _("consumer")
        verbose_name_plural = _("consumers")
        ordering = ["customer_number"]
        indexes = [models.Index(fields=["region"], name="consumer_region_idx")]

    def __str__(self) -> str:
        return self.customer_number

    @property
    def region_name(self) -> str:
        return region_name(self.region)


class ConsumerOrder(models.Model):
    """One purchase by a consumer: its date, revenue and cost of goods.

    An immutable fact written in bulk, so it carries no timestamps of its own: its batch's audit record
    says when and by whom it was loaded, and millions of rows stay lean.
    """

    consumer = models.ForeignKey(
        Consumer, verbose_name=_("consumer"), on_delete=models.CASCADE, related_name="orders"
    )
    date = models.DateField(_("date"))
    revenue = models.DecimalField(
        _("revenue"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    cost = models.DecimalField(
        _("cost of goods"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    # Integer cents filled by the services (compute_amounts), so that sums are exact on SQLite too.
    revenue_cents = models.BigIntegerField(_("revenue (cents)"), default=0, editable=False)
    cost_cents = models.BigIntegerField(_("cost of goods (cents)"), default=0, editable=False)

    objects = ConsumerOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("consumer order")
        verbose_name_plural = _("consumer orders")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revenue__gte=0, cost__gte=0), name="consumer_order_amounts_not_negative"
            )
        ]
        indexes = [
            models.Index(fields=["consumer", "date"], name="consumer_order_consumer_idx"),
            models.Index(fields=["date"], name="consumer_order_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.consumer_id} {self.date:%Y-%m-%d} {self.revenue}"

    def compute_amounts(self) -> None:
        """Fill the stored cents from revenue and cost."""
        self.revenue_cents = to_cents(Decimal(self.revenue))
        self.cost_cents = to_cents(Decimal(self.cost))


class Profile(VersionedModel):
    """A named rule over consumer attributes and behaviour; its members are measured as a whole.

    Profiles are overlapping views, not a partition: a consumer belongs to every active profile whose
    rule it meets, so each profile's figures stand on their own and do not add up to the whole.
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    rule = models.JSONField(
        _("rule"),
        default=empty_rule,
        validators=[validate_rule],
        help_text=_("Conditions over region, age band, channel, recency, purchases and spend, all required."),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Lower numbers are listed first.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        ordering = ["priority", "name"]

    def __str__(self) -> str:
        return self.name
