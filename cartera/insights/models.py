"""What cartera knows about each account: daily money facts, the current metrics snapshot, the loyalty
ladder with its history, and segments with their service models."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cartera.commerce.amounts import from_cents
from cartera.core.models import TimeStampedModel, VersionedModel


class LoyaltyTier(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    BUYER = "buyer", _("Buyer")
    SPORADIC = "sporadic", _("Sporadic")
    FREQUENT = "frequent", _("Frequent")
    LOYAL = "loyal", _("Loyal")


TIER_ORDER = [tier.value for tier in LoyaltyTier]


class ProfitClass(models.TextChoices):
    A = "A", _("A — top 80% of profit")
    B = "B", _("B — next 15% of profit")
    C = "C", _("C — last 5% of profit")
    L = "L", _("L — loss-making")


class LoyaltyRules(VersionedModel):
    """The thresholds of the loyalty ladder (one row), editable by an administrator."""

    window_days = models.PositiveIntegerField(
        _("window (days)"), default=365, validators=[MinValueValidator(1)]
    )
    frequent_min_orders = models.PositiveIntegerField(
        _("orders in the window to be frequent"), default=4, validators=[MinValueValidator(2)]
    )
    loyal_min_tenure_days = models.PositiveIntegerField(
        _("days since the first order to be loyal"), default=730, validators=[MinValueValidator(1)]
    )
    loyal_referral_days = models.PositiveIntegerField(
        _("days within which a referral or testimonial counts for loyal"),
        default=730,
        validators=[MinValueValidator(1)],
    )

    class Meta:
        verbose_name = _("loyalty ladder rules")
        verbose_name_plural = _("loyalty ladder rules")

    def __str__(self) -> str:
        return str(_("Loyalty ladder rules"))


class AccountDay(models.Model):
    """Money facts of one account on one day, maintained as orders, costs and spend are written.

    Analytics read these instead of scanning order lines (docs/adr/0005-insights-facts.md).
    """

    # Derived data, rebuilt in bulk: no database-level foreign key, whose checks at commit cost more than
    # the rebuild itself (the ORM still cascades an account's deletion to its days).
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    date = models.DateField()
    orders = models.PositiveIntegerField(default=0)
    revenue_cents = models.BigIntegerField(default=0)
    cogs_cents = models.BigIntegerField(default=0)
    gross_cents = models.BigIntegerField(default=0)
    cost_to_serve_cents = models.BigIntegerField(default=0)
    marketing_cents = models.BigIntegerField(default=0)
    # Running totals of the account up to and including this day. A sum over any window of days is the
    # difference of two of them, so a metric as of a date reads one row per window edge and account
    # instead of every day in the window (docs/adr/0010-running-totals.md).
    orders_to_date = models.PositiveIntegerField(default=0)
    revenue_to_date_cents = models.BigIntegerField(default=0)
    cogs_to_date_cents = models.BigIntegerField(default=0)
    gross_to_date_cents = models.BigIntegerField(default=0)
    cost_to_serve_to_date_cents = models.BigIntegerField(default=0)
    marketing_to_date_cents = models.BigIntegerField(default=0)
    first_order_date = models.DateField(null=True, blank=True)
    last_order_date = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("account day")
        verbose_name_plural = _("account days")
        constraints = [
            # Also the index that finds an account's row on or before a date (read backwards from it);
            # on PostgreSQL it holds the running totals too, so that probe reads no table page
            # (migration 0008).
            models.UniqueConstraint(fields=["account", "date"], name="account_day_unique")
        ]
        indexes = [
            # Covering for the money over a range of days of every account (the dashboard's previous year).
            models.Index(
                fields=[
                    "date",
                    "account",
                    "revenue_cents",
                    "cogs_cents",
                    "cost_to_serve_cents",
                    "marketing_cents",
                ],
                name="account_day_date_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.date}"


class ServiceModel(VersionedModel):
    """What a segment gets: who serves it, how long it may go without contact, its case SLA, its reviews."""

    class Coverage(models.TextChoices):
        DEDICATED = "dedicated", _("Dedicated executive")
        SHARED = "shared", _("Shared team")
        SELF_SERVICE = "self_service", _("Self-service")

    name = models.CharField(_("name"), max_length=120, unique=True)
    coverage = models.CharField(_("who serves it"), max_length=16, choices=Coverage.choices)
    max_days_without_contact = models.PositiveIntegerField(_("maximum days without contact"))
    first_response_hours = models.PositiveIntegerField(_("first response (hours)"))
    resolution_hours = models.PositiveIntegerField(_("resolution (hours)"))
    review_cadence_days = models.PositiveIntegerField(_("review every (days)"))

    class Meta:
        verbose_name = _("service model")
        verbose_name_plural = _("service models")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Segment(VersionedModel):
    """A named rule over client attributes and metrics; every account gets the first segment that matches."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    priority = models.PositiveIntegerField(_("priority"), help_text=_("Lower numbers are evaluated first."))
    rule = models.JSONField(_("rule"), default=dict, blank=True)
    is_default = models.BooleanField(_("default segment"), default=False)
    service_model = models.ForeignKey(
        ServiceModel, verbose_name=_("service model"), on_delete=models.PROTECT, related_name="segments"
    )

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["priority", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="segment_single_default"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SnapshotFigures(models.Model):
    """The columns of a snapshot row computed by a recomputation: metrics, tier, class, contact and churn
    (AccountInsight), also those of the staged rows a full recomputation computes before it writes them
    (StagedInsight)."""

    as_of = models.DateField(_("as of"))
    revenue_12m_cents = models.BigIntegerField(default=0)
    cogs_12m_cents = models.BigIntegerField(default=0)
    gross_12m_cents = models.BigIntegerField(default=0)
    cost_to_serve_12m_cents = models.BigIntegerField(default=0)
    marketing_spend_12m_cents = models.BigIntegerField(default=0)
    # Indexed by AccountInsight's insight_profit_rank_idx (its leading column), which serves range filters.
    net_profit_12m_cents = models.BigIntegerField(default=0)
    orders_total = models.PositiveIntegerField(default=0)
    orders_12m = models.PositiveIntegerField(default=0)
    # Orders in the window before (D - 2W < date <= D - W), for the churn factor "orders falling".
    orders_previous_window = models.PositiveIntegerField(default=0)
    first_order_date = models.DateField(null=True, blank=True)
    last_order_date = models.DateField(null=True, blank=True)
    recency_days = models.PositiveIntegerField(null=True, blank=True)
    tenure_days = models.PositiveIntegerField(null=True, blank=True)
    referrals_recent = models.PositiveIntegerField(default=0)
    # Indexed by AccountInsight's insight_tier_idx (a plain one: no pattern-matching twin on PostgreSQL).
    tier = models.CharField(_("loyalty tier"), max_length=16, choices=LoyaltyTier.choices)
    tier_since = models.DateField(_("tier since"), null=True, blank=True)
    # Not indexed, nor is is_disconnected: with four or two values each, a filter on them reads a large
    # share of the rows, which no plan reaches faster through an index, while every index costs each
    # write of a whole snapshot (docs/adr/0011-whole-snapshot-rows.md, decision 6).
    profit_class = models.CharField(_("profit class"), max_length=1, choices=ProfitClass.choices)
    last_interaction_date = models.DateField(_("last interaction"), null=True, blank=True)
    days_without_contact = models.PositiveIntegerField(_("days without contact"), null=True, blank=True)
    is_disconnected = models.BooleanField(_("disconnected"), default=False)
    days_overdue = models.PositiveIntegerField(_("days overdue for contact"), default=0)
    commitments_kept = models.PositiveIntegerField(default=0)
    commitments_broken = models.PositiveIntegerField(default=0)
    trust_score = models.DecimalField(_("trust score"), max_digits=5, decimal_places=4, null=True, blank=True)
    churn_risk = models.PositiveSmallIntegerField(_("churn risk"), default=0)
    churn_factors = models.JSONField(_("churn risk factors"), default=dict, blank=True)
    # The churn risk before the last recomputation that changed it, and that recomputation's as-of date
    # (both empty until an already scored account's risk changes): "whose churn risk rose" reads these.
    churn_risk_previous = models.PositiveSmallIntegerField(_("previous churn risk"), null=True, blank=True)
    churn_risk_changed_on = models.DateField(_("churn risk changed on"), null=True, blank=True)

    class Meta:
        abstract = True


class AccountInsight(SnapshotFigures):
    """The current metrics of one account, as of `as_of` (money in integer cents)."""

    # Derived data written in bulk: the links are kept by the ORM (an account's or a segment's deletion
    # still cascades or clears), not by database constraints whose deferred checks at commit cost seconds
    # when a recomputation writes every row.
    account = models.OneToOneField(
        "accounts.Account",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="insight",
        db_constraint=False,
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("account insight")
        verbose_name_plural = _("account insights")
        indexes = [
            # The profit ranking in the order the profit classes walk it (net profit descending, ties by
            # account), with the class: the window over it needs no sort and no table access.
            models.Index(
                fields=["-net_profit_12m_cents", "account", "profit_class"], name="insight_profit_rank_idx"
            ),
            # The account lists' tier filter (on SQLite, a page of the rarer tiers reads through it).
            models.Index(fields=["tier"], name="insight_tier_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.as_of}"

    def money(self, field: str) -> Decimal:
        return from_cents(getattr(self, f"{field}_cents"))

    @property
    def revenue_12m(self) -> Decimal:
        return from_cents(self.revenue_12m_cents)

    @property
    def cogs_12m(self) -> Decimal:
        return from_cents(self.cogs_12m_cents)

    @property
    def gross_margin_12m(self) -> Decimal:
        return from_cents(self.revenue_12m_cents - self.cogs_12m_cents)

    @property
    def cost_to_serve_12m(self) -> Decimal:
        return from_cents(self.cost_to_serve_12m_cents)

    @property
    def marketing_spend_12m(self) -> Decimal:
        return from_cents(self.marketing_spend_12m_cents)

    @property
    def net_profit_12m(self) -> Decimal:
        return from_cents(self.net_profit_12m_cents)

    @property
    def avg_discount_pct(self) -> Decimal | None:
        if not self.gross_12m_cents:
            return None
        share = Decimal(self.gross_12m_cents - self.revenue_12m_cents) / Decimal(self.gross_12m_cents)
        return (share * 100).quantize(Decimal("0.01"))


class StagedInsight(SnapshotFigures):
    """A row of the temporary table a full recomputation fills before it writes the snapshot once
    (services.snapshot_recompute). Unmanaged (no migration creates its table): it exists so that the
    segment rules, compiled by the ORM, are evaluated over the staged rows exactly as over the snapshot."""

    account = models.OneToOneField(
        "accounts.Account",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        managed = False
        db_table = "insights_tmp_staged"

    def __str__(self) -> str:
        return f"{self.account_id} {self.as_of} (staged)"


class TierChange(TimeStampedModel):
    """An account moving from one loyalty tier to another on a date."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="tier_changes")
    date = models.DateField(_("date"))
    from_tier = models.CharField(_("from"), max_length=16, choices=LoyaltyTier.choices, blank=True)
    to_tier = models.CharField(_("to"), max_length=16, choices=LoyaltyTier.choices)

    class Meta:
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        ordering = ["account", "date", "id"]
        indexes = [
            models.Index(fields=["account", "date"], name="tier_change_account_idx"),
            models.Index(fields=["date"], name="tier_change_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.date}: {self.from_tier or '∅'} → {self.to_tier}"
