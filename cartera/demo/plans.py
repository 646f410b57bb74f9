"""The shapes of a demo plan: what each demo account is and what happened with it, as plain data.

Nothing here touches the database: the loader turns plans into rows through the services. Days are
whole numbers relative to the as-of date (0 is that day, -1 the day before).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from cartera.accounts.models import AccountStatus, Industry
from cartera.core.text import normalize
from cartera.demo import data
from cartera.relationship.models import FeedbackStatus

T = TypeVar("T")

ACCOUNTS_PER_SCALE = 500
MIN_ACCOUNTS = 20
HISTORY_DAYS = 3 * 365
FIRST_DAY = -(HISTORY_DAYS - 1)
WINDOW_DAYS = 365
FORMER_AFTER_DAYS = 548  # no order in about 18 months: a former client
TENURE_FOR_LOYALTY_DAYS = 730
QUARTER_DAYS = 91
YEARLY_PRICE_RISE = 0.035

# Company RUTs handed out by the tax service in the 76-77 million range.
RUT_FIRST = 76_000_000
RUT_SPAN = 2_000_000
RUT_STRIDE = 1_234_567  # odd and not a multiple of 5: coprime with RUT_SPAN, so no RUT repeats


class Pattern(StrEnum):
    """The shape of an account's buying history; each leads to a known loyalty tier as of the as-of date."""

    PROSPECT = "prospect"  # never bought
    ONE_TIME = "one_time"  # one order: buyer
    SPORADIC = "sporadic"  # a few orders a year: sporadic
    CHURNED = "churned"  # bought for a while, nothing in 18 months: former client, sporadic
    FADER = "fader"  # frequent for two years, then faded: moved down to sporadic
    GROWER = "grower"  # sporadic, then grew: moved up to frequent (loyal with a referral)
    FREQUENT = "frequent"  # steady, no recent referral: frequent
    LOYAL = "loyal"  # steady for years with a recent referral or testimonial: loyal
    NEW_FREQUENT = "new_frequent"  # started less than a year ago and buys often: frequent, too new for loyal
    WHALE = "whale"  # a very large client ordering every week


# The first accounts take every pattern once, so even a tiny demo shows every tier.
PATTERN_ORDER = tuple(Pattern)
PATTERN_WEIGHTS: dict[Pattern, float] = {
    Pattern.PROSPECT: 0.14,
    Pattern.ONE_TIME: 0.07,
    Pattern.SPORADIC: 0.17,
    Pattern.CHURNED: 0.09,
    Pattern.FADER: 0.08,
    Pattern.GROWER: 0.08,
    Pattern.FREQUENT: 0.15,
    Pattern.LOYAL: 0.12,
    Pattern.NEW_FREQUENT: 0.06,
    Pattern.WHALE: 0.025,
}
# The account at this position of the fixed opening sequence always loses money.
FORCED_LOSS_MAKER_INDEX = PATTERN_ORDER.index(Pattern.FREQUENT)
LOSS_MAKER_SHARE = 0.09
BUYING_PATTERNS = set(Pattern) - {Pattern.PROSPECT}
# How often the team gets in touch. The accounts likely to be strategic (steady buyers that make money)
# are contacted at least every 30 days, the dedicated executive's limit; every other account within the
# development team's 45 days, which keeps it inside any segment's limit. Some accounts have lapsed:
# their last contact is older, by up to 14 months; few of the close ones, most former clients.
# Accounts with a strategic fit of 4 or more are close too.
CLOSE_PATTERNS = {Pattern.WHALE, Pattern.LOYAL, Pattern.FREQUENT, Pattern.NEW_FREQUENT, Pattern.GROWER}
CLOSE_CONTACT_DAYS = 30
REGULAR_CONTACT_DAYS = 45
LAPSED_SHARE = {"whale": 0.12, "close": 0.04, "regular": 0.2, "former": 0.6}
WHALE_LAPSE_DAYS = 75  # even a key account's executive misses a month or two, not more
LAPSED_MAX_DAYS = 420
INDUSTRIAL_INDUSTRIES = {
    Industry.MINING,
    Industry.CONSTRUCTION,
    Industry.MANUFACTURING,
    Industry.TRANSPORT,
    Industry.ENERGY,
    Industry.WHOLESALE,
    Industry.AGRICULTURE,
}


@dataclass(frozen=True)
class ProductSpec:
    """A product of the demo catalog."""

    sku: str
    name: str
    line: str
    list_price: int
    unit_cost: int


