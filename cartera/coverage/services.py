"""Every write to portfolios, territories and account teams."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartera.accounts.models import Account
from cartera.accounts.services import ensure_can_edit_account
from cartera.core.audit import audit_record
from cartera.core.errors import ConflictError, PermissionDeniedError
from cartera.core.events import emit_events
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
from cartera.users.models import Role

# Who may own a portfolio: the salespeople, and the managers who stand in for them.
PORTFOLIO_OWNER_ROLES = {Role.ACCOUNT_EXECUTIVE, Role.SALES_MANAGER, Role.ADMINISTRATOR}
PORTFOLIO_EDITABLE_FIELDS = {"name", "description", "is_active"}
TERRITORY_EDITABLE_FIELDS = {"name", "parent", "parent_id", "responsible", "responsible_id"}


def ensure_can_manage_coverage(actor: Any) -> None:
    """Portfolios and territories are shaped by sales managers and administrators only."""
    if actor is None:  # system writes: demo loader, imports run by an operator
        return
    if not getattr(actor, "is_authenticated", False) or not actor.is_active or not actor.manages_everything:
        raise PermissionDeniedError


def ensure_can_own_portfolio(owner: Any) -> None:
    """A portfolio belongs to an active salesperson (or a manager standing in for one)."""
    if owner is None or not owner.is_active or owner.role not in PORTFOLIO_OWNER_ROLES:
        raise ValidationError(
            {"owner": ValidationError(_("A portfolio is owned by an active salesperson."), code="owner_role")}
        )


def portfolio_create(*, actor: Any, name: str, owner: Any, description: str = "") -> Portfolio:
    """Create a portfolio owned by one salesperson."""
    with transaction.atomic():
        ensure_can_manage_coverage(actor)
        ensure_can_own_portfolio(owner)
        return model_create(actor=actor, instance=Portfolio(name=name, owner=owner, description=description))


def portfolio_update(*, actor: Any, portfolio: Portfolio, expected_version: int, **changes: Any) -> Portfolio:
    """Rename, describe, close or reopen a portfolio; its owner changes only through portfolio_reassign,
    which keeps the history."""
    unknown = set(changes) - PORTFOLIO_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"portfolio_update does not take {sorted(unknown)}")
    with transaction.atomic():
        ensure_can_manage_coverage(actor)
        return model_update(actor=actor, instance=portfolio, data=changes, expected_version=expected_version)


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
        ensure_can_own_portfolio(new_owner)
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
        responsible_follows_portfolio(
            moves=[(pk, old_owner.pk) for pk in account_ids], new_owner_id=new_owner.pk
        )
        return portfolio


def responsible_follows_portfolio(
    *, moves: Iterable[tuple[int, int | None]], new_owner_id: int | None
) -> None:
    """Make the owner of the portfolio accounts moved into their responsible salesperson.

    `moves` holds (account id, owner id of the portfolio it left, or None). The previous portfolio's
    owner stops being responsible for the account, and the new owner becomes it. An account taken out
    of every portfolio (`new_owner_id` None) keeps its team: every account keeps a responsible
    salesperson. Joins the caller's transaction; the caller audits the move itself.
    """
    moves = list(moves)
    if new_owner_id is None or not moves:
        return
    account_ids = [account_id for account_id, _old in moves]
    leaving = Q()
    for account_id, old_owner_id in moves:
        if old_owner_id is not None and old_owner_id != new_owner_id:
            leaving |= Q(account_id=account_id, user_id=old_owner_id)
    if leaving:
        AccountTeamMember.objects.filter(leaving, role=TeamRole.RESPONSIBLE).delete()
    already = set(
        AccountTeamMember.objects.filter(
            account_id__in=account_ids, user_id=new_owner_id, role=TeamRole.RESPONSIBLE
        ).values_list("account_id", flat=True)
    )
    AccountTeamMember.objects.bulk_create(
        AccountTeamMember(account_id=pk, user_id=new_owner_id, role=TeamRole.RESPONSIBLE)
        for pk in account_ids
        if pk not in already
    )


def accounts_assign_portfolio(
    *,
    actor: Any,
    portfolio: Portfolio | None,
    account_ids: Iterable[int],
    expected_versions: Mapping[int, int] | None = None,
) -> list[Account]:
    """Put accounts in `portfolio` (or take them out of theirs with None), all of them or none.

    Refuses the whole batch when an account does not exist, or when `expected_versions` (account id ->
    version the person saw) names an account saved since. The portfolio's owner becomes each moved
    account's responsible salesperson (responsible_follows_portfolio). Each moved account gets its
    version bumped, an audit record and an `account.updated` event. Returns the moved accounts.
    """
    ids = sorted({int(pk) for pk in account_ids})
    if not ids:
        raise ValidationError(_("Choose at least one account."), code="no_accounts")
    with transaction.atomic():
        ensure_can_manage_coverage(actor)
        target_owner_id: int | None = None
        if portfolio is not None:
            # Locked, so that a reassignment at the same time cannot leave the wrong owner responsible.
            locked = Portfolio.objects.select_for_update().filter(pk=portfolio.pk).first()
            if locked is None:
                raise ValidationError(_("That portfolio no longer exists."), code="unknown_portfolio")
            if not locked.is_active:
                raise ValidationError(
                    _("The portfolio %(name)s is closed: reopen it before adding accounts."),
                    code="inactive_portfolio",
                    params={"name": locked.name},
                )
            portfolio, target_owner_id = locked, locked.owner_id
        accounts = list(Account.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        missing = sorted(set(ids) - {account.pk for account in accounts})
        if missing:
            raise ValidationError(
                _("These accounts do not exist: %(ids)s. No account was moved."),
                code="unknown_accounts",
                params={"ids": ", ".join(str(pk) for pk in missing)},
            )
        if expected_versions is not None:
            stale = [
                a for a in accounts if a.pk in expected_versions and expected_versions[a.pk] != a.version
            ]
            if stale:
                raise ConflictError(current_version=stale[0].version)
        target_id = getattr(portfolio, "pk", None)
        moved = [account for account in accounts if account.portfolio_id != target_id]
        if not moved:
            return []
        old_portfolios = {account.portfolio_id for account in moved if account.portfolio_id is not None}
        old_owner_of = dict(Portfolio.objects.filter(pk__in=old_portfolios).values_list("pk", "owner_id"))
        now = timezone.now()
        Account.objects.filter(pk__in=[account.pk for account in moved]).update(
            portfolio_id=target_id, version=F("version") + 1, updated_at=now
        )
        responsible_follows_portfolio(
            moves=[(account.pk, old_owner_of.get(account.portfolio_id)) for account in moved],
            new_owner_id=target_owner_id,
        )
        actor_or_none = actor if getattr(actor, "pk", None) else None
        AuditRecord.objects.bulk_create(
            AuditRecord(
                actor=actor_or_none,
                action=AuditRecord.Action.UPDATE,
                object_type=Account._meta.label_lower,
                object_id=str(account.pk),
                object_repr=str(account)[:200],
                changes={"portfolio_id": [account.portfolio_id, target_id]},
            )
            for account in moved
        )
        for account in moved:
            account.portfolio_id = target_id
            account.version += 1
            account.updated_at = now
        emit_events("account.updated", [{"id": a.pk, "version": a.version} for a in moved])
        return moved


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


def territory_update(
    *,
    actor: Any,
    territory: Territory,
    expected_version: int,
    regions: list[str] | None = None,
    **changes: Any,
) -> Territory:
    """Rename a territory, move it in the tree, change who is responsible and, with `regions`, which
    regions it covers (the accounts there follow), all in one version-checked write."""
    unknown = set(changes) - TERRITORY_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"territory_update does not take {sorted(unknown)}")
    with transaction.atomic():
        ensure_can_manage_coverage(actor)
        territory = model_update(
            actor=actor, instance=territory, data=changes, expected_version=expected_version
        )
        if regions is not None:
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
