"""Loading the demo company into the database through the services, chunk by chunk.

Users, territories, portfolios and the catalog are few and go through the one-object services. Accounts
and everything that hangs off them are planned and written a chunk of accounts at a time through the
bulk services (one audit record per model and chunk), so memory stays flat at any scale.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TextIO

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from tqdm import tqdm

from cartera.accounts.models import Account, Contact
from cartera.accounts.services import accounts_bulk_create, contacts_bulk_create
from cartera.commerce.models import Channel, Order, OrderLine, Product, ProductLine
from cartera.commerce.services import orders_bulk_create, product_create, product_line_create
from cartera.core.services import models_bulk_create
from cartera.costs.models import MarketingSpend, ServiceCost
from cartera.coverage.models import AccountTeamMember, Portfolio, Territory
from cartera.coverage.services import portfolio_create, team_members_bulk_add, territory_create
from cartera.demo import data
from cartera.demo.planner import DemoPlanner
from cartera.demo.plans import FIRST_DAY, AccountPlan, account_count
from cartera.insights.defaults import create_default_segments
from cartera.insights.services import insights_recompute_all, tier_history_backfill
from cartera.pipeline.models import Opportunity
from cartera.pipeline.services import opportunities_bulk_create
from cartera.profiles.demo import create_default_profiles, generate_consumers
from cartera.relationship.models import Commitment, Feedback, Interaction, Referral
from cartera.relationship.services import commitments_bulk_create, interactions_bulk_log
from cartera.users.models import Role, User
from cartera.users.services import user_create

DEFAULT_SEED = 1
CHUNK_SIZE = 250
SOURCE = "cartera demo"
# Anonymous B2C buyers per unit of scale, measured per profile.
CONSUMERS_PER_SCALE = 2000
# The snapshot is first computed this many days before the as-of date: the churn risk then is the
# "previous" one the final snapshot compares with.
CHURN_BASELINE_DAYS = 30


@dataclass(frozen=True)
class DemoLogin:
    """A demo login as shown to the person who loaded the demo."""

    username: str
    role: str
    full_name: str
    password: str


def demo_logins() -> list[DemoLogin]:
    """The demo's logins: every role, one shared password."""
    labels = dict(Role.choices)
    return [
        DemoLogin(
            username=user.username,
            role=str(labels[user.role]),
            full_name=f"{user.first_name} {user.last_name}",
            password=data.DEMO_PASSWORD,
        )
        for user in data.DEMO_USERS
    ]


def demo_is_loaded() -> bool:
    """Whether the database already holds accounts (the demo's or anyone's)."""
    return Account.objects.exists()


def demo_conflicts() -> list[str]:
    """Names the demo would create that the database already uses (users, lines, territories...)."""
    checks: list[tuple[Any, str, list[str]]] = [
        (User, "username", [user.username for user in data.DEMO_USERS]),
        (ProductLine, "code", [line.code for line in data.DEMO_PRODUCT_LINES]),
        (Territory, "name", [territory.name for territory in data.DEMO_TERRITORIES]),
        (Portfolio, "name", [portfolio.name for portfolio in data.DEMO_PORTFOLIOS]),
    ]
    taken = []
    for model, field, values in checks:
        taken += list(model._default_manager.filter(**{f"{field}__in": values}).values_list(field, flat=True))
    return sorted(taken)


