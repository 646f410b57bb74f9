"""Years of order history for the benchmarks, generated fast with the demo company's buying patterns.

The demo loader (`cartera demo`) writes through the services, which is right for a demo and far too slow
for tens of millions of order lines. This module plans each account with the demo's buying patterns
(a copy of its pattern weights and order-day shapes, so the same loyalty tiers, and its catalog data; buyer weights, whales,
discounts, loss-makers that cost more to serve than they earn, marketing spend, referrals), adds a
seasonal swing in volumes, computes every line's money with `cartera.commerce.amounts.line_amounts`
(exactly what the commerce services store), and loads the rows in bulk: PostgreSQL COPY, or SQLite
executemany in large transactions. Accounts are planned from their own random stream (seed and
account number), in chunks, so memory stays flat at any scale and the same seed gives the same rows.

Alongside the database, the rows the insights read are written to CSV files (one pass, same values)
for the DuckDB reference in reference.py.

Import this module only after django.setup().
"""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing
import os
import random
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate, islice
from pathlib import Path
from typing import Any

from django.core.management.color import no_style
from django.db import connection, connections, models, transaction

from cartera.accounts.models import Account, AccountStatus, SizeBand
from cartera.commerce.amounts import line_amounts
from cartera.commerce.models import Channel, Order, OrderLine, Product, ProductLine, PurchaseType
from cartera.core.testing import make_rut
from cartera.costs.models import MarketingSpend, ServiceCost, ServiceCostKind
from cartera.demo import data
from cartera.demo.plans import (  # the demo's buying patterns and calendar: days relative to the as-of date
    FIRST_DAY,
    FORMER_AFTER_DAYS,
    TENURE_FOR_LOYALTY_DAYS,
    WINDOW_DAYS,
    Pattern,
    order_days,
)
from cartera.insights.models import Segment, ServiceModel
from cartera.relationship.models import Referral, ReferralKind

QUARTER_DAYS = 91
YEARLY_PRICE_RISE = 0.035
LOSS_MAKER_SHARE = 0.09


PATTERN_ORDER = tuple(Pattern)  # the first accounts take every pattern once
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
BUYING_PATTERNS = set(Pattern) - {Pattern.PROSPECT}

# Scale 1: about 200,000 buying accounts (the demo's 14 % of prospects come on top) and 20 million
# order lines over three years.
ACCOUNTS_PER_SCALE = 232_000
CHUNK_ACCOUNTS = 2_000
# Lines per order: the demo's orders are a little larger; these give about 100 lines per buying account.
BASE_LINES_PER_ORDER = 2.6
LINES_PER_LOG_WEIGHT = 0.6
WHALE_LINES_PER_ORDER = 7.0
# Volume by month (Chile: February is the summer holiday; March and the year end are busy).
SEASON = {
    1: 0.9,
    2: 0.7,
    3: 1.15,
    4: 1.05,
    5: 1.0,
    6: 0.95,
    7: 0.95,
    8: 1.0,
    9: 0.9,
    10: 1.05,
    11: 1.1,
    12: 1.2,
}
# Company tax ids from the 60-80 million range; the stride is coprime with the span, so none repeats.
RUT_FIRST = 60_000_000
RUT_SPAN = 20_000_000
RUT_STRIDE = 7_654_321

PATTERNS = list(PATTERN_WEIGHTS)
PATTERN_CUM = list(accumulate(PATTERN_WEIGHTS.values()))
LOSS_PATTERNS = BUYING_PATTERNS - {Pattern.ONE_TIME, Pattern.CHURNED, Pattern.WHALE}
REGIONS = [region.code for region in data.DEMO_REGIONS]
REMOTE = {region.code for region in data.DEMO_REGIONS if region.is_remote}
REGION_CUM = list(accumulate(region.weight for region in data.DEMO_REGIONS))
INDUSTRIES = list(data.INDUSTRY_WEIGHTS)
INDUSTRY_CUM = list(accumulate(data.INDUSTRY_WEIGHTS.values()))
# Discounts in half points, as the demo rounds them: index k is k/2 %.
DISCOUNTS = [
    (Decimal(k / 2).quantize(Decimal("0.01")), str(Decimal(k / 2).quantize(Decimal("0.01"))))
    for k in range(121)
]
CAMPAIGNS = data.MARKETING_CAMPAIGNS
REFERENCE_FILES = ("accounts", "orders", "lines", "service_costs", "marketing", "referrals")


