"""Every write to portfolios, territories and account teams."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cartera.accounts.models import Account
from cartera.core.audit import audit_record
from cartera.core.models import AuditRecord
from cartera.core.regions import is_valid_region
from cartera.core.services import model_create, model_delete, model_update
from cartera.coverage.models import (
    AccountTeamMember,
    Portfolio,
    PortfolioReassignment,
    TeamRole,
    Territory,
    TerritoryRegion,
)


def portfolio_create(*, actor: Any, name: str, owner: Any, description: str = "") -> Portfolio:
    """Create a portfolio owned by one salesperson."""
    with transaction.atomic():
        return model_create(actor=actor, instance=Portfolio(name=name, owner=owner, description=description))


def portfolio_reassign(
    *, actor: Any, portfolio: Portfolio, new_owner: Any, expected_version: int, reason: str = ""
) -> Portfolio:
    """Hand a whole portfolio to another salesperson; the move is kept in its history and the new
    owner replaces the old one as responsible on the portfolio's account teams."""
    with transaction.atomic():
        old_owner = portfolio.owner
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
        territory = model_create(
            actor=actor, instance=Territory(name=name, responsible=responsible, parent=parent)
        )
        territory_set_regions(actor=actor, territory=territory, regions=regions)
        return territory


def territory_set_regions(*, actor: Any, territory: Territory, regions: list[str]) -> Territory:
    """Make `regions` the territory's regions and re-apply the assignment rule to the accounts there."""
    codes = sorted({code.upper() for code in regions})
    bad = [code for code in codes if not is_valid_region(code.split("-")[0], code)]
    if bad:
        raise ValidationError(
            _("These are not ISO 3166-2 regions: %(codes)s."), params={"codes": ", ".join(bad)}
        )
    with transaction.atomic():
        taken = TerritoryRegion.objects.filter(region__in=codes).exclude(territory=territory)
        if taken.exists():
            raise ValidationError(
                _("Region %(region)s already belongs to territory %(territory)s."),
                params={"region": taken[0].region, "territory": taken[0].territory},
            )
        removed = list(territory.regions.exclude(region__in=codes).values_list("region", flat=True))
        territory.regions.exclude(region__in=codes).delete()
        existing = set(territory.regions.values_list("region", flat=True))
        TerritoryRegion.objects.bulk_create(
            TerritoryRegion(territory=territory, region=code) for code in codes if code not in existing
        )
        Account.objects.filter(region__in=removed, territory=territory).update(territory=None)
        Account.objects.filter(region__in=codes).update(territory=territory)
        audit_record(
            actor=actor, action=AuditRecord.Action.UPDATE, instance=territory, changes={"regions": codes}
        )
        return territory


def team_member_add(
    *, actor: Any, account: Account, user: Any, role: str = TeamRole.RESPONSIBLE, product_line: Any = None
) -> AccountTeamMember:
    """Put a user on an account's team (specialists with the product line they cover)."""
    if role == TeamRole.SPECIALIST and product_line is None:
        raise ValidationError({"product_line": _("A specialist covers a product line: choose one.")})
    with transaction.atomic():
        member = AccountTeamMember(account=account, user=user, role=role, product_line=product_line)
        return model_create(actor=actor, instance=member)


def team_member_remove(*, actor: Any, member: AccountTeamMember) -> None:
    """Take a user off an account's team; the last responsible salesperson cannot be removed."""
    with transaction.atomic():
        if (
            member.role == TeamRole.RESPONSIBLE
            and AccountTeamMember.objects.select_for_update()
            .filter(account=member.account_id, role=TeamRole.RESPONSIBLE)
            .count()
            <= 1
        ):
            raise ValidationError(
                _("Every account needs a responsible salesperson: add another before removing this one.")
            )
        model_delete(actor=actor, instance=member)
