"""Client companies (accounts) and the people at them (contacts)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cartera.accounts.querysets import AccountQuerySet, ContactQuerySet
from cartera.core.models import VersionedModel
from cartera.core.phones import clean_phone
from cartera.core.regions import is_known_country, is_valid_region, region_name
from cartera.core.taxid import clean_tax_id, format_tax_id, tax_id_label
from cartera.core.text import normalize, normalize_company_name


class Industry(models.TextChoices):
    AGRICULTURE = "agriculture", _("Agriculture and food")
    MINING = "mining", _("Mining")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    CONSTRUCTION = "construction", _("Construction")
    RETAIL = "retail", _("Retail")
    WHOLESALE = "wholesale", _("Wholesale and distribution")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    HOSPITALITY = "hospitality", _("Hotels and restaurants")
    TRANSPORT = "transport", _("Transport and logistics")
    ENERGY = "energy", _("Energy and utilities")
    TECHNOLOGY = "technology", _("Technology")
    FINANCE = "finance", _("Finance and insurance")
    PUBLIC = "public", _("Public sector")
    SERVICES = "services", _("Professional services")
    OTHER = "other", _("Other")


class SizeBand(models.TextChoices):
    MICRO = "micro", _("Micro (1-9)")
    SMALL = "small", _("Small (10-49)")
    MEDIUM = "medium", _("Medium (50-249)")
    LARGE = "large", _("Large (250-999)")
    ENTERPRISE = "enterprise", _("Enterprise (1000+)")


class AccountStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    CLIENT = "client", _("Client")
    FORMER = "former", _("Former client")


class Language(models.TextChoices):
    SPANISH = "es", _("Spanish")
    ENGLISH = "en", _("English")
    PORTUGUESE = "pt", _("Portuguese")


class Account(VersionedModel):
    """A client company or a prospect."""

    legal_name = models.CharField(_("legal name"), max_length=200)
    trade_name = models.CharField(_("trade name"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, default="CL")
    tax_id = models.CharField(_("tax id"), max_length=32, help_text=_("Stored without dots or dashes."))
    region = models.CharField(_("region"), max_length=8, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    industry = models.CharField(
        _("industry"), max_length=32, choices=Industry.choices, default=Industry.OTHER
    )
    size_band = models.CharField(_("size"), max_length=16, choices=SizeBand.choices, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.SPANISH
    )
    currency = models.CharField(_("currency"), max_length=3, default="CLP")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("corporate group (parent)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subsidiaries",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AccountStatus.choices, default=AccountStatus.PROSPECT
    )
    strategic_fit = models.PositiveSmallIntegerField(
        _("strategic fit"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("From 1 (poor fit) to 5 (ideal client)."),
    )
    strategic_fit_note = models.CharField(_("strategic fit note"), max_length=300, blank=True)
    portfolio = models.ForeignKey(
        "coverage.Portfolio",
        verbose_name=_("portfolio"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
    )
    territory = models.ForeignKey(
        "coverage.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
        help_text=_("Follows from the region."),
    )
    search_key = models.CharField(max_length=500, editable=False, default="", db_index=True)
    name_key = models.CharField(max_length=200, editable=False, default="", db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["legal_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["country", "tax_id"], name="account_unique_tax_id_per_country"),
            models.CheckConstraint(
                condition=models.Q(strategic_fit__isnull=True)
                | models.Q(strategic_fit__gte=1, strategic_fit__lte=5),
                name="account_strategic_fit_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["region"], name="account_region_idx"),
            models.Index(fields=["status"], name="account_status_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        """Validate the tax id and region for the country and store them in canonical form, refuse a
        corporate-group cycle, and derive the territory and the keys that search and duplicate
        detection use. Every write path runs it through full_clean()."""
        from cartera.coverage.selectors import territory_for_region

        errors: dict[str, list[ValidationError]] = {}
        self.country = (self.country or "").strip().upper()
        if self.country and not is_known_country(self.country):
            errors["country"] = [
                ValidationError(
                    _("%(country)s is not an ISO 3166 country code."),
                    code="invalid_country",
                    params={"country": self.country},
                )
            ]
        elif self.tax_id:  # an empty one is reported by the field itself
            try:
                self.tax_id = clean_tax_id(self.country, self.tax_id)
            except ValidationError as error:
                errors["tax_id"] = [error]
        self.region = (self.region or "").strip().upper()
        if self.region and not is_valid_region(self.country, self.region):
            errors["region"] = [
                ValidationError(
                    _("%(region)s is not a region of %(country)s."),
                    code="invalid_region",
                    params={"region": self.region, "country": self.country},
                )
            ]
        if self.parent_id is not None and self._parent_chain_includes_self():
            errors["parent"] = [
                ValidationError(
                    _("An account cannot belong to its own corporate group or to one below it."),
                    code="parent_cycle",
                )
            ]
        if errors:
            raise ValidationError(errors)
        self.territory = territory_for_region(self.region)
        self.search_key = account_search_key(self.legal_name, self.trade_name, self.tax_id)[:500]
        self.name_key = normalize_company_name(self.legal_name)[:200]

    def _parent_chain_includes_self(self) -> bool:
        if self.pk is None:
            return False
        seen: set[int] = set()
        node_id: int | None = self.parent_id
        while node_id is not None and node_id not in seen:
            if node_id == self.pk:
                return True
            seen.add(node_id)
            node_id = Account.objects.filter(pk=node_id).values_list("parent_id", flat=True).first()
        return False

    @property
    def display_name(self) -> str:
        return self.trade_name or self.legal_name

    @property
    def tax_id_display(self) -> str:
        return format_tax_id(self.country, self.tax_id)

    @property
    def tax_id_label(self) -> str:
        return tax_id_label(self.country)

    @property
    def region_name(self) -> str:
        return region_name(self.region)

    def get_absolute_url(self) -> str:
        return reverse("accounts:detail", args=[self.pk])


def account_search_key(legal_name: str, trade_name: str, tax_id: str) -> str:
    """What AccountQuerySet.search looks in: both names normalized, and the compact tax id."""
    return " | ".join(
        part for part in (normalize(legal_name), normalize(trade_name), (tax_id or "").lower()) if part
    )


class BuyingRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    ECONOMIC_BUYER = "economic_buyer", _("Economic buyer")
    TECHNICAL_EVALUATOR = "technical_evaluator", _("Technical evaluator")
    INFLUENCER = "influencer", _("Influencer")
    USER = "user", _("User")
    PURCHASER = "purchaser", _("Purchaser")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")


class Contact(VersionedModel):
    """A person at an account, with the role they play when the account buys."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="contacts"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    buying_role = models.CharField(_("buying role"), max_length=32, choices=BuyingRole.choices, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("Stored in E.164 format."))
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.SPANISH
    )
    consents_to_email = models.BooleanField(_("accepts emails"), default=False)
    consents_to_calls = models.BooleanField(_("accepts calls"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    search_key = models.CharField(max_length=400, editable=False, default="", db_index=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["account", "email"], name="contact_account_email_idx")]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        """Store the phone in E.164 (local numbers read as the account's country), the email in lower
        case, and the key that contact search uses."""
        self.first_name = (self.first_name or "").strip()
        self.last_name = (self.last_name or "").strip()
        self.email = (self.email or "").strip().lower()
        if self.phone:
            country = self.account.country if self.account_id else ""
            try:
                self.phone = clean_phone(self.phone, country or "CL")
            except ValidationError as error:
                raise ValidationError({"phone": [error]}) from None
        self.search_key = " | ".join(part for part in (normalize(self.full_name), self.email) if part)[:400]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("accounts:contact_edit", args=[self.pk])
