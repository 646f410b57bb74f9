"""Opportunities: potential sales moving through the pipeline, and the people at the account involved."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cartera.accounts.models import BuyingRole
from cartera.commerce.models import PurchaseType
from cartera.core.models import TimeStampedModel, VersionedModel
from cartera.pipeline.querysets import OpportunityContactQuerySet, OpportunityQuerySet


class Stage(models.TextChoices):
    """The steps of a B2B sale, in order; the last two close it."""

    QUALIFICATION = "qualification", _("Qualification")
    DISCOVERY = "discovery", _("Needs analysis")
    PROPOSAL = "proposal", _("Proposal")
    NEGOTIATION = "negotiation", _("Negotiation")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


OPEN_STAGES = [Stage.QUALIFICATION, Stage.DISCOVERY, Stage.PROPOSAL, Stage.NEGOTIATION]
CLOSED_STAGES = [Stage.WON, Stage.LOST]
# The probability an opportunity takes when it enters a stage (editable afterwards).
STAGE_PROBABILITY = {
    Stage.QUALIFICATION: 10,
    Stage.DISCOVERY: 25,
    Stage.PROPOSAL: 50,
    Stage.NEGOTIATION: 75,
    Stage.WON: 100,
    Stage.LOST: 0,
}


class CloseReason(models.TextChoices):
    """Why a deal was won or lost (the first group mostly explains wins, the second losses)."""

    PRICE = "price", _("Price")
    PRODUCT_FIT = "product_fit", _("Product fit")
    RELATIONSHIP = "relationship", _("Relationship")
    SERVICE = "service", _("Service and delivery")
    COMPETITOR = "competitor", _("Went with a competitor")
    NO_BUDGET = "no_budget", _("No budget")
    NO_DECISION = "no_decision", _("No decision / stalled")
    TIMING = "timing", _("Timing")
    OTHER = "other", _("Other")


class Opportunity(VersionedModel):
    """A potential sale to an account, moving through the pipeline stages until it is won or lost."""

    account = models.ForeignKey(
        "accounts.Account", verbose_name=_("account"), on_delete=models.CASCADE, related_name="opportunities"
    )
    name = models.CharField(_("name"), max_length=200)
    product_line = models.ForeignKey(
        "commerce.ProductLine",
        verbose_name=_("product line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.QUALIFICATION)
    amount_cents = models.BigIntegerField(_("amount (cents)"), default=0, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, default="CLP")
    probability = models.PositiveSmallIntegerField(
        _("probability %"), default=10, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    discount_pct = models.DecimalField(
        _("expected discount %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("The discount the deal is expected to close at: the terms the purchase type compares."),
    )
    expected_close_date = models.DateField(_("expected close"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    purchase_type = models.CharField(
        _("purchase type"), max_length=16, choices=PurchaseType.choices, default=PurchaseType.NEW_BUY
    )
    close_reason = models.CharField(_("reason"), max_length=16, choices=CloseReason.choices, blank=True)
    close_note = models.CharField(_("note on the outcome"), max_length=300, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["expected_close_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_cents__gte=0), name="opportunity_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(probability__gte=0, probability__lte=100),
                name="opportunity_probability_0_100",
            ),
            # Closed (won or lost) exactly when it has a closing date.
            models.CheckConstraint(
                condition=models.Q(stage__in=CLOSED_STAGES, closed_on__isnull=False)
                | (~models.Q(stage__in=CLOSED_STAGES) & models.Q(closed_on__isnull=True)),
                name="opportunity_closed_on_iff_closed",
            ),
            models.CheckConstraint(
                condition=~models.Q(stage=Stage.LOST) | ~models.Q(close_reason=""),
                name="opportunity_lost_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "expected_close_date"], name="opportunity_stage_close_idx"),
            models.Index(fields=["account", "stage"], name="opportunity_account_stage_idx"),
            models.Index(fields=["owner", "stage"], name="opportunity_owner_stage_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A lost deal says why; closed deals have a closing date and open ones none."""
        errors: dict[str, ValidationError] = {}
        if self.stage == Stage.LOST and not self.close_reason:
            errors["close_reason"] = ValidationError(_("Say why the opportunity was lost."), code="required")
        if self.stage in CLOSED_STAGES and self.closed_on is None:
            errors["closed_on"] = ValidationError(
                _("A closed opportunity needs its closing date."), code="required"
            )
        if self.stage not in CLOSED_STAGES and self.closed_on is not None:
            errors["closed_on"] = ValidationError(
                _("An open opportunity has no closing date."), code="invalid"
            )
        if errors:
            raise ValidationError(errors)
        self.currency = (self.currency or "CLP").strip().upper()

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def amount(self) -> Decimal:
        return (Decimal(self.amount_cents) / 100).quantize(Decimal("0.01"))

    @property
    def weighted_cents(self) -> int:
        return self.amount_cents * self.probability // 100

    @property
    def has_decision_maker(self) -> bool:
        """Whether someone on the deal decides (reads the prefetched buying center when there is one)."""
        return any(link.role == BuyingRole.DECISION_MAKER for link in self.contact_roles.all())

    def get_absolute_url(self) -> str:
        return reverse("pipeline:edit", args=[self.pk])


class OpportunityContact(TimeStampedModel):
    """A person at the account involved in one deal, with the buying role they play in it."""

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="contact_roles"
    )
    contact = models.ForeignKey(
        "accounts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="opportunity_roles",
    )
    role = models.CharField(_("role on this deal"), max_length=32, choices=BuyingRole.choices)

    objects = OpportunityContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact on an opportunity")
        verbose_name_plural = _("contacts on opportunities")
        ordering = ["opportunity", "id"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "contact"], name="opportunity_contact_unique")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.get_role_display()}"

    def clean(self) -> None:
        """The contact works at the opportunity's account."""
        if self.contact_id and self.opportunity_id and self.contact.account_id != self.opportunity.account_id:
            raise ValidationError(
                {"contact": ValidationError(_("The contact must belong to the account."), code="invalid")}
            )
