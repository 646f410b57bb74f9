"""The demo company's pipeline: open opportunities on about a third of the accounts and two years of won
and lost ones, each with the people at the account involved and the purchase type their history gives.

Planned from a random stream of its own per account, so the rest of the demo is the same with or without it.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from cartera.accounts.models import BuyingRole
from cartera.commerce.models import PurchaseType
from cartera.demo import data
from cartera.demo.plans import (
    AccountPlan,
    OpportunityPlan,
    OrderPlan,
    Pattern,
    ProductSpec,
    poisson,
    weighted,
)
from cartera.pipeline.models import STAGE_PROBABILITY, CloseReason, Stage
from cartera.pipeline.selectors import REBUY_WINDOW_DAYS, SIMILAR_DISCOUNT_POINTS

# Share of the accounts with deals open today, and how many they have.
OPEN_SHARE = 0.34
OPEN_COUNTS = ((1, 0.6), (2, 0.3), (3, 0.1))
OPEN_STAGE_WEIGHTS = (
    (Stage.QUALIFICATION, 0.32),
    (Stage.DISCOVERY, 0.26),
    (Stage.PROPOSAL, 0.26),
    (Stage.NEGOTIATION, 0.16),
)
# Days from today to the expected close, by stage (negotiations sometimes run late).
CLOSE_DAYS = {
    Stage.QUALIFICATION: (30, 150),
    Stage.DISCOVERY: (20, 120),
    Stage.PROPOSAL: (7, 75),
    Stage.NEGOTIATION: (-20, 45),
}
CLOSED_PER_YEAR = {Pattern.WHALE: 2.0, Pattern.PROSPECT: 0.35}
WIN_SHARE = 0.55
WON_REASONS = (
    (CloseReason.RELATIONSHIP, 0.35),
    (CloseReason.PRICE, 0.25),
    (CloseReason.PRODUCT_FIT, 0.2),
    (CloseReason.SERVICE, 0.2),
)
LOST_REASONS = (
    (CloseReason.PRICE, 0.3),
    (CloseReason.COMPETITOR, 0.25),
    (CloseReason.NO_BUDGET, 0.15),
    (CloseReason.NO_DECISION, 0.15),
    (CloseReason.TIMING, 0.1),
    (CloseReason.PRODUCT_FIT, 0.05),
)
NOTES = {
    CloseReason.PRICE: ("La competencia ofreció un 8 % menos.", "Pidieron bajar el precio de lista."),
    CloseReason.COMPETITOR: ("Se quedaron con su proveedor actual.", "Eligieron a un distribuidor regional."),
    CloseReason.NO_BUDGET: ("Presupuesto congelado hasta el próximo año.",),
    CloseReason.NO_DECISION: ("El gerente no respondió después de la propuesta.",),
    CloseReason.TIMING: ("Postergaron el proyecto un semestre.",),
    CloseReason.RELATIONSHIP: (
        "Valoraron la visita técnica en terreno.",
        "Cliente de años, renovó sin licitar.",
    ),
    CloseReason.SERVICE: ("Despacho en 24 horas a faena fue decisivo.",),
    CloseReason.PRODUCT_FIT: ("La ficha técnica cumplía la norma exigida.",),
}
DEAL_NAMES = (
    "Reposición {line}",
    "Contrato marco {line}",
    "Licitación anual {line}",
    "Ampliación {line}",
    "Convenio {line} {year}",
    "Proyecto {city}: {line}",
)


def plan_opportunities(
    *, seed: int, as_of: dt.date, plan: AccountPlan, products_by_line: dict[str, list[ProductSpec]]
) -> list[OpportunityPlan]:
    """The account's open deals (for about a third of the accounts) and its closed ones of two years
    before `as_of` (day 0)."""
    rng = random.Random(f"{seed}:pipeline:{plan.index}")
    deals = []
    if plan.pattern != Pattern.CHURNED and rng.random() < OPEN_SHARE:
        for _n in range(weighted(rng, OPEN_COUNTS)):
            stage = weighted(rng, OPEN_STAGE_WEIGHTS)
            low, high = CLOSE_DAYS[stage]
            deals.append(
                _deal(
                    rng, as_of, plan, products_by_line, stage=stage, day=0, close_day=rng.randint(low, high)
                )
            )
    per_year = CLOSED_PER_YEAR.get(plan.pattern, 0.8)
    for _n in range(poisson(rng, per_year * 2)):
        closed_day = rng.randint(-730, -1)
        won = rng.random() < WIN_SHARE
        deal = _deal(
            rng,
            as_of,
            plan,
            products_by_line,
            stage=Stage.WON if won else Stage.LOST,
            day=closed_day,
            close_day=closed_day + rng.randint(-30, 20),
        )
        deal.closed_day = closed_day
        deal.close_reason = weighted(rng, WON_REASONS if won else LOST_REASONS)
        deal.close_note = rng.choice(NOTES[deal.close_reason]) if rng.random() < 0.6 else ""
        deals.append(deal)
    return deals


def _deal(
    rng: random.Random,
    as_of: dt.date,
    plan: AccountPlan,
    products_by_line: dict[str, list[ProductSpec]],
    *,
    stage: str,
    day: int,
    close_day: int,
) -> OpportunityPlan:
    """One deal as it stood on `day`: a line the account buys (or a new one), an amount worth a few of its
    orders, terms near its usual discount, and the purchase type its history up to that day gives."""
    all_lines = [line.code for line in data.DEMO_PRODUCT_LINES]
    line = rng.choice(plan.lines) if plan.lines and rng.random() < 0.75 else rng.choice(all_lines)
    last_day, last_discount = _last_purchase(plan, line, day)
    discount = Decimal(round(plan.discount * rng.uniform(0.6, 1.4) * 2) / 2).quantize(Decimal("0.01"))
    if last_discount is not None and rng.random() < 0.7:
        discount = last_discount
    if last_day is None:
        purchase_type = PurchaseType.NEW_BUY
    elif (
        day - last_day < REBUY_WINDOW_DAYS and abs(discount - (last_discount or 0)) <= SIMILAR_DISCOUNT_POINTS
    ):
        purchase_type = PurchaseType.STRAIGHT_REBUY
    else:
        purchase_type = PurchaseType.MODIFIED_REBUY
    order_values = [order_plan_value(order) for order in plan.orders if order.day <= day][-6:]
    if order_values:
        base = sum(order_values) / len(order_values)
    else:
        prices = [product.list_price for product in products_by_line[line]]
        base = sum(prices) / len(prices) * rng.randint(40, 400)
    amount = max(150_000, round(base * rng.uniform(1.5, 8) / 10_000) * 10_000)
    probability = STAGE_PROBABILITY[Stage(stage)]
    if stage not in (Stage.WON, Stage.LOST) and rng.random() < 0.25:
        probability = max(5, min(95, probability + rng.choice((-10, -5, 5, 10))))
    line_name = next(item.name for item in data.DEMO_PRODUCT_LINES if item.code == line)
    name = rng.choice(DEAL_NAMES).format(
        line=line_name.lower(), city=plan.city, year=(as_of + dt.timedelta(days=day)).year
    )
    return OpportunityPlan(
        name=name[0].upper() + name[1:],
        line=line,
        stage=stage,
        amount=int(amount),
        discount_pct=discount,
        probability=probability,
        expected_close_day=close_day,
        purchase_type=purchase_type,
        contacts=_buying_center(rng, plan),
    )


def order_plan_value(order: OrderPlan) -> float:
    return float(sum((line.revenue for line in order.lines), Decimal(0)))


def _last_purchase(plan: AccountPlan, line: str, day: int) -> tuple[int | None, Decimal | None]:
    """The last day up to `day` the account bought `line`, and the average discount of those lines."""
    for order in reversed(plan.orders):
        if order.day > day:
            continue
        discounts = [item.discount_pct for item in order.lines if item.sku.rsplit("-", 1)[0] == line]
        if discounts:
            average = sum(discounts, Decimal(0)) / len(discounts)
            return order.day, average.quantize(Decimal("0.01"))
    return None, None


def _buying_center(rng: random.Random, plan: AccountPlan) -> list[tuple[int, str]]:
    """One to four of the account's active contacts, mostly in their usual role; the decision maker is
    usually but not always on the deal, so the board has gaps to flag."""
    active = [index for index, contact in enumerate(plan.contacts) if contact.is_active]
    if not active:
        return []
    chosen = rng.sample(active, k=min(len(active), rng.randint(1, 4)))
    deciders = [index for index in active if plan.contacts[index].buying_role == BuyingRole.DECISION_MAKER]
    if deciders and rng.random() < 0.75 and not set(deciders) & set(chosen):
        chosen.append(deciders[0])
    roles = []
    for index in sorted(chosen):
        role = plan.contacts[index].buying_role or BuyingRole.INFLUENCER
        if rng.random() < 0.15:
            role = weighted(rng, data.BUYING_ROLE_WEIGHTS)
        roles.append((index, str(role)))
    return roles