def demo_load(
    *, scale: float = 1.0, seed: int = DEFAULT_SEED, as_of: dt.date, progress: TextIO | None = None
) -> Counter[str]:
    """Load the demo company with about 500 × `scale` accounts and three years of history up to `as_of`,
    then compute its insights as of `as_of` (with the loyalty ladder's monthly history of moves, and
    each account's churn risk of `CHURN_BASELINE_DAYS` before as the previous one).

    The same scale, seed and as-of date always give the same data. `progress`, when given, is the
    stream the progress bars are drawn on. Returns how many rows of each kind were created.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    total = account_count(scale)
    counts: Counter[str] = Counter()
    planner = DemoPlanner(seed=seed, as_of=as_of)
    with _bar(progress, total=4, desc=_("Setting up"), unit=_("step")) as bar:
        bar.set_description(_("Users"))
        users = _create_users()
        bar.update()
        bar.set_description(_("Catalog"))
        lines, products = _create_catalog(planner)
        bar.update()
        bar.set_description(_("Territories"))
        _create_territories(users)
        bar.update()
        bar.set_description(_("Portfolios"))
        portfolios = _create_portfolios(users)
        bar.update()
    counts.update(users=len(users), product_lines=len(lines), products=len(products))
    counts["segments"] = len(create_default_segments(actor=None, currency="CLP"))
    context = _Context(as_of=as_of, users=users, lines=lines, products=products, portfolios=portfolios)
    with _bar(progress, total=total, desc=_("Accounts"), unit=_("account")) as bar:
        for start in range(0, total, CHUNK_SIZE):
            stop = min(total, start + CHUNK_SIZE)
            bar.set_description(_("Planning accounts"))
            plans = planner.plan_chunk(start, stop)
            with transaction.atomic():
                _write_chunk(plans, context, counts, bar)
            bar.set_postfix_str(
                _("%(lines)s order lines")
                % {"lines": number_format(counts["order_lines"], force_grouping=True)}
            )
            bar.update(stop - start)
    consumer_count = max(1, round(CONSUMERS_PER_SCALE * scale))
    with _bar(progress, total=1, desc=_("B2C consumers"), unit=_("step")) as bar:
        generated = generate_consumers(rng=random.Random(seed + 1), as_of=as_of, count=consumer_count)
        counts.update(consumers=generated.consumers, consumer_orders=generated.orders)
        counts["profiles"] = len(create_default_profiles(None))
        bar.update()
    with _bar(progress, total=3, desc=_("Insights"), unit=_("step")) as bar:
        # The month-end history is read from the daily facts, so they are built first, with a snapshot as
        # of a month earlier: the final one then keeps each account's churn risk before it, so the
        # accounts whose risk rose show it. That first snapshot records no tier move (there is no
        # snapshot before it to move from) and the history replaces every move from its start anyway.
        bar.set_description(_("Daily facts"))
        insights_recompute_all(as_of=as_of - dt.timedelta(days=CHURN_BASELINE_DAYS), full=True)
        bar.update()
        bar.set_description(_("Loyalty history"))
        counts["tier_changes"] = tier_history_backfill(start=as_of + dt.timedelta(days=FIRST_DAY), end=as_of)
        bar.update()
        bar.set_description(_("Insights as of %(date)s") % {"date": as_of.isoformat()})
        counts["tier_changes"] += insights_recompute_all(as_of=as_of).tier_changes
        bar.update()
    return counts


@dataclass
class _Context:
    as_of: dt.date
    users: dict[str, User]
    lines: dict[str, ProductLine]
    products: dict[str, Product]
    portfolios: dict[str, Portfolio]
    next_order_number: int = 1

    def date(self, day: int) -> dt.date:
        return self.as_of + dt.timedelta(days=day)

    def moment(self, day: int, minute_of_day: int) -> dt.datetime:
        time = dt.time(minute_of_day // 60, minute_of_day % 60)
        return dt.datetime.combine(self.date(day), time, tzinfo=timezone.get_default_timezone())


def _bar(stream: TextIO | None, **options: Any) -> tqdm:
    return tqdm(file=stream, disable=stream is None, dynamic_ncols=True, **options)


def _create_users() -> dict[str, User]:
    # One hash for every demo user: hashing is deliberately slow, and they share the password.
    hashed = make_password(data.DEMO_PASSWORD)
    return {
        user.username: user_create(
            actor=None,
            username=user.username,
            role=user.role,
            hashed_password=hashed,
            first_name=user.first_name,
            last_name=user.last_name,
            email=f"{user.username}@{data.COMPANY_DOMAIN}",
            is_superuser=user.is_superuser,
        )
        for user in data.DEMO_USERS
    }


def _create_catalog(planner: DemoPlanner) -> tuple[dict[str, ProductLine], dict[str, Product]]:
    lines = {
        line.code: product_line_create(
            actor=None, code=line.code, name=line.name, description=line.description
        )
        for line in data.DEMO_PRODUCT_LINES
    }
    products = {
        spec.sku: product_create(
            actor=None,
            sku=spec.sku,
            name=spec.name,
            product_line=lines[spec.line],
            list_price=Decimal(spec.list_price),
            unit_cost=Decimal(spec.unit_cost),
        )
        for spec in planner.catalog
    }
    return lines, products


def _create_territories(users: dict[str, User]) -> None:
    created: dict[str, Territory] = {}
    for territory in data.DEMO_TERRITORIES:
        created[territory.name] = territory_create(
            actor=None,
            name=territory.name,
            regions=list(territory.regions),
            responsible=users[territory.responsible],
            parent=created[territory.parent] if territory.parent else None,
        )


def _create_portfolios(users: dict[str, User]) -> dict[str, Portfolio]:
    return {
        portfolio.name: portfolio_create(
            actor=None, name=portfolio.name, owner=users[portfolio.owner], description=portfolio.description
        )
        for portfolio in data.DEMO_PORTFOLIOS
    }


def _write_chunk(plans: list[AccountPlan], context: _Context, counts: Counter[str], bar: tqdm) -> None:
    """Write a chunk of planned accounts and all their history."""
    bar.set_description(_("Accounts"))
    accounts = _write_accounts(plans, context)
    bar.set_description(_("Contacts"))
    contacts = _write_contacts(plans, accounts)
    bar.set_description(_("Account teams"))
    team_members_bulk_add(
        actor=None,
        members=[
            AccountTeamMember(
                account=accounts[plan.index],
                user=context.users[username],
                role=role,
                product_line=context.lines[line] if line else None,
            )
            for plan in plans
            for username, role, line in plan.team
        ],
        source=SOURCE,
    )
    bar.set_description(_("Orders"))
    orders, lines = _orders(plans, accounts, context)
    # The insights are computed once, at the end of the load.
    orders_bulk_create(actor=None, orders=orders, lines=lines, source=SOURCE, refresh_insights=False)
    bar.set_description(_("Costs and marketing"))
    service_costs = models_bulk_create(
        actor=None,
        instances=[
            ServiceCost(
                account=accounts[plan.index],
                date=context.date(cost.day),
                kind=cost.kind,
                amount=Decimal(cost.amount),
                note=cost.note,
            )
            for plan in plans
            for cost in plan.costs
        ],
        source=SOURCE,
    )
    spend = models_bulk_create(
        actor=None,
        instances=[
            MarketingSpend(
                account=accounts[plan.index],
                date=context.date(item.day),
                campaign=item.campaign,
                amount=Decimal(item.amount),
                note=item.note,
            )
            for plan in plans
            for item in plan.spend
        ],
        source=SOURCE,
    )
    bar.set_description(_("Interactions"))
    interactions = interactions_bulk_log(
        actor=None,
        entries=[
            (
                Interaction(
                    account=accounts[plan.index],
                    user=context.users[item.by],
                    kind=item.kind,
                    occurred_at=context.moment(item.day, item.minute_of_day),
                    summary=item.summary,
                ),
                [contacts[plan.index][position] for position in item.contacts],
            )
            for plan in plans
            for item in plan.interactions
        ],
        source=SOURCE,
    )
    bar.set_description(_("Commitments, referrals and feedback"))
    commitments = commitments_bulk_create(
        actor=None,
        commitments=[
            Commitment(
                account=accounts[plan.index],
                promised_by=context.users[item.by],
                promised_to=contacts[plan.index][item.contact] if item.contact is not None else None,
                description=item.description,
                due_date=context.date(item.due_day),
                status=item.status,
                resolved_on=context.date(item.resolved_day) if item.resolved_day is not None else None,
            )
            for plan in plans
            for item in plan.commitments
        ],
        source=SOURCE,
    )
    referrals = models_bulk_create(
        actor=None,
        instances=[
            Referral(
                account=accounts[plan.index],
                date=context.date(item.day),
                kind=item.kind,
                referred_company=item.referred_company,
                referred_account=accounts[item.referred_index] if item.referred_index is not None else None,
                note=item.note,
            )
            for plan in plans
            for item in plan.referrals
        ],
        source=SOURCE,
    )
    feedback = models_bulk_create(
        actor=None,
        instances=[
            Feedback(
                account=accounts[plan.index],
                contact=contacts[plan.index][item.contact] if item.contact is not None else None,
                date=context.date(item.day),
                kind=item.kind,
                survey_type=item.survey_type,
                score=item.score,
                category=item.category,
                description=item.description,
                root_cause=item.root_cause,
                corrective_action=item.corrective_action,
                status=item.status,
            )
            for plan in plans
            for item in plan.feedback
        ],
        source=SOURCE,
    )
    bar.set_description(_("Opportunities"))
    opportunities = _write_opportunities(plans, accounts, contacts, context)
    counts.update(
        accounts=len(accounts),
        contacts=sum(len(items) for items in contacts.values()),
        orders=len(orders),
        order_lines=len(lines),
        service_costs=len(service_costs),
        marketing_spend=len(spend),
        interactions=len(interactions),
        commitments=len(commitments),
        referrals=len(referrals),
        feedback=len(feedback),
        opportunities=len(opportunities),
    )


def _write_opportunities(
    plans: list[AccountPlan],
    accounts: dict[int, Account],
    contacts: dict[int, list[Contact]],
    context: _Context,
) -> list[Opportunity]:
    """The chunk's deals, owned by each account's executive, with the people involved in each."""
    return opportunities_bulk_create(
        actor=None,
        entries=[
            (
                Opportunity(
                    account=accounts[plan.index],
                    name=item.name,
                    product_line=context.lines[item.line],
                    stage=item.stage,
                    amount_cents=item.amount * 100,
                    currency="CLP",
                    discount_pct=item.discount_pct,
                    probability=item.probability,
                    expected_close_date=context.date(item.expected_close_day),
                    owner=context.users[plan.responsible],
                    purchase_type=item.purchase_type,
                    close_reason=item.close_reason,
                    close_note=item.close_note,
                    closed_on=context.date(item.closed_day) if item.closed_day is not None else None,
                    created_by=context.users[plan.responsible],
                ),
                [(contacts[plan.index][position], role) for position, role in item.contacts],
            )
            for plan in plans
            for item in plan.opportunities
        ],
        source=SOURCE,
    )


def _write_accounts(plans: list[AccountPlan], context: _Context) -> dict[int, Account]:
    """Create the chunk's accounts, corporate-group heads before their subsidiaries."""
    accounts: dict[int, Account] = {}
    for is_subsidiary in (False, True):
        batch = [plan for plan in plans if (plan.parent_index is not None) == is_subsidiary]
        rows = [
            {
                "legal_name": plan.legal_name,
                "trade_name": plan.trade_name,
                "tax_id": plan.tax_id,
                "country": "CL",
                "region": plan.region,
                "city": plan.city,
                "industry": plan.industry,
                "size_band": plan.size_band,
                "language": plan.language,
                "currency": "CLP",
                "status": plan.status,
                "strategic_fit": plan.strategic_fit,
                "strategic_fit_note": plan.strategic_fit_note,
                "portfolio": context.portfolios[plan.portfolio] if plan.portfolio else None,
                "parent": accounts[plan.parent_index] if plan.parent_index is not None else None,
                "responsible": None if plan.portfolio else context.users[plan.responsible],
            }
            for plan in batch
        ]
        created = accounts_bulk_create(actor=None, rows=rows, source=SOURCE) if rows else []
        accounts.update({plan.index: account for plan, account in zip(batch, created, strict=True)})
    return accounts