@dataclass
class LinePlan:
    sku: str
    quantity: int
    unit_price: int
    unit_cost: int
    discount_pct: Decimal

    @property
    def revenue(self) -> Decimal:
        return self.quantity * self.unit_price * (1 - self.discount_pct / 100)

    @property
    def cost(self) -> int:
        return self.quantity * self.unit_cost


@dataclass
class OrderPlan:
    day: int
    channel: str
    purchase_type: str
    note: str
    lines: list[LinePlan]


@dataclass
class ContactPlan:
    first_name: str
    last_name: str
    job_title: str
    buying_role: str
    email: str
    phone: str
    language: str
    consents_to_email: bool
    consents_to_calls: bool
    is_active: bool


@dataclass
class CostPlan:
    day: int
    kind: str
    amount: int
    note: str


@dataclass
class SpendPlan:
    day: int
    campaign: str
    amount: int
    note: str = ""


@dataclass
class InteractionPlan:
    day: int
    minute_of_day: int
    kind: str
    summary: str
    contacts: list[int]  # positions in the account's contacts
    by: str  # username


@dataclass
class CommitmentPlan:
    description: str
    due_day: int
    status: str
    resolved_day: int | None
    contact: int | None
    by: str


@dataclass
class ReferralPlan:
    day: int
    kind: str
    note: str
    referred_company: str = ""
    referred_index: int | None = None  # another demo account, when the referral became one


@dataclass
class FeedbackPlan:
    day: int
    kind: str
    contact: int | None
    survey_type: str = ""
    score: int | None = None
    category: str = ""
    description: str = ""
    root_cause: str = ""
    corrective_action: str = ""
    status: str = FeedbackStatus.OPEN


@dataclass
class OpportunityPlan:
    name: str
    line: str
    stage: str
    amount: int  # CLP, whole pesos
    discount_pct: Decimal
    probability: int
    expected_close_day: int
    purchase_type: str
    closed_day: int | None = None
    close_reason: str = ""
    close_note: str = ""
    # (position in the account's contacts, role on this deal)
    contacts: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class AccountPlan:
    """One account: who it is, and everything that happened with it."""

    index: int
    pattern: Pattern
    legal_name: str
    name_core: str
    industry_prefix: str
    suffix: str
    trade_name: str
    tax_id: str
    region: str
    city: str
    industry: str
    size_band: str
    language: str
    strategic_fit: int | None
    strategic_fit_note: str
    weight: float
    lines: list[str]
    discount: float
    is_loss_maker: bool
    portfolio: str | None
    responsible: str
    parent_index: int | None = None
    status: str = AccountStatus.PROSPECT
    contacts: list[ContactPlan] = field(default_factory=list)
    orders: list[OrderPlan] = field(default_factory=list)
    costs: list[CostPlan] = field(default_factory=list)
    spend: list[SpendPlan] = field(default_factory=list)
    interactions: list[InteractionPlan] = field(default_factory=list)
    commitments: list[CommitmentPlan] = field(default_factory=list)
    referrals: list[ReferralPlan] = field(default_factory=list)
    feedback: list[FeedbackPlan] = field(default_factory=list)
    team: list[tuple[str, str, str | None]] = field(default_factory=list)  # (username, role, line code)
    opportunities: list[OpportunityPlan] = field(default_factory=list)

    @property
    def email_domain(self) -> str:
        base = self.trade_name or f"{self.industry_prefix.split(' ')[0]} {self.name_core}"
        slug = "".join(ch for ch in normalize(base) if ch.isalnum())
        return f"{slug[:40] or 'empresa'}.cl"


def account_count(scale: float) -> int:
    """How many accounts a demo of this scale has."""
    return max(MIN_ACCOUNTS, round(ACCOUNTS_PER_SCALE * scale))


def build_catalog(seed: int) -> list[ProductSpec]:
    """The products, with unit costs spread around each line's margin."""
    rng = random.Random(f"{seed}:catalog")
    products = []
    for line in data.DEMO_PRODUCT_LINES:
        for number, (name, price) in enumerate(line.products, start=1):
            margin = line.margin * rng.uniform(0.75, 1.25)
            products.append(
                ProductSpec(
                    sku=f"{line.code}-{number:03d}",
                    name=name,
                    line=line.code,
                    list_price=price,
                    unit_cost=round(price * (1 - margin)),
                )
            )
    return products