def account_total(scale: float) -> int:
    total = max(len(PATTERN_ORDER), round(ACCOUNTS_PER_SCALE * scale))
    if total > RUT_SPAN:
        raise ValueError("scale too large for the tax-id range")
    return total


@dataclass(frozen=True)
class CatalogProduct:
    id: int
    line: str
    list_price: int
    unit_cost: int
    typical: float  # a typical quantity per order line for an account of weight 1


@dataclass
class Batch:
    """The rows of one chunk of accounts, as tuples in each table's column order."""

    accounts: list[tuple[Any, ...]] = field(default_factory=list)
    orders: list[tuple[Any, ...]] = field(default_factory=list)
    lines: list[tuple[Any, ...]] = field(default_factory=list)
    costs: list[tuple[Any, ...]] = field(default_factory=list)
    spend: list[tuple[Any, ...]] = field(default_factory=list)
    referrals: list[tuple[Any, ...]] = field(default_factory=list)


# Primary keys are assigned here, not by the database: chunk n takes the ids n * BLOCK + 1 onwards of
# each table, so that chunks can be generated in parallel and the same seed gives the same ids.
BLOCKS = {"order": 1_000_000, "line": 10_000_000, "cost": 1_000_000, "spend": 1_000_000, "referral": 100_000}


@dataclass
class Ids:
    """The next primary key of each generated table, within one chunk's blocks."""

    order: int
    line: int
    cost: int
    spend: int
    referral: int

    @classmethod
    def for_chunk(cls, number: int) -> Ids:
        return cls(**{name: number * size + 1 for name, size in BLOCKS.items()})

    def check(self, number: int) -> None:
        for name, size in BLOCKS.items():
            if getattr(self, name) > (number + 1) * size:
                raise OverflowError(f"chunk {number} has more {name} rows than its id block ({size:,})")