def _write_contacts(plans: list[AccountPlan], accounts: dict[int, Account]) -> dict[int, list[Contact]]:
    owners = [plan.index for plan in plans for _contact in plan.contacts]
    created = contacts_bulk_create(
        actor=None,
        rows=[
            {
                "account": accounts[plan.index],
                "first_name": contact.first_name,
                "last_name": contact.last_name,
                "job_title": contact.job_title,
                "buying_role": contact.buying_role,
                "email": contact.email,
                "phone": contact.phone,
                "language": contact.language,
                "consents_to_email": contact.consents_to_email,
                "consents_to_calls": contact.consents_to_calls,
                "is_active": contact.is_active,
            }
            for plan in plans
            for contact in plan.contacts
        ],
        source=SOURCE,
    )
    contacts: dict[int, list[Contact]] = {plan.index: [] for plan in plans}
    for index, contact in zip(owners, created, strict=True):
        contacts[index].append(contact)
    return contacts


def _orders(
    plans: list[AccountPlan], accounts: dict[int, Account], context: _Context
) -> tuple[list[Order], list[OrderLine]]:
    orders: list[Order] = []
    lines: list[OrderLine] = []
    for plan in plans:
        account = accounts[plan.index]
        responsible = context.users[plan.responsible]
        for item in plan.orders:
            order = Order(
                account=account,
                number=f"NV-{context.next_order_number:07d}",
                date=context.date(item.day),
                channel=item.channel,
                purchase_type=item.purchase_type,
                note=item.note,
                created_by=responsible if item.channel == Channel.SALES_REP else None,
            )
            context.next_order_number += 1
            orders.append(order)
            lines.extend(
                OrderLine(
                    order=order,
                    product=context.products[line.sku],
                    quantity=Decimal(line.quantity),
                    unit_price=Decimal(line.unit_price),
                    unit_cost=Decimal(line.unit_cost),
                    discount_pct=line.discount_pct,
                )
                for line in item.lines
            )
    return orders, lines
