"""Who the demo company's accounts are: names, tax ids, places, industries, sizes, coverage and
corporate groups.

Each account is planned from its own random stream (seed and account number); corporate groups are
formed within each chunk of accounts. Chunks have a fixed size, so the 500 accounts of a demo of scale 1
are also the first 500 of any larger one.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from faker import Faker

from cartera.accounts.models import Industry, Language, SizeBand
from cartera.core.testing import make_rut
from cartera.demo import data
from cartera.demo.history import HistoryPlanner
from cartera.demo.plans import (
    BUYING_PATTERNS,
    FORCED_LOSS_MAKER_INDEX,
    INDUSTRIAL_INDUSTRIES,
    LOSS_MAKER_SHARE,
    PATTERN_ORDER,
    PATTERN_WEIGHTS,
    RUT_FIRST,
    RUT_SPAN,
    RUT_STRIDE,
    AccountPlan,
    Pattern,
    ProductSpec,
    build_catalog,
    weighted,
)
from cartera.relationship.models import ReferralKind


class DemoPlanner:
    """Plans the demo company's accounts for one seed."""

    def __init__(self, *, seed: int, as_of: dt.date) -> None:
        self.seed = seed
        self.as_of = as_of
        self.catalog = build_catalog(seed)
        self.products_by_line: dict[str, list[ProductSpec]] = defaultdict(list)
        for product in self.catalog:
            self.products_by_line[product.line].append(product)
        self.rut_offset = random.Random(f"{seed}:rut").randrange(RUT_SPAN)
        self.faker = Faker("es_CL")
        self.used_names: set[str] = set()
        self.territory_responsible = {
            region: territory.responsible
            for territory in data.DEMO_TERRITORIES
            for region in territory.regions
        }
        self.portfolio_owner = {portfolio.name: portfolio.owner for portfolio in data.DEMO_PORTFOLIOS}
        self.history = HistoryPlanner(
            seed=seed, as_of=as_of, faker=self.faker, products_by_line=self.products_by_line
        )

    # -- accounts, in two steps: who they are (for a whole chunk), then what happened --

    def plan_chunk(self, start: int, stop: int) -> list[AccountPlan]:
        """Plan accounts start..stop-1, with corporate groups formed among them."""
        plans = [self._profile(index) for index in range(start, stop)]
        self._form_groups(plans, random.Random(f"{self.seed}:groups:{start}"))
        for plan in plans:
            self.history.plan(plan)
        self._link_referrals(plans, random.Random(f"{self.seed}:referrals:{start}"))
        return plans

    def _profile(self, index: int) -> AccountPlan:
        rng = random.Random(f"{self.seed}:account:{index}")
        self.faker.seed_instance(rng.getrandbits(64))
        pattern = (
            PATTERN_ORDER[index] if index < len(PATTERN_ORDER) else Pattern(weighted(rng, PATTERN_WEIGHTS))
        )
        if index < len(data.DEMO_REGIONS):
            region = data.DEMO_REGIONS[index]
        else:
            region = rng.choices(data.DEMO_REGIONS, weights=[r.weight for r in data.DEMO_REGIONS])[0]
        industry_weights = dict(data.INDUSTRY_WEIGHTS)
        if region.code in data.NORTH_REGIONS:
            industry_weights[Industry.MINING] *= 5
            industry_weights[Industry.ENERGY] *= 2
        elif region.code in data.CENTRE_REGIONS or region.code in {"CL-NB", "CL-AR", "CL-LL", "CL-LR"}:
            industry_weights[Industry.AGRICULTURE] *= 2.5
        industry = str(weighted(rng, industry_weights))

        weight = rng.lognormvariate(0, 0.9)
        if pattern == Pattern.WHALE:
            weight *= rng.uniform(2, 4)
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
        is_loss_maker = pattern in BUYING_PATTERNS - {Pattern.ONE_TIME, Pattern.CHURNED, Pattern.WHALE} and (
            index == FORCED_LOSS_MAKER_INDEX or rng.random() < LOSS_MAKER_SHARE
        )
        legal_name, core, prefix, suffix = self._company_name(rng, industry, region.cities[0])
        trade_name = ""
        if suffix != "EIRL" and rng.random() < 0.35:
            trade_name = rng.choice(
                [f"{prefix} {rng.choice(data.NAME_PLACES)}", core, f"{prefix} {core}"]
            ).strip()
            if trade_name == legal_name:
                trade_name = ""
        lines = self._preferred_lines(rng, industry, pattern)
        if pattern == Pattern.WHALE:
            discount = rng.uniform(10, 18)
        elif is_loss_maker:
            discount = rng.uniform(16, 26)
        else:
            discount = 0.0 if rng.random() < 0.55 else rng.uniform(1, 8)
        portfolio = self._portfolio_for(rng, pattern, region.code, industry, size_band)
        responsible = (
            self.portfolio_owner[portfolio] if portfolio else self.territory_responsible[region.code]
        )
        if pattern in {Pattern.WHALE, Pattern.LOYAL}:
            fit = rng.choice((4, 5, 5))
        elif is_loss_maker:
            fit = rng.choice((1, 2, 2, 3))
        else:
            fit = rng.choice((2, 3, 3, 3, 4, 4))
        strategic_fit = fit if rng.random() < 0.85 else None
        note = ""
        if strategic_fit is not None and rng.random() < 0.3:
            note = rng.choice(data.STRATEGIC_FIT_NOTES[strategic_fit])
        language = str(
            weighted(rng, ((Language.SPANISH, 0.94), (Language.ENGLISH, 0.05), (Language.PORTUGUESE, 0.01)))
        )
        return AccountPlan(
            index=index,
            pattern=pattern,
            legal_name=legal_name,
            name_core=core,
            industry_prefix=prefix,
            suffix=suffix,
            trade_name=trade_name,
            tax_id=make_rut(RUT_FIRST + (self.rut_offset + index * RUT_STRIDE) % RUT_SPAN),
            region=region.code,
            city=rng.choice(region.cities),
            industry=industry,
            size_band=size_band,
            language=language,
            strategic_fit=strategic_fit,
            strategic_fit_note=note,
            weight=weight,
            lines=lines,
            discount=discount,
            is_loss_maker=is_loss_maker,
            portfolio=portfolio,
            responsible=responsible,
        )

    def _company_name(self, rng: random.Random, industry: str, city: str) -> tuple[str, str, str, str]:
        """A legal name never used before, with its distinctive core, industry prefix and legal suffix."""
        fake = self.faker
        prefix = rng.choice(data.INDUSTRY_NAME_PREFIXES.get(industry, ("Comercial",)))
        suffix = str(weighted(rng, data.LEGAL_SUFFIXES))
        for attempt in range(12):
            if suffix == "EIRL":
                core = f"{fake.first_name()} {fake.last_name()}"
            else:
                shape = rng.random()
                if shape < 0.35:
                    core = fake.last_name()
                elif shape < 0.55:
                    core = f"{fake.last_name()} y {fake.last_name()}"
                elif shape < 0.65:
                    core = f"{fake.last_name()} Hermanos"
                elif shape < 0.72:
                    core = f"{fake.last_name()} y Compañía"
                else:
                    core = rng.choice(data.NAME_PLACES)
            if attempt >= 6:
                core = f"{core} {city}"
            legal_name = f"{prefix} {core} {suffix}"
            if legal_name not in self.used_names:
                self.used_names.add(legal_name)
                return legal_name, core, prefix, suffix
        legal_name = f"{prefix} {core} {len(self.used_names)} {suffix}"
        self.used_names.add(legal_name)
        return legal_name, core, prefix, suffix

    def _preferred_lines(self, rng: random.Random, industry: str, pattern: Pattern) -> list[str]:
        affinity = list(data.INDUSTRY_LINES.get(industry, ("OFI", "LIM")))
        if pattern == Pattern.WHALE:
            return affinity
        lines = affinity[: rng.choice((1, 1, 2))]
        lines += [code for code in affinity[len(lines) :] if rng.random() < 0.3]
        return lines

    def _portfolio_for(
        self, rng: random.Random, pattern: Pattern, region: str, industry: str, size_band: str
    ) -> str | None:
        if pattern == Pattern.WHALE or (size_band == SizeBand.ENTERPRISE and rng.random() < 0.5):
            return "Grandes Cuentas"
        if pattern == Pattern.PROSPECT and rng.random() < 0.5:
            return None
        if rng.random() < 0.05:
            return None
        if region in data.NORTH_REGIONS:
            return "Norte Minería" if industry in {Industry.MINING, Industry.ENERGY} else "Norte Comercial"
        if region in data.CENTRE_REGIONS:
            return "Centro"
        if region == "CL-RM":
            return "Santiago Industrial" if industry in INDUSTRIAL_INDUSTRIES else "Santiago Servicios"
        if region in {"CL-NB", "CL-BI"}:
            return "Biobío y Ñuble"
        if region == "CL-AR":
            return "Araucanía"
        if region in {"CL-LR", "CL-LL"}:
            return "Los Ríos y Los Lagos"
        return "Austral"

    def _form_groups(self, plans: list[AccountPlan], rng: random.Random) -> None:
        """Make a few large accounts heads of corporate groups, with subsidiaries named after them."""
        heads = [
            plan
            for plan in plans
            if plan.pattern in BUYING_PATTERNS
            and plan.size_band in {SizeBand.LARGE, SizeBand.ENTERPRISE}
            and plan.suffix != "EIRL"
        ]
        if not heads:
            heads = [plan for plan in plans if plan.pattern in BUYING_PATTERNS and plan.suffix != "EIRL"]
        rng.shuffle(heads)
        heads = heads[: max(1, len(plans) // 40)]
        others = [plan for plan in plans if plan not in heads and plan.pattern != Pattern.WHALE]
        rng.shuffle(others)
        for head in heads:
            for _number in range(rng.randint(1, 3)):
                if not others:
                    return
                sub = others.pop()
                sub.parent_index = head.index
                self.used_names.discard(sub.legal_name)
                for _attempt in range(len(data.SUBSIDIARY_PREFIXES)):
                    prefix = rng.choice(data.SUBSIDIARY_PREFIXES)
                    name = f"{prefix} {head.name_core} {rng.choice(('SpA', 'Ltda.', 'S.A.'))}"
                    if name not in self.used_names:
                        break
                else:
                    name = f"{prefix} {head.name_core} {sub.city} SpA"
                self.used_names.add(name)
                sub.legal_name, sub.name_core, sub.industry_prefix, sub.trade_name = (
                    name,
                    head.name_core,
                    prefix,
                    "",
                )

    @staticmethod
    def _link_referrals(plans: list[AccountPlan], rng: random.Random) -> None:
        """Some referrals brought in a company that is itself a demo account (a newer client)."""
        newcomers = [plan for plan in plans if plan.pattern in {Pattern.NEW_FREQUENT, Pattern.ONE_TIME}]
        for plan in plans:
            for referral in plan.referrals:
                if referral.kind == ReferralKind.REFERRAL and newcomers and rng.random() < 0.3:
                    other = rng.choice(newcomers)
                    if other is not plan:
                        referral.referred_index = other.index
                        referral.referred_company = other.legal_name