class HistoryGenerator:
    """Plans accounts and their orders, lines, costs, spend and referrals, up to `as_of` (day 0)."""

    def __init__(self, *, seed: int, as_of: dt.date, catalog: list[CatalogProduct]) -> None:
        self.seed = seed
        self.as_of = as_of
        self.catalog = catalog
        self.by_line: dict[str, list[CatalogProduct]] = {}
        for product in catalog:
            self.by_line.setdefault(product.line, []).append(product)
        self.rut_offset = random.Random(f"{seed}:rut").randrange(RUT_SPAN)
        first = FIRST_DAY - 1
        self.date_text: dict[int, str] = {}
        self.inflation: dict[int, float] = {}
        self.season: dict[int, float] = {}
        for day in range(first, 1):
            date = as_of + dt.timedelta(days=day)
            self.date_text[day] = date.isoformat()
            self.inflation[day] = (1 + YEARLY_PRICE_RISE) ** (day / 365)
            self.season[day] = SEASON[date.month]
        self.ids = Ids.for_chunk(0)

    def chunk(self, number: int, start: int, stop: int) -> Batch:
        """Accounts start..stop-1 (chunk `number`) with all their rows."""
        self.ids = Ids.for_chunk(number)
        batch = Batch()
        for index in range(start, stop):
            self._account(index, batch)
        self.ids.check(number)
        return batch

    def _account(self, index: int, batch: Batch) -> None:
        rng = random.Random(self.seed * 1_000_003 + index)
        account_id = index + 1
        if index < len(PATTERN_ORDER):
            pattern = PATTERN_ORDER[index]
        else:
            pattern = rng.choices(PATTERNS, cum_weights=PATTERN_CUM)[0]
        weight = rng.lognormvariate(0, 0.9)
        if pattern == Pattern.WHALE:
            weight *= rng.uniform(2, 4)
        loss_maker = pattern in LOSS_PATTERNS and rng.random() < LOSS_MAKER_SHARE
        if pattern == Pattern.WHALE:
            discount = rng.uniform(10, 18)
        elif loss_maker:
            discount = rng.uniform(16, 26)
        else:
            discount = 0.0 if rng.random() < 0.55 else rng.uniform(1, 8)
        region = rng.choices(REGIONS, cum_weights=REGION_CUM)[0]
        industry = rng.choices(INDUSTRIES, cum_weights=INDUSTRY_CUM)[0]
        size_band = (
            SizeBand.ENTERPRISE
            if pattern == Pattern.WHALE or weight >= 6
            else SizeBand.LARGE
            if weight >= 2.2
            else SizeBand.MEDIUM
            if weight >= 0.9
            else SizeBand.SMALL
            if weight >= 0.35
            else SizeBand.MICRO
        )
        days = order_days(rng, pattern)
        status = (
            AccountStatus.PROSPECT
            if not days
            else AccountStatus.FORMER
            if days[-1] <= -FORMER_AFTER_DAYS
            else AccountStatus.CLIENT
        )
        fit = rng.choice((1, 2, 3, 3, 4, 5)) if rng.random() < 0.85 else None
        name = f"Empresa {account_id:07d} SpA"
        key = f"empresa {account_id:07d} spa"
        tax_id = make_rut(RUT_FIRST + (self.rut_offset + index * RUT_STRIDE) % RUT_SPAN)
        batch.accounts.append(
            (account_id, name, tax_id, region, industry, size_band, status, fit, f"{key} | {tax_id}", key)
        )
        if not days:
            if rng.random() < 0.04:
                self._campaign_spend(rng, batch, account_id, 0.04, 30_000, 150_000)
            return
        quarter_cents, window_margin = self._orders(
            rng, batch, account_id, pattern, industry, weight, discount, days
        )
        self._costs(
            rng, batch, account_id, pattern, region, discount, loss_maker, quarter_cents, window_margin
        )
        self._referrals(rng, batch, index, pattern, days)

    def _orders(
        self,
        rng: random.Random,
        batch: Batch,
        account_id: int,
        pattern: Pattern,
        industry: str,
        weight: float,
        discount: float,
        days: list[int],
    ) -> tuple[dict[int, int], int]:
        """The account's orders and lines; returns revenue cents by quarter and the last year's margin."""
        affinity = list(data.INDUSTRY_LINES.get(industry, ("OFI", "LIM")))
        if pattern == Pattern.WHALE:
            lines = affinity
        else:
            lines = affinity[: rng.choice((1, 1, 2))]
            lines += [code for code in affinity[len(lines) :] if rng.random() < 0.3]
        pool: list[CatalogProduct] = []
        for code in lines:
            products = self.by_line[code]
            pool += rng.sample(products, k=min(len(products), rng.randint(2, 6)))
        mean = (
            WHALE_LINES_PER_ORDER
            if pattern == Pattern.WHALE
            else BASE_LINES_PER_ORDER + LINES_PER_LOG_WEIGHT * math.log1p(weight)
        )
        portal_share = rng.choice((0.0, 0.0, 0.2, 0.4, 0.7))
        import_share = 0.5 if pattern == Pattern.WHALE else 0.15 if weight >= 2.2 else 0.0
        quarter_cents: dict[int, int] = {}
        window_margin = 0
        orders, order_lines = batch.orders, batch.lines
        ids = self.ids
        uniform, gauss = rng.random, rng.gauss
        for number, day in enumerate(days):
            order_id = ids.order
            ids.order += 1
            count = max(1, min(len(pool), round(rng.gauss(mean, mean * 0.35))))
            chosen = rng.sample(pool, count)
            if rng.random() < 0.04:  # something new from a line it buys: the buyer rethinks the order
                extra = rng.choice(self.by_line[rng.choice(lines)])
                if extra not in chosen:
                    chosen.append(extra)
                    pool.append(extra)
            date = self.date_text[day]
            inflation = self.inflation[day]
            volume = weight * self.season[day]
            order_revenue = 0
            for product in chosen:
                quantity = max(1, round(product.typical * volume * math.exp(gauss(0, 0.35))))
                price = round(product.list_price * inflation)
                cost = round(product.unit_cost * inflation * (0.98 + 0.04 * uniform()))
                if discount:
                    pct = min(60.0, max(0.0, gauss(discount, 1.5)))
                else:
                    pct = 5.0 if uniform() < 0.05 else 0.0
                pct_value, pct_text = DISCOUNTS[round(pct * 2)]
                revenue, cogs, gross = line_amounts(
                    quantity=Decimal(quantity),
                    unit_price=Decimal(price),
                    discount_pct=pct_value,
                    unit_cost=Decimal(cost),
                )
                order_lines.append(
                    (
                        ids.line,
                        order_id,
                        product.id,
                        quantity,
                        price,
                        cost,
                        pct_text,
                        revenue,
                        cogs,
                        gross,
                        date,
                        account_id,
                    )
                )
                ids.line += 1
                order_revenue += revenue
                if day > -WINDOW_DAYS:
                    window_margin += revenue - cogs
            quarter = -day // QUARTER_DAYS
            quarter_cents[quarter] = quarter_cents.get(quarter, 0) + order_revenue
            if number == 0 or rng.random() < 0.05:
                purchase_type = PurchaseType.NEW_BUY
            elif rng.random() < 0.07:
                purchase_type = PurchaseType.MODIFIED_REBUY
            else:
                purchase_type = PurchaseType.STRAIGHT_REBUY
            draw = rng.random()
            progress = (day - FIRST_DAY) / -FIRST_DAY
            if draw < import_share:
                channel = Channel.IMPORT
            elif draw < import_share + portal_share * progress:
                channel = Channel.PORTAL
            else:
                channel = Channel.SALES_REP
            orders.append((order_id, account_id, f"B{order_id}", date, channel.value, purchase_type.value))
        return quarter_cents, window_margin

    def _costs(
        self,
        rng: random.Random,
        batch: Batch,
        account_id: int,
        pattern: Pattern,
        region: str,
        discount: float,
        loss_maker: bool,
        quarter_cents: dict[int, int],
        window_margin: int,
    ) -> None:
        """Cost to serve and marketing spend per quarter, as shares of the quarter's revenue (as the demo
        does); a loss-maker's last year costs more to serve than its gross margin."""
        remote = region in REMOTE
        visit_cost = round(rng.randint(25_000, 45_000) * (1.6 if remote else 1)) * 100
        served_in_window = 0
        for quarter in range(-FIRST_DAY // QUARTER_DAYS + 1):
            low = max(-(quarter * QUARTER_DAYS + QUARTER_DAYS - 1), FIRST_DAY)
            high = -quarter * QUARTER_DAYS
            if low > high:
                continue
            sales = quarter_cents.get(quarter, 0)
            if not sales:
                continue
            losing = loss_maker and quarter <= 4
            shares = (
                (ServiceCostKind.SUPPORT, rng.uniform(0.04, 0.07) if losing else rng.uniform(0.004, 0.015)),
                (
                    ServiceCostKind.LOGISTICS,
                    (rng.uniform(0.05, 0.08) if losing else rng.uniform(0.015, 0.035))
                    + (0.03 if remote else 0),
                ),
                (
                    ServiceCostKind.SPECIAL_TERMS,
                    rng.uniform(0.03, 0.05)
                    if losing
                    else (rng.uniform(0.005, 0.015) if discount >= 8 else 0),
                ),
            )
            for kind, share in shares:
                cents = round(sales * share)
                if cents >= 500_000:
                    day = rng.randint(low, high)
                    self._cost(batch, account_id, day, kind, cents)
                    if day > -WINDOW_DAYS:
                        served_in_window += cents
            if rng.random() < 0.3:
                day = rng.randint(low, high)
                cents = rng.randint(1, 2) * visit_cost
                self._cost(batch, account_id, day, ServiceCostKind.VISITS, cents)
                if day > -WINDOW_DAYS:
                    served_in_window += cents
            if losing:
                self._spend(batch, account_id, rng.randint(low, high), round(sales * rng.uniform(0.04, 0.06)))
        if pattern == Pattern.WHALE:
            self._campaign_spend(rng, batch, account_id, 0.3, 300_000, 1_500_000)
        else:
            self._campaign_spend(rng, batch, account_id, 0.06, 40_000, 250_000)
        if loss_maker and served_in_window <= window_margin:
            extra = round((window_margin - served_in_window) * rng.uniform(1.1, 1.4)) + 1_000_000
            self._cost(batch, account_id, rng.randint(-300, 0), ServiceCostKind.SPECIAL_TERMS, extra)

    def _cost(self, batch: Batch, account_id: int, day: int, kind: str, cents: int) -> None:
        batch.costs.append(
            (
                self.ids.cost,
                account_id,
                self.date_text[day],
                str(kind),
                f"{cents // 100}.{cents % 100:02d}",
                cents,
            )
        )
        self.ids.cost += 1

    def _spend(self, batch: Batch, account_id: int, day: int, cents: int, campaign: str = "") -> None:
        label = campaign or "Asignación de campaña"
        batch.spend.append(
            (
                self.ids.spend,
                account_id,
                self.date_text[day],
                label,
                f"{cents // 100}.{cents % 100:02d}",
                cents,
            )
        )
        self.ids.spend += 1

    def _campaign_spend(
        self, rng: random.Random, batch: Batch, account_id: int, chance: float, low: int, high: int
    ) -> None:
        for number, campaign in enumerate(CAMPAIGNS):
            for years_ago in range(3):
                day = -years_ago * 365 - (number * 29) % 365
                if day >= FIRST_DAY and rng.random() < chance:
                    year = (self.as_of + dt.timedelta(days=day)).year
                    cents = rng.randint(low, high) // 1000 * 1000 * 100
                    self._spend(batch, account_id, day, cents, campaign.format(year=year))

    def _referrals(
        self, rng: random.Random, batch: Batch, index: int, pattern: Pattern, days: list[int]
    ) -> None:
        """Recommendations and testimonials, as the demo gives them: a recent one turns a long-standing
        frequent buyer loyal."""
        recent = -TENURE_FOR_LOYALTY_DAYS + 1
        spans: list[tuple[int, int]] = []
        if pattern == Pattern.LOYAL or (pattern == Pattern.WHALE and rng.random() < 0.7):
            spans = [(max(recent, days[0]), 0)] * rng.randint(1, 2)
        elif pattern == Pattern.FREQUENT and days[0] < recent - 30 and rng.random() < 0.25:
            spans = [(days[0], recent - 1)]  # too long ago to count for loyalty
        elif pattern in {Pattern.GROWER, Pattern.NEW_FREQUENT} and rng.random() < 0.35:
            spans = [(max(recent, days[-3] if len(days) >= 3 else days[0]), 0)]
        elif pattern in {Pattern.SPORADIC, Pattern.FADER} and rng.random() < 0.06:
            spans = [(days[0], days[-1])]
        for low, high in spans:
            if low > high:
                continue
            day = rng.randint(low, high)
            if rng.random() < 0.6:
                referred = rng.randrange(index) + 1 if index and rng.random() < 0.3 else None
                kind, company = ReferralKind.REFERRAL, f"Empresa referida {self.ids.referral}"
            else:
                referred, kind, company = None, ReferralKind.TESTIMONIAL, ""
            batch.referrals.append(
                (self.ids.referral, index + 1, self.date_text[day], str(kind), company, referred)
            )
            self.ids.referral += 1


class Table:
    """How rows of one model are written in bulk: the columns a generator fills, in order, followed by
    every other column at a constant value (given, else the field's default, else NULL)."""

    def __init__(
        self,
        model: type[models.Model],
        filled: list[str],
        *,
        stamp: dt.datetime,
        constants: dict[str, Any] | None = None,
        nullable: bool = False,
    ) -> None:
        meta = model._meta
        self.name = meta.db_table
        self.nullable = nullable  # whether a filled column may be None
        fields = {item.attname: item for item in meta.concrete_fields}
        missing = [name for name in filled if name not in fields]
        if missing:
            raise ValueError(f"{self.name} has no {missing}")
        constants = constants or {}
        rest: list[tuple[models.Field, Any]] = []
        for item in meta.concrete_fields:
            if item.attname in filled:
                continue
            if item.attname in constants:
                value = constants[item.attname]
            elif getattr(item, "auto_now", False) or getattr(item, "auto_now_add", False):
                value = stamp
            else:
                value = item.get_default()  # the field's default, "" for text, else None
                if value is None and not item.null:
                    raise ValueError(f"{self.name}.{item.column} needs a value")
            rest.append((item, value))
        self.width = len(filled)
        self.columns = [fields[name].column for name in filled] + [item.column for item, _value in rest]
        prepared = [item.get_db_prep_save(value, connection) for item, value in rest]
        quoted = ", ".join(connection.ops.quote_name(column) for column in self.columns)
        self.postgresql = connection.vendor == "postgresql"
        if self.postgresql:
            tail = "".join("\t" + _copy_text(value) for value in prepared)
            self.copy_sql = f"COPY {connection.ops.quote_name(self.name)} ({quoted}) FROM STDIN"
            self.row_format = "\t".join(["%s"] * self.width) + tail.replace("%", "%%") + "\n"
        else:
            literals = "".join(", " + _sql_literal(value) for value in prepared)
            marks = ", ".join(["?"] * self.width)
            self.insert_sql = (
                f"INSERT INTO {connection.ops.quote_name(self.name)} ({quoted}) VALUES ({marks}{literals})"
            )

    def encode(self, rows: list[tuple[Any, ...]]) -> str | list[tuple[Any, ...]]:
        """The rows as COPY text (PostgreSQL) or as parameter tuples (SQLite)."""
        width = self.width
        if not self.postgresql:
            return [row[:width] for row in rows]
        line = self.row_format
        if self.nullable:
            return "".join(
                line % tuple("\\N" if value is None else value for value in row[:width]) for row in rows
            )
        return "".join(line % row[:width] for row in rows)

    def write(self, encoded: str | list[tuple[Any, ...]]) -> None:
        if not encoded:
            return
        if isinstance(encoded, str):
            with connection.cursor() as cursor, cursor.cursor.copy(self.copy_sql) as copy:
                copy.write(encoded)
        else:
            connection.connection.executemany(self.insert_sql, encoded)


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _sql_literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    text = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else str(value)
    return "'" + text.replace("'", "''") + "'"


def make_tables(stamp: dt.datetime) -> dict[str, Table]:
    return {
        "accounts": Table(
            Account,
            [
                "id",
                "legal_name",
                "tax_id",
                "region",
                "industry",
                "size_band",
                "status",
                "strategic_fit",
                "search_key",
                "name_key",
            ],
            stamp=stamp,
            constants={"country": "CL", "currency": "CLP"},
            nullable=True,
        ),
        "orders": Table(
            Order, ["id", "account_id", "number", "date", "channel", "purchase_type"], stamp=stamp
        ),
        "lines": Table(
            OrderLine,
            [
                "id",
                "order_id",
                "product_id",
                "quantity",
                "unit_price",
                "unit_cost",
                "discount_pct",
                "revenue_cents",
                "cogs_cents",
                "gross_cents",
            ],
            stamp=stamp,
        ),
        "costs": Table(ServiceCost, ["id", "account_id", "date", "kind", "amount"], stamp=stamp),
        "spend": Table(MarketingSpend, ["id", "account_id", "date", "campaign", "amount"], stamp=stamp),
        "referrals": Table(
            Referral,
            ["id", "account_id", "date", "kind", "referred_company", "referred_account_id"],
            stamp=stamp,
            nullable=True,
        ),
    }


def reference_text(batch: Batch) -> dict[str, str]:
    """CSV copies of the rows the insights read, for the DuckDB reference (same values)."""
    return {
        "accounts": "".join(f"{row[0]}\n" for row in batch.accounts),
        "orders": "".join(f"{row[0]},{row[1]},{row[3]}\n" for row in batch.orders),
        "lines": "".join(f"{row[1]},{row[11]},{row[10]},{row[7]},{row[8]},{row[9]}\n" for row in batch.lines),
        "service_costs": "".join(f"{row[1]},{row[2]},{row[5]}\n" for row in batch.costs),
        "marketing": "".join(f"{row[1]},{row[2]},{row[5]}\n" for row in batch.spend),
        "referrals": "".join(f"{row[1]},{row[2]}\n" for row in batch.referrals),
    }


@dataclass
class Encoded:
    """One chunk, ready to write: each table's rows encoded for the database, the reference CSV text,
    and the row counts."""

    tables: dict[str, str | list[tuple[Any, ...]]]
    reference: dict[str, str]
    counts: Counter[str]


_WORKER: tuple[HistoryGenerator, dict[str, Table]] | None = None  # set before the worker processes fork


def _generate_chunk(job: tuple[int, int, int]) -> Encoded:
    assert _WORKER is not None
    generator, tables = _WORKER
    number, start, stop = job
    batch = generator.chunk(number, start, stop)
    return Encoded(
        tables={name: tables[name].encode(getattr(batch, name)) for name in tables},
        reference=reference_text(batch),
        counts=Counter(
            accounts=len(batch.accounts),
            buying_accounts=len({row[1] for row in batch.orders}),
            orders=len(batch.orders),
            order_lines=len(batch.lines),
            service_costs=len(batch.costs),
            marketing_spend=len(batch.spend),
            referrals=len(batch.referrals),
        ),
    )


@contextmanager
def bulk_load_mode() -> Iterator[None]:
    """Foreign-key checks off and no waiting on the disk while loading (the rows are consistent by
    construction); everything back on afterwards."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET synchronous_commit = off")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("RESET session_replication_role")
                cursor.execute("RESET synchronous_commit")
            else:
                cursor.execute("PRAGMA foreign_keys = ON")
                cursor.execute("PRAGMA synchronous = NORMAL")


@dataclass
class HistoryStats:
    counts: Counter[str]
    seconds: float  # planning, computing and loading
    maintenance_seconds: float  # sequences, VACUUM ANALYZE / checkpoint
    processes: int


def create_catalog(seed: int) -> list[CatalogProduct]:
    """The demo catalog (product lines and products), through the ORM: it is small."""
    lines = {
        spec.code: ProductLine.objects.create(code=spec.code, name=spec.name, description=spec.description)
        for spec in data.DEMO_PRODUCT_LINES
    }
    rng = random.Random(f"{seed}:catalog")
    catalog = []
    for spec in data.DEMO_PRODUCT_LINES:
        for number, (name, price) in enumerate(spec.products, start=1):
            cost = round(price * (1 - spec.margin * rng.uniform(0.75, 1.25)))
            product = Product.objects.create(
                sku=f"{spec.code}-{number:03d}",
                name=name,
                product_line=lines[spec.code],
                list_price=Decimal(price),
                unit_cost=Decimal(cost),
            )
            catalog.append(
                CatalogProduct(
                    id=product.pk,
                    line=spec.code,
                    list_price=price,
                    unit_cost=cost,
                    typical=max(1.0, 110_000 / price),
                )
            )
    return catalog


def create_segments() -> None:
    """A typical segment set-up, so that the recomputation also assigns segments and contact alerts."""
    dedicated = ServiceModel.objects.create(
        name="Ejecutivo dedicado",
        coverage=ServiceModel.Coverage.DEDICATED,
        max_days_without_contact=30,
        first_response_hours=4,
        resolution_hours=24,
        review_cadence_days=30,
    )
    shared = ServiceModel.objects.create(
        name="Equipo compartido",
        coverage=ServiceModel.Coverage.SHARED,
        max_days_without_contact=60,
        first_response_hours=8,
        resolution_hours=48,
        review_cadence_days=90,
    )
    self_service = ServiceModel.objects.create(
        name="Autoatención",
        coverage=ServiceModel.Coverage.SELF_SERVICE,
        max_days_without_contact=180,
        first_response_hours=24,
        resolution_hours=96,
        review_cadence_days=365,
    )
    Segment.objects.create(
        name="Cuentas clave",
        priority=10,
        rule={"all": [{"field": "profit_class", "op": "=", "value": "A"}]},
        service_model=dedicated,
    )
    Segment.objects.create(
        name="Fieles y frecuentes",
        priority=20,
        rule={"all": [{"field": "tier", "op": "in", "value": ["frequent", "loyal"]}]},
        service_model=shared,
    )
    Segment.objects.create(
        name="Pérdida",
        priority=30,
        rule={
            "all": [
                {"field": "profit_class", "op": "=", "value": "L"},
                {"field": "orders_12m", "op": ">", "value": 0},
            ]
        },
        service_model=self_service,
    )
    Segment.objects.create(name="Resto", priority=100, rule={}, is_default=True, service_model=self_service)


def generate(
    *,
    scale: float,
    seed: int,
    as_of: dt.date,
    reference_folder: Path,
    analyze: bool,
    report: Callable[[str], None],
    processes: int | None = None,
) -> HistoryStats:
    """Generate and load the history, chunks planned in parallel worker processes and written here in
    order; write the reference CSV files on the way."""
    global _WORKER
    started = time.perf_counter()
    total = account_total(scale)
    catalog = create_catalog(seed)
    stamp = dt.datetime.combine(as_of + dt.timedelta(days=FIRST_DAY - 1), dt.time(12), tzinfo=dt.UTC)
    generator = HistoryGenerator(seed=seed, as_of=as_of, catalog=catalog)
    tables = make_tables(stamp)
    jobs = [
        (number, start, min(total, start + CHUNK_ACCOUNTS))
        for number, start in enumerate(range(0, total, CHUNK_ACCOUNTS))
    ]
    processes = max(1, min(processes or os.cpu_count() or 1, len(jobs)))
    _WORKER = (generator, tables)
    connections.close_all()  # the workers must not inherit an open connection
    counts: Counter[str] = Counter()
    next_report = time.perf_counter() + 30
    reference_folder.mkdir(parents=True, exist_ok=True)
    files = {name: (reference_folder / f"{name}.csv").open("w", encoding="ascii") for name in REFERENCE_FILES}
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool, bulk_load_mode():
            queue = iter(jobs)
            pending = deque(pool.apply_async(_generate_chunk, (job,)) for job in islice(queue, 2 * processes))
            while pending:
                encoded: Encoded = pending.popleft().get()
                for job in islice(queue, 1):
                    pending.append(pool.apply_async(_generate_chunk, (job,)))
                with transaction.atomic():
                    for name, table in tables.items():
                        table.write(encoded.tables[name])
                for name, text in encoded.reference.items():
                    files[name].write(text)
                counts.update(encoded.counts)
                if time.perf_counter() >= next_report or not pending:
                    elapsed = time.perf_counter() - started
                    report(
                        f"  generated {counts['accounts']:,}/{total:,} accounts, {counts['order_lines']:,} "
                        f"order lines ({elapsed:,.0f} s, {counts['order_lines'] / elapsed:,.0f} lines/s)"
                    )
                    next_report = time.perf_counter() + 30
    finally:
        _WORKER = None
        for handle in files.values():
            handle.close()
    loaded = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(
            no_style(), [Account, Order, OrderLine, ServiceCost, MarketingSpend, Referral]
        ):
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            if analyze:
                cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finished = time.perf_counter()
    return HistoryStats(
        counts=counts, seconds=loaded - started, maintenance_seconds=finished - loaded, processes=processes
    )