def weighted(rng: random.Random, choices: Mapping[T, float] | Iterable[tuple[T, float]]) -> T:
    """One of `choices` (items with their weights), drawn from `rng`."""
    items = list(choices.items()) if isinstance(choices, Mapping) else list(choices)
    return rng.choices([item for item, _weight in items], weights=[weight for _item, weight in items])[0]


def regular_days(rng: random.Random, start: int, end: int, per_year: float) -> list[int]:
    """Days between start and end for something that happens about `per_year` times a year, at
    irregular but not random intervals (buyers reorder on a rhythm)."""
    if per_year <= 0 or end < start:
        return []
    gap = 365 / per_year
    days = []
    day = start + rng.uniform(0, gap)
    while day <= end:
        days.append(int(day))
        day += gap * rng.uniform(0.55, 1.45)
    return days


def in_window(day: int, end: int = 0) -> bool:
    return end - WINDOW_DAYS < day <= end


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson-distributed count (Knuth's method; the means here are small)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def keep_in_window(rng: random.Random, days: set[int], *, low: int, high: int | None, end: int = 0) -> None:
    """Add or remove order days in the year up to `end` until their number is within [low, high]."""
    inside = sorted(day for day in days if in_window(day, end))
    while high is not None and len(inside) > high:
        day = inside.pop(rng.randrange(len(inside)))
        days.discard(day)
    while len(inside) < low:
        day = rng.randint(end - WINDOW_DAYS + 1, end)
        if day not in days:
            days.add(day)
            inside.append(day)


def order_days(rng: random.Random, pattern: Pattern) -> list[int]:
    """The days an account ordered on, shaped so that the pattern's tier holds as of day 0 (the demo's
    and the benchmarks' histories both draw them here)."""
    days: set[int] = set()
    if pattern == Pattern.PROSPECT:
        return []
    if pattern == Pattern.ONE_TIME:
        return [rng.randint(FIRST_DAY, 0)]
    if pattern == Pattern.SPORADIC:
        start = rng.randint(FIRST_DAY, -500)
        days = {start, *regular_days(rng, start, 0, rng.uniform(1.5, 3.2))}
        if rng.random() < 0.8 and not any(day > -FORMER_AFTER_DAYS for day in days):
            days.add(rng.randint(-FORMER_AFTER_DAYS + 1, 0))
        keep_in_window(rng, days, low=0, high=3)
    elif pattern == Pattern.CHURNED:
        start = rng.randint(FIRST_DAY, -950)
        end = rng.randint(-820, -FORMER_AFTER_DAYS - 10)
        days = {start, end, *regular_days(rng, start, end, rng.uniform(3, 10))}
    elif pattern == Pattern.FADER:
        start = rng.randint(FIRST_DAY, -1000)
        pivot = rng.randint(-560, -380)
        days = {start, *regular_days(rng, start, pivot, rng.uniform(10, 20))}
        days |= set(regular_days(rng, pivot, 0, rng.uniform(1, 2.5)))
        keep_in_window(rng, days, low=1, high=3)
        keep_in_window(rng, days, low=4, high=None, end=-WINDOW_DAYS)
    elif pattern == Pattern.GROWER:
        start = rng.randint(FIRST_DAY, -760)
        pivot = rng.randint(-400, -240)
        days = {start, *regular_days(rng, start, pivot, rng.uniform(1, 2.5))}
        days |= set(regular_days(rng, pivot, 0, rng.uniform(10, 24)))
        keep_in_window(rng, days, low=1, high=3, end=-WINDOW_DAYS)
        keep_in_window(rng, days, low=5, high=None)
    elif pattern in {Pattern.FREQUENT, Pattern.LOYAL}:
        start = rng.randint(FIRST_DAY, -760)
        days = {start, *regular_days(rng, start, 0, rng.uniform(9, 24))}
        keep_in_window(rng, days, low=5, high=None)
    elif pattern == Pattern.NEW_FREQUENT:
        start = rng.randint(-330, -150)
        days = {start, *regular_days(rng, start, 0, rng.uniform(10, 22))}
        keep_in_window(rng, days, low=5, high=None)
    elif pattern == Pattern.WHALE:
        start = rng.randint(FIRST_DAY, FIRST_DAY + 30)
        days = {start, *regular_days(rng, start, 0, rng.uniform(45, 70))}
    if len(days) < 2:
        days.add(rng.randint(min(days), -FORMER_AFTER_DAYS - 1) if pattern == Pattern.CHURNED else 0)
    return sorted(days)
