"""Every write to portfolios, territories and account teams."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cartera.accounts.models import Account
from cartera.accounts.services import ensure_can_edit_account
from cartera.core.audit import audit_record
from cartera.core.errors import PermissionDeniedError
from cartera.core.models import AuditRecord
from cartera.core.regions import is_valid_region
from cartera.core.services import model_create, model_delete, model_update, models_bulk_create
from cartera.coverage.models import (
    AccountTeamMember,
    Portfolio,
    PortfolioReassignment,
    TeamRole,
    Territory,
    TerritoryRegion,
)


def ensure_can_manage_coverage(actor: Any) -> None:
    """Portfolios and territories are shaped by sales managers and administrators only."""
    if actor is None:  # system writes: demo loader, imports run by an operator
        return
    if not getattr(actor, "is_authenticated", False) or not actor.is_active or not actor.manages_everything:
        raise PermissionDeniedError


def portfolio_create(*, actor: Any, name: str, owner: Any, description: str = "") -> Portfolio:
    """Create a portfolio owned by one salesperson."""
    with transaction.atomic():
        ensure_can_manage_coverage(actor)
        return model_create(actor=actor, instance=Portfolio(name=name, owner=owner, description=description))


def portfolio_reassign(
    *, actor: Any, portfolio: Portfolio, new_owner: Any, expected_version: int, reason: str = ""
) -> Portfolio:
    """Hand a whole portfolio to another salesperson; the move is kept in its history and the new
    owner replaces the old one as responsible on the portfolio's account teams."""
    with transaction.atomic():
        ensure_can_manage_coverage(actor)
        old_owner = portfolio.owner
        if getattr(new_owner, "pk", None) == old_owner.pk:
            return portfolio
        portfolio = model_update(
            actor=actor, instance=portfolio, data={"owner": new_owner}, expected_version=expected_version
        )
        PortfolioReassignment.objects.create(
            portfolio=portfolio,
            from_owner=old_owner,
            to_owner=new_owner,
            changed_by=actor if getattr(actor, "pk", None) else None,
            reason=reason,
        )
        account_ids = list(portfolio.accounts.values_list("pk", flat=True))
        AccountTeamMember.objects.filter(
            account_id__in=account_ids, user=old_owner, role=TeamRole.RESPONSIBLE
        ).delete()
        already = set(
            AccountTeamMember.objects.filter(
                account_id__in=account_ids, user=new_owner, role=TeamRole.RESPONSIBLE
            ).values_list("account_id", flat=True)
        )
        AccountTeamMember.objects.bulk_create(
            AccountTeamMember(account_id=pk, user=new_owner, role=TeamRole.RESPONSIBLE)
            for pk in account_ids
            if pk not in already
        )
        return portfolio


def territory_create(
    *, actor: Any, name: str, regions: list[str], responsible: Any = None, parent: Territory | None = None
) -> Territory:
    """Create a territory over `regions`; accounts in those regions move into it."""
    with transaction.atomic():
        ensure_can_manage_coverage(actor)
        territory = model_create(
            actor=actor, instance=Territory(name=name, responsible=responsible, parent=parent)
        )
        territory_set_regions(actor=actor, territory=territory, regions=regions)
        return territory


def territory_set_regions(*, actor: Any, territory: Territory, regions: list[str]) -> Territory:
    """Make `regions` the territory's regions and re-apply the assignment rule to the accounts there."""
    codes = sorted({code.strip().upper() for code in regions if code.strip()})
    bad = [code for code in codes if not is_valid_region(code.split("-")[0], code)]
    if bad:
        raise ValidationError(
            _("These are not ISO 3166-2 regions: %(codes)s."),
            code="invalid_region",
            params={"codes": ", ".join(bad)},
        )
    with transaction.atomic():
        ensure_can_manage_coverage(actor)
        taken = (
            TerritoryRegion.objects.select_related("territory")
            .filter(region__in=codes)
            .exclude(territory=territory)
            .order_by("region")
            .first()
        )
        if taken is not None:
            raise ValidationError(
                _("Region %(region)s already belongs to territory %(territory)s."),
                code="region_taken",
                params={"region": taken.region, "territory": taken.territory},
            )
        before = sorted(territory.regions.values_list("region", flat=True))
        removed = [code for code in before if code not in codes]
        territory.regions.filter(region__in=removed).delete()
        TerritoryRegion.objects.bulk_create(
            TerritoryRegion(territory=territory, region=code) for code in codes if code not in before
        )
        Account.objects.filter(region__in=removed, territory=territory).update(territory=None)
        Account.objects.filter(region__in=codes).exclude(territory=territory).update(territory=territory)
        if before != codes:
            audit_record(
                actor=actor,
                action=AuditRecord.Action.UPDATE,
                instance=territory,
                changes={"regions": [before, codes]},
            )
        return territory


def team_member_add(
    *, actor: Any, account: Account, user: Any, role: str = TeamRole.RESPONSIBLE, product_line: Any = None
) -> AccountTeamMember:
    """Put a user on an account's team (specialists with the product line they cover)."""
    with transaction.atomic():
        ensure_can_edit_account(actor, account)
        member = AccountTeamMember(account=account, user=user, role=role, product_line=product_line)
        return model_create(actor=actor, instance=member)


def team_members_bulk_add(
    *, actor: Any, members: Iterable[AccountTeamMember], source: str
) -> list[AccountTeamMember]:
    """Put many users on account teams at once (demo loader, imports), with one audit record."""
    member_list = list(members)
    if any(member.role == TeamRole.SPECIALIST and member.product_line_id is None for member in member_list):
        raise ValidationError({"product_line": _("A specialist covers a product line: choose one.")})
    with transaction.atomic():
        return models_bulk_create(actor=actor, instances=member_list, source=source)


def team_member_remove(*, actor: Any, member: AccountTeamMember) -> None:
    """Take a user off an account's team; the last responsible salesperson cannot be removed."""
    with transaction.atomic():
        ensure_can_edit_account(actor, member.account)
        if member.role == TeamRole.RESPONSIBLE:
            # Lock the account's responsible rows (a COUNT would lock nothing), so that two removals at
            # the same time cannot leave the account without one.
            responsible = AccountTeamMember.objects.select_for_update().filter(
                account_id=member.account_id, role=TeamRole.RESPONSIBLE
            )
            if not [pk for pk in responsible.values_list("pk", flat=True) if pk != member.pk]:
                raise ValidationError(
                    _("Every account needs a responsible salesperson: add another before removing this one."),
                    code="last_responsible",
                )
        model_delete(actor=actor, instance=member)
