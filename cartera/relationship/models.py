"""The relationship with an account: contacts made, promises, recommendations and opinions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cartera.core.models import TimeStampedModel, VersionedModel
from cartera.relationship.querysets import (
    CommitmentQuerySet,
    FeedbackQuerySet,
    InteractionQuerySet,
    ReferralQuerySet,
)


class InteractionKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("Email")
    EVENT = "event", _("Event attendance")
    SUPPORT = "support", _("Support contact")


class Interaction(VersionedModel):
    """A contact with an account: a visit, call, meeting, email, event or support contact."""

    account = models.ForeignKey(
        "accounts.Account", verbose_name=_("account"), on_delete=models.CASCADE, related_name="interactions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=InteractionKind.choices)
    occurred_at = models.DateTimeField(_("when"))
    # The local calendar date of occurred_at, kept by the service, so date windows are plain SQL.
    occurred_on = models.DateField(_("date"), editable=False)
    contacts = models.ManyToManyField(
        "accounts.Contact", verbose_name=_("contacts"), blank=True, related_name="interactions"
    )
    summary = models.TextField(_("summary"), blank=True)

    objects = InteractionQuerySet.as_manager()

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["account", "occurred_at"], name="interaction_account_when_idx"),
            models.Index(fields=["account", "occurred_on"], name="interaction_account_date_idx"),
            # The interactions list, newest first, reads its page from here instead of sorting them all.
            models.Index(fields=["occurred_at", "id"], name="interaction_when_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept")
    BROKEN = "broken", _("Broken")
    CANCELLED = "cancelled", _("Cancelled")


class Commitment(VersionedModel):
    """A promise made to a client (who promised, to whom, what, by when) and how it ended."""

    account = models.ForeignKey(
        "accounts.Account", verbose_name=_("account"), on_delete=models.CASCADE, related_name="commitments"
    )
    promised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("promised by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )
    promised_to = models.ForeignKey(
        "accounts.Contact",
        verbose_name=_("promised to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )
    description = models.CharField(_("what was promised"), max_length=300)
    due_date = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=16, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN
    )
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["account", "status", "due_date"], name="commitment_account_idx"),
            # The commitments list: the open ones (its default), oldest due date first.
            models.Index(fields=["status", "due_date", "id"], name="commitment_status_due_idx"),
        ]

    def __str__(self) -> str:
        return self.description

    def overdue_on(self, today: dt.date) -> bool:
        """The rule of querysets.overdue_q, for this commitment."""
        return self.status == CommitmentStatus.OPEN and self.due_date < today

    def clean(self) -> None:
        """The promise is made to a person at the same account."""
        if self.promised_to is not None and self.promised_to.account_id != self.account_id:
            raise ValidationError(
                {"promised_to": ValidationError(_("The contact must belong to the account."), code="invalid")}
            )


class ReferralKind(models.TextChoices):
    REFERRAL = "referral", _("Referral")
    TESTIMONIAL = "testimonial", _("Testimonial")


class Referral(TimeStampedModel):
    """An account that recommended us to another company, or gave a testimonial."""

    account = models.ForeignKey(
        "accounts.Account", verbose_name=_("account"), on_delete=models.CASCADE, related_name="referrals"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(
        _("kind"), max_length=16, choices=ReferralKind.choices, default=ReferralKind.REFERRAL
    )
    referred_company = models.CharField(_("referred company"), max_length=200, blank=True)
    referred_account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("referred account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referred_by",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["account", "date"], name="referral_account_date_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}"

    def clean(self) -> None:
        """An account does not refer itself."""
        if self.referred_account_id is not None and self.referred_account_id == self.account_id:
            raise ValidationError(
                {
                    "referred_account": ValidationError(
                        _("An account cannot refer itself."), code="self_referral"
                    )
                }
            )


class FeedbackKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")
    SURVEY = "survey", _("Survey score")


class SurveyType(models.TextChoices):
    NPS = "nps", _("NPS (0-10)")
    CSAT = "csat", _("CSAT (1-5)")


class FeedbackStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


class Feedback(VersionedModel):
    """A complaint, suggestion, praise or survey score, with its root cause and corrective action."""

    account = models.ForeignKey(
        "accounts.Account", verbose_name=_("account"), on_delete=models.CASCADE, related_name="feedback"
    )
    contact = models.ForeignKey(
        "accounts.Contact", verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=FeedbackKind.choices)
    survey_type = models.CharField(_("survey"), max_length=8, choices=SurveyType.choices, blank=True)
    score = models.SmallIntegerField(
        _("score"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    category = models.CharField(_("category"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    root_cause = models.CharField(_("root cause"), max_length=200, blank=True)
    corrective_action = models.CharField(_("corrective action"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=FeedbackStatus.choices, default=FeedbackStatus.OPEN
    )

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="survey", score__isnull=False) | ~models.Q(kind="survey"),
                name="feedback_survey_has_score",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}"

    def clean(self) -> None:
        """The contact is a person at the same account, and a CSAT score runs from 1 to 5."""
        errors: dict[str, ValidationError] = {}
        if self.contact is not None and self.contact.account_id != self.account_id:
            errors["contact"] = ValidationError(_("The contact must belong to the account."), code="invalid")
        if self.survey_type == SurveyType.CSAT and self.score is not None and not 1 <= self.score <= 5:
            errors["score"] = ValidationError(_("A CSAT score runs from 1 to 5."), code="csat_range")
        if errors:
            raise ValidationError(errors)
