"""Who covers which accounts: portfolios, territories and account teams."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cartera.core.models import TimeStampedModel, VersionedModel
from cartera.core.regions import region_name
from cartera.coverage.querysets import AccountTeamMemberQuerySet, PortfolioQuerySet, TerritoryQuerySet


class Portfolio(VersionedModel):
    """A finite set of accounts owned by one salesperson."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="portfolios"
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = PortfolioQuerySet.as_manager()

    class Meta:
        verbose_name = _("portfolio")
        verbose_name_plural = _("portfolios")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PortfolioReassignment(TimeStampedModel):
    """A portfolio passing from one salesperson to another: kept as history."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="reassignments")
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("portfolio reassignment")
        verbose_name_plural = _("portfolio reassignments")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.portfolio}: {self.from_owner} → {self.to_owner}"


class Territory(VersionedModel):
    """A geographic zone made of regions (and of smaller territories), with a responsible salesperson."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent territory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="territories",
    )

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A territory cannot be nested in itself or in one nested below it (the walks down the tree,
        like territory_descendant_ids, would never end)."""
        if self.pk is None or self.parent_id is None:
            return
        seen: set[int] = set()
        node_id: int | None = self.parent_id
        while node_id is not None and node_id not in seen:
            if node_id == self.pk:
                raise ValidationError(
                    {
                        "parent": ValidationError(
                            _("A territory cannot be nested in itself or in one below it."),
                            code="parent_cycle",
                        )
                    }
                )
            seen.add(node_id)
            node_id = Territory.objects.filter(pk=node_id).values_list("parent_id", flat=True).first()


class TerritoryRegion(models.Model):
    """A region (ISO 3166-2) that belongs to a territory: each region falls in exactly one."""

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="regions")
    region = models.CharField(_("region"), max_length=8, unique=True)

    class Meta:
        verbose_name = _("territory region")
        verbose_name_plural = _("territory regions")
        ordering = ["region"]

    def __str__(self) -> str:
        return region_name(self.region)


class TeamRole(models.TextChoices):
    RESPONSIBLE = "responsible", _("Responsible salesperson")
    SPECIALIST = "specialist", _("Product specialist")
    SUPPORT = "support", _("Support")
    SPONSOR = "sponsor", _("Executive sponsor")


class AccountTeamMember(TimeStampedModel):
    """A user on an account's team, with a role and, for specialists, the product line they cover."""

    account = models.ForeignKey(
        "accounts.Account", verbose_name=_("account"), on_delete=models.CASCADE, related_name="team_members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="account_teams",
    )
    role = models.CharField(_("role"), max_length=16, choices=TeamRole.choices, default=TeamRole.RESPONSIBLE)
    product_line = models.ForeignKey(
        "commerce.ProductLine",
        verbose_name=_("product line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="specialists",
    )

    objects = AccountTeamMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("account team member")
        verbose_name_plural = _("account team members")
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "user", "role"],
                condition=models.Q(product_line__isnull=True),
                name="team_member_unique_without_line",
            ),
            models.UniqueConstraint(
                fields=["account", "user", "role", "product_line"],
                condition=models.Q(product_line__isnull=False),
                name="team_member_unique_with_line",
            ),
        ]
        indexes = [models.Index(fields=["user", "account"], name="team_user_account_idx")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    def clean(self) -> None:
        """A specialist covers one product line, so the line is required for them."""
        if self.role == TeamRole.SPECIALIST and self.product_line_id is None:
            raise ValidationError(
                {
                    "product_line": ValidationError(
                        _("A specialist covers a product line: choose one."), code="required"
                    )
                }
            )
