"""What happened with each demo account over three years: contacts, orders, costs, interactions,
commitments, referrals and feedback, planned from the account's own random stream."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from decimal import Decimal

import phonenumbers
from faker import Faker

from cartera.accounts.models import AccountStatus, BuyingRole, Industry, Language, SizeBand
from cartera.commerce.models import Channel, PurchaseType
from cartera.core.text import normalize
from cartera.costs.models import ServiceCostKind
from cartera.coverage.models import TeamRole
from cartera.demo import data
from cartera.demo.pipeline import plan_opportunities
from cartera.demo.plans import (
    CLOSE_CONTACT_DAYS,
    CLOSE_PATTERNS,
    FIRST_DAY,
    FORMER_AFTER_DAYS,
    HISTORY_DAYS,
    LAPSED_MAX_DAYS,
    LAPSED_SHARE,
    QUARTER_DAYS,
    REGULAR_CONTACT_DAYS,
    TENURE_FOR_LOYALTY_DAYS,
    WHALE_LAPSE_DAYS,
    YEARLY_PRICE_RISE,
    AccountPlan,
    CommitmentPlan,
    ContactPlan,
    CostPlan,
    FeedbackPlan,
    InteractionPlan,
    LinePlan,
    OrderPlan,
    Pattern,
    ProductSpec,
    ReferralPlan,
    SpendPlan,
    in_window,
    order_days,
    poisson,
    regular_days,
    weighted,
)
from cartera.relationship.models import (
    CommitmentStatus,
    FeedbackKind,
    FeedbackStatus,
    InteractionKind,
    ReferralKind,
    SurveyType,
)


class HistoryPlanner:
    """Plans an account's three years, given who the account is."""

    def __init__(
        self, *, seed: int, as_of: dt.date, faker: Faker, products_by_line: dict[str, list[ProductSpec]]
    ) -> None:
        self.seed = seed
        self.as_of = as_of
        self.faker = faker
        self.products_by_line = products_by_line

    def plan(self, plan: AccountPlan) -> None:
        """Fill in everything that happened with an account over the three years."""
        rng = random.Random(f"{self.seed}:history:{plan.index}")
        self.faker.seed_instance(rng.getrandbits(64))
        plan.contacts = self._contacts(rng, plan)
        days = order_days(rng, plan.pattern)
        plan.orders = self._orders(rng, plan, days)
        if days:
            plan.status = AccountStatus.FORMER if days[-1] <= -FORMER_AFTER_DAYS else AccountStatus.CLIENT
        plan.team = self._team(rng, plan)
        plan.interactions = self._interactions(rng, plan, days)
        plan.costs, plan.spend = self._costs(rng, plan)
        plan.commitments = self._commitments(rng, plan, days)
        plan.referrals = self._referrals(rng, plan, days)
        plan.feedback = self._feedback(rng, plan, days)
        plan.opportunities = plan_opportunities(
            seed=self.seed, as_of=self.as_of, plan=plan, products_by_line=self.products_by_line
        )

    def _contacts(self, rng: random.Random, plan: AccountPlan) -> list[ContactPlan]:
        fake = self.faker
        count = max(1, min(8, round(rng.gauss(3, 1.2) + (2 if plan.pattern == Pattern.WHALE else 0))))
        roles = [BuyingRole.PURCHASER] + [
            str(weighted(rng, data.BUYING_ROLE_WEIGHTS)) for _ in range(count - 1)
        ]
        contacts = []
        used_emails: set[str] = set()
        area_code = next(region.area_code for region in data.DEMO_REGIONS if region.code == plan.region)
        for role in roles:
            is_woman = rng.random() < 0.5
            first_name = fake.first_name_female() if is_woman else fake.first_name_male()
            last_name = fake.last_name()
            title = rng.choice(data.JOB_TITLES[role])
            local = "".join(ch for ch in normalize(f"{first_name[0]}{last_name}") if ch.isalnum())
            if local in used_emails:
                local = "".join(
                    ch for ch in normalize(f"{first_name}.{last_name}") if ch.isalnum() or ch == "."
                )
            while local in used_emails:
                local += str(len(used_emails))
            used_emails.add(local)
            phone = self._phone(rng, area_code) if rng.random() < 0.9 else ""
            contacts.append(
                ContactPlan(
                    first_name=first_name,
                    last_name=last_name,
                    job_title=data.feminine(title) if is_woman else title,
                    buying_role=role,
                    email=f"{local}@{plan.email_domain}",
                    phone=phone,
                    language=plan.language if rng.random() < 0.9 else Language.SPANISH,
                    consents_to_email=rng.random() < 0.7,
                    consents_to_calls=rng.random() < 0.5,
                    is_active=rng.random() < 0.93,
                )
            )
        return contacts

    @staticmethod
    def _phone(rng: random.Random, area_code: str) -> str:
        """A valid Chilean number in E.164: mostly mobiles, some landlines of the account's region."""
        for _attempt in range(20):
            if rng.random() < 0.7:
                number = f"+569{rng.randint(20_000_000, 99_999_999)}"
            elif area_code == "2":
                number = f"+562{rng.randint(22_000_000, 29_999_999)}"
            else:
                number = f"+56{area_code}{rng.randint(2_000_000, 2_999_999)}"
            if phonenumbers.is_valid_number(phonenumbers.parse(number)):
                return number
        return ""

    def _orders(self, rng: random.Random, plan: AccountPlan, days: list[int]) -> list[OrderPlan]:
        if not days:
            return []
        favorites: dict[str, list[ProductSpec]] = {}
        for line in plan.lines:
            products = self.products_by_line[line]
            favorites[line] = rng.sample(products, k=min(len(products), rng.randint(2, 6)))
        bought_lines: set[str] = set()
        portal_share = rng.choice((0.0, 0.0, 0.2, 0.4, 0.7))
        import_share = (
            0.5 if plan.pattern == Pattern.WHALE else 0.15 if plan.size_band == SizeBand.LARGE else 0.0
        )
        expansion = 0.08 if plan.pattern == Pattern.GROWER else 0.03
        mean_lines = 12.0 if plan.pattern == Pattern.WHALE else 5.5 + math.log1p(plan.weight)
        orders = []
        for number, day in enumerate(days):
            if number and rng.random() < expansion:
                new = [code for code in data.INDUSTRY_LINES.get(plan.industry, ()) if code not in favorites]
                new = new or [line.code for line in data.DEMO_PRODUCT_LINES if line.code not in favorites]
                if new:
                    code = new[0] if rng.random() < 0.7 else rng.choice(new)
                    favorites[code] = rng.sample(self.products_by_line[code], k=rng.randint(1, 3))
            pool = [product for products in favorites.values() for product in products]
            count = max(1, min(len(pool) + 2, round(rng.gauss(mean_lines, mean_lines * 0.35))))
            chosen: dict[str, ProductSpec] = {}
            modified = False
            for _line in range(count):
                if rng.random() < 0.96:
                    product = rng.choice(pool)
                else:  # something new from a line it already buys: the buyer rethinks the order
                    line = rng.choice(list(favorites))
                    product = rng.choice(self.products_by_line[line])
                    if product not in favorites[line]:
                        favorites[line].append(product)
                        modified = True
                chosen[product.sku] = product
            order_lines = [self._line(rng, plan, product, day) for product in chosen.values()]
            lines_here = {product.line for product in chosen.values()}
            if not number or lines_here - bought_lines:
                purchase_type = PurchaseType.NEW_BUY
            elif modified or rng.random() < 0.07:
                purchase_type = PurchaseType.MODIFIED_REBUY
            else:
                purchase_type = PurchaseType.STRAIGHT_REBUY
            bought_lines |= lines_here
            progress = (day - FIRST_DAY) / HISTORY_DAYS
            draw = rng.random()
            if draw < import_share:
                channel, note = Channel.IMPORT, f"OC {rng.randint(4_500_000_000, 4_599_999_999)}"
            elif draw < import_share + portal_share * progress:
                channel, note = Channel.PORTAL, ""
            else:
                channel, note = Channel.SALES_REP, ""
            orders.append(OrderPlan(day, channel, purchase_type, note, order_lines))
        return orders

    @staticmethod
    def _line(rng: random.Random, plan: AccountPlan, product: ProductSpec, day: int) -> LinePlan:
        inflation = (1 + YEARLY_PRICE_RISE) ** (day / 365)
        typical = max(1.0, 110_000 / product.list_price)
        quantity = max(1, round(typical * plan.weight * rng.lognormvariate(0, 0.35)))
        if plan.discount:
            discount = min(60.0, max(0.0, rng.gauss(plan.discount, 1.5)))
        else:
            discount = 5.0 if rng.random() < 0.05 else 0.0
        return LinePlan(
            sku=product.sku,
            quantity=quantity,
            unit_price=round(product.list_price * inflation),
            unit_cost=round(product.unit_cost * inflation * rng.uniform(0.98, 1.02)),
            discount_pct=Decimal(round(discount * 2) / 2).quantize(Decimal("0.01")),
        )

    def _team(self, rng: random.Random, plan: AccountPlan) -> list[tuple[str, str, str | None]]:
        """Specialists for some of the lines the account buys, and sponsors for the largest clients."""
        team: list[tuple[str, str, str | None]] = []
        if not plan.orders:
            return team
        bought = sorted({line.sku.split("-")[0] for order in plan.orders for line in order.lines})
        chance = 1.0 if plan.pattern == Pattern.WHALE else 0.5 if plan.pattern == Pattern.LOYAL else 0.3
        for code in bought:
            covering = [user for user, lines in data.SPECIALIST_LINES.items() if code in lines]
            if covering and rng.random() < chance:
                team.append((rng.choice(covering), TeamRole.SPECIALIST, code))
        if plan.pattern == Pattern.WHALE:
            team.append((data.SALES_MANAGER, TeamRole.SPONSOR, None))
            team.append((rng.choice(data.SUPPORT_AGENTS), TeamRole.SUPPORT, None))
        return team

    def _interactions(self, rng: random.Random, plan: AccountPlan, days: list[int]) -> list[InteractionPlan]:
        """Contacts with the account: most within what its segment will likely ask (some last week), a few
        lapsed (former clients mostly), some of those not for more than half a year."""
        pattern = plan.pattern
        per_month = {
            Pattern.WHALE: 5.0,
            Pattern.FREQUENT: 1.5,
            Pattern.LOYAL: 1.8,
            Pattern.GROWER: 1.2,
            Pattern.FADER: 1.0,
            Pattern.NEW_FREQUENT: 2.0,
            Pattern.SPORADIC: 0.5,
            Pattern.CHURNED: 0.4,
            Pattern.ONE_TIME: 0.3,
            Pattern.PROSPECT: 0.4,
        }[pattern]
        first = max(FIRST_DAY, days[0] - 60) if days else rng.randint(-700, -30)
        close = (pattern in CLOSE_PATTERNS and not plan.is_loss_maker) or (plan.strategic_fit or 0) >= 4
        limit = CLOSE_CONTACT_DAYS if close else REGULAR_CONTACT_DAYS
        if pattern == Pattern.WHALE:
            share, longest = LAPSED_SHARE["whale"], WHALE_LAPSE_DAYS
        elif pattern == Pattern.CHURNED:
            share, longest = LAPSED_SHARE["former"], LAPSED_MAX_DAYS
        else:
            share, longest = LAPSED_SHARE["close" if close else "regular"], LAPSED_MAX_DAYS
        if rng.random() < share:
            last = -rng.randint(limit + 5, longest)
        else:
            # In touch: a quarter of them last week, the others within the limit.
            last = -rng.randint(0, 7) if rng.random() < 0.25 else -rng.randint(8, limit - 3)
        last = max(last, first)
        found = [*regular_days(rng, first, last - 1, per_month * 12), last]
        specialists = [user for user, role, _line in plan.team if role == TeamRole.SPECIALIST]
        kinds = (
            (InteractionKind.VISIT, 0.2),
            (InteractionKind.CALL, 0.3),
            (InteractionKind.MEETING, 0.1),
            (InteractionKind.EMAIL, 0.25),
            (InteractionKind.EVENT, 0.05),
            (InteractionKind.SUPPORT, 0.1),
        )
        interactions = []
        for day in found:
            kind = str(weighted(rng, kinds))
            if kind == InteractionKind.SUPPORT:
                by = rng.choice(data.SUPPORT_AGENTS)
            elif kind == InteractionKind.EVENT and rng.random() < 0.5:
                by = data.MARKETING_ANALYST
            elif (
                kind in {InteractionKind.VISIT, InteractionKind.MEETING}
                and specialists
                and rng.random() < 0.3
            ):
                by = rng.choice(specialists)
            else:
                by = plan.responsible
            people = rng.sample(
                range(len(plan.contacts)), k=min(len(plan.contacts), rng.choice((1, 1, 1, 2)))
            )
            interactions.append(
                InteractionPlan(
                    day=day,
                    minute_of_day=rng.randint(9 * 12, 18 * 12) * 5,
                    kind=kind,
                    summary=rng.choice(data.INTERACTION_SUMMARIES[kind]),
                    contacts=people,
                    by=by,
                )
            )
        return interactions

    def _costs(self, rng: random.Random, plan: AccountPlan) -> tuple[list[CostPlan], list[SpendPlan]]:
        """Cost to serve and marketing spend per quarter, as shares of the quarter's revenue plus the
        visits made; loss-making accounts cost more to serve than they earn in the last year."""
        revenue: dict[int, Decimal] = defaultdict(Decimal)
        for order in plan.orders:
            revenue[-order.day // QUARTER_DAYS] += sum((line.revenue for line in order.lines), Decimal(0))
        visits: dict[int, int] = defaultdict(int)
        for interaction in plan.interactions:
            if interaction.kind == InteractionKind.VISIT:
                visits[-interaction.day // QUARTER_DAYS] += 1
        remote = next(region.is_remote for region in data.DEMO_REGIONS if region.code == plan.region)
        visit_cost = round(rng.randint(25_000, 45_000) * (1.6 if remote else 1))
        costs: list[CostPlan] = []
        spend: list[SpendPlan] = []
        for quarter in range(HISTORY_DAYS // QUARTER_DAYS + 1):
            low, high = -(quarter * QUARTER_DAYS + QUARTER_DAYS - 1), -quarter * QUARTER_DAYS
            low = max(low, FIRST_DAY)
            if low > high:
                continue
            losing = plan.is_loss_maker and quarter <= 4
            sales = float(revenue.get(quarter, 0))
            shares = {
                ServiceCostKind.SUPPORT: rng.uniform(0.04, 0.07) if losing else rng.uniform(0.004, 0.015),
                ServiceCostKind.LOGISTICS: (rng.uniform(0.05, 0.08) if losing else rng.uniform(0.015, 0.035))
                + (0.03 if remote else 0),
                ServiceCostKind.SPECIAL_TERMS: rng.uniform(0.03, 0.05)
                if losing
                else (rng.uniform(0.005, 0.015) if plan.discount >= 8 else 0),
            }
            notes = {
                ServiceCostKind.SUPPORT: "Horas de soporte y postventa del trimestre",
                ServiceCostKind.LOGISTICS: "Despachos y fletes del trimestre",
                ServiceCostKind.SPECIAL_TERMS: rng.choice(
                    ("Plazo de pago extendido a 90 días", "Flete gratis bajo el pedido mínimo")
                ),
            }
            for kind, share in shares.items():
                amount = round(sales * share)
                if amount >= 5_000:
                    costs.append(CostPlan(rng.randint(low, high), kind, amount, notes[kind]))
            if visits.get(quarter):
                count = visits[quarter]
                costs.append(
                    CostPlan(
                        rng.randint(low, high),
                        ServiceCostKind.VISITS,
                        count * visit_cost,
                        f"{count} visita{'s' if count > 1 else ''} en terreno",
                    )
                )
            if losing and sales:
                spend.append(
                    SpendPlan(
                        rng.randint(low, high),
                        self._campaign(rng, high),
                        round(sales * rng.uniform(0.04, 0.06)),
                        "Asignado según participación en la campaña",
                    )
                )
        spend += self._campaign_spend(rng, plan)
        if plan.is_loss_maker:
            self._make_last_year_lose(rng, plan, costs)
        return costs, spend

    def _campaign(self, rng: random.Random, day: int) -> str:
        return rng.choice(data.MARKETING_CAMPAIGNS).format(year=self._year(day))

    def _year(self, day: int) -> int:
        return (self.as_of + dt.timedelta(days=day)).year

    def _campaign_spend(self, rng: random.Random, plan: AccountPlan) -> list[SpendPlan]:
        if plan.pattern == Pattern.WHALE:
            chance, low, high = 0.3, 300_000, 1_500_000
        elif plan.pattern == Pattern.PROSPECT:
            chance, low, high = 0.04, 30_000, 150_000
        else:
            chance, low, high = 0.06, 40_000, 250_000
        spend = []
        for number, campaign in enumerate(data.MARKETING_CAMPAIGNS):
            for years_ago in range(3):
                day = -years_ago * 365 - (number * 29) % 365
                if day >= FIRST_DAY and rng.random() < chance:
                    amount = rng.randint(low, high) // 1000 * 1000
                    spend.append(SpendPlan(day, campaign.format(year=self._year(day)), amount))
        return spend

    @staticmethod
    def _make_last_year_lose(rng: random.Random, plan: AccountPlan, costs: list[CostPlan]) -> None:
        """Top up the last year's cost to serve so that it exceeds the gross margin of that year."""
        margin = sum(
            (
                line.revenue - line.cost
                for order in plan.orders
                if in_window(order.day)
                for line in order.lines
            ),
            Decimal(0),
        )
        served = sum(cost.amount for cost in costs if in_window(cost.day))
        if served <= margin:
            extra = round(float(margin - served) * rng.uniform(1.1, 1.4)) + 10_000
            costs.append(
                CostPlan(
                    rng.randint(-300, 0), ServiceCostKind.SPECIAL_TERMS, extra, "Bonificación por volumen"
                )
            )

    def _commitments(self, rng: random.Random, plan: AccountPlan, days: list[int]) -> list[CommitmentPlan]:
        """Promises kept, broken, cancelled and still open (some of those overdue)."""
        if plan.pattern == Pattern.WHALE:
            count = rng.randint(3, 6)
        elif plan.pattern == Pattern.PROSPECT:
            count = rng.randint(0, 1)
        else:
            count = rng.randint(0, 3)
        forced: list[str] = []
        if plan.index < 5:
            forced = [("open", "overdue", "kept", "broken", "cancelled")[plan.index]]
            count = max(count, 1)
        earliest = max(FIRST_DAY, (days[0] if days else -400) - 30)
        products = [product for line in plan.lines for product in self.products_by_line[line]]
        commitments = []
        for number in range(count):
            shape = forced[0] if number == 0 and forced else ""
            if shape == "open":
                due = rng.randint(1, 45)
            elif shape:
                due = rng.randint(-60, -1) if shape == "overdue" else rng.randint(min(earliest, -30), -10)
            else:
                due = rng.randint(min(earliest, -2), 40)
            if due > 0 or shape == "overdue" or (not shape and due > -120 and rng.random() < 0.15):
                status, resolved = CommitmentStatus.OPEN, None
            else:
                draw = rng.random()
                status = {
                    "kept": CommitmentStatus.KEPT,
                    "broken": CommitmentStatus.BROKEN,
                    "cancelled": CommitmentStatus.CANCELLED,
                }.get(shape) or (
                    CommitmentStatus.KEPT
                    if draw < (0.55 if plan.pattern == Pattern.FADER else 0.78)
                    else CommitmentStatus.BROKEN
                    if draw < 0.94
                    else CommitmentStatus.CANCELLED
                )
                if status == CommitmentStatus.KEPT:
                    resolved = due - rng.randint(0, 5)
                elif status == CommitmentStatus.BROKEN:
                    resolved = due + rng.randint(3, 30)
                else:
                    resolved = due - rng.randint(0, 10)
                resolved = min(resolved, 0)
            description = rng.choice(data.COMMITMENT_DESCRIPTIONS)
            if "{product}" in description:
                description = description.format(product=rng.choice(products).name.split(",")[0].lower())
            by = rng.choice(data.SUPPORT_AGENTS) if rng.random() < 0.2 else plan.responsible
            contact = rng.randrange(len(plan.contacts)) if plan.contacts else None
            commitments.append(CommitmentPlan(description, due, status, resolved, contact, by))
        return commitments

    def _referrals(self, rng: random.Random, plan: AccountPlan, days: list[int]) -> list[ReferralPlan]:
        """Recommendations and testimonials; a recent one turns a long-standing frequent buyer loyal."""
        pattern = plan.pattern
        recent = -TENURE_FOR_LOYALTY_DAYS + 1
        spans: list[tuple[int, int]] = []
        if pattern == Pattern.LOYAL or (pattern == Pattern.WHALE and rng.random() < 0.7):
            spans = [(max(recent, days[0]), 0)] * rng.randint(1, 2)
        elif pattern == Pattern.FREQUENT and days[0] < recent - 30 and rng.random() < 0.25:
            spans = [(days[0], recent - 1)]  # too long ago to count for loyalty
        elif pattern in {Pattern.GROWER, Pattern.NEW_FREQUENT} and rng.random() < 0.35:
            spans = [(max(recent, days[-3]), 0)]
        elif pattern in {Pattern.SPORADIC, Pattern.FADER} and rng.random() < 0.06:
            spans = [(days[0], days[-1])]
        referrals = []
        for low, high in spans:
            if low > high:
                continue
            day = rng.randint(low, high)
            if rng.random() < 0.6:
                referrals.append(
                    ReferralPlan(
                        day,
                        ReferralKind.REFERRAL,
                        rng.choice(data.REFERRAL_NOTES),
                        referred_company=self._other_company(rng),
                    )
                )
            else:
                referrals.append(
                    ReferralPlan(day, ReferralKind.TESTIMONIAL, rng.choice(data.TESTIMONIAL_NOTES))
                )
        return referrals

    def _other_company(self, rng: random.Random) -> str:
        prefix = rng.choice(data.INDUSTRY_NAME_PREFIXES[Industry.WHOLESALE] + ("Constructora", "Agrícola"))
        return f"{prefix} {self.faker.last_name()} {weighted(rng, data.LEGAL_SUFFIXES)}"

    def _feedback(self, rng: random.Random, plan: AccountPlan, days: list[int]) -> list[FeedbackPlan]:
        """Complaints with root causes, suggestions, praise, and NPS and CSAT survey scores."""
        if not days:
            return []
        pattern = plan.pattern
        feedback = []
        active_years = max(0.25, (min(0, days[-1] + 60) - days[0]) / 365)

        def contact() -> int | None:
            return rng.randrange(len(plan.contacts)) if plan.contacts else None

        def some_day() -> int:
            return rng.randint(days[0], min(0, days[-1] + 60))

        complaint_rate = (
            1.2
            if pattern == Pattern.FADER or plan.is_loss_maker
            else 1.0
            if pattern == Pattern.WHALE
            else 0.25
        )
        for _number in range(poisson(rng, complaint_rate * active_years)):
            day = some_day()
            category, cause, action = rng.choice(data.COMPLAINTS)
            status = (
                FeedbackStatus.CLOSED
                if day < -60
                else FeedbackStatus.IN_PROGRESS
                if rng.random() < 0.5
                else FeedbackStatus.OPEN
            )
            is_open = status == FeedbackStatus.OPEN
            feedback.append(
                FeedbackPlan(
                    day,
                    FeedbackKind.COMPLAINT,
                    contact(),
                    category=category,
                    description=f"Reclamo por {category.lower()}: {cause.lower()}.",
                    root_cause="" if is_open else cause,
                    corrective_action="" if status != FeedbackStatus.CLOSED else action,
                    status=status,
                )
            )
        for _number in range(poisson(rng, 0.1 * active_years)):
            feedback.append(
                FeedbackPlan(
                    some_day(),
                    FeedbackKind.SUGGESTION,
                    contact(),
                    category="Sugerencia",
                    description=rng.choice(data.SUGGESTIONS),
                    status=FeedbackStatus.CLOSED,
                )
            )
        praise_rate = 0.4 if pattern in {Pattern.LOYAL, Pattern.WHALE} else 0.08
        for _number in range(poisson(rng, praise_rate * active_years)):
            feedback.append(
                FeedbackPlan(
                    some_day(),
                    FeedbackKind.PRAISE,
                    contact(),
                    category="Felicitación",
                    description=rng.choice(data.PRAISE),
                    status=FeedbackStatus.CLOSED,
                )
            )
        nps_range = {
            Pattern.LOYAL: (8, 10),
            Pattern.WHALE: (7, 10),
            Pattern.FREQUENT: (7, 10),
            Pattern.NEW_FREQUENT: (7, 10),
            Pattern.GROWER: (6, 9),
            Pattern.FADER: (2, 7),
            Pattern.CHURNED: (1, 6),
        }.get(pattern, (5, 8))
        for years_ago in range(3):
            day = -years_ago * 365 - 45
            if days[0] <= day <= days[-1] + 90 and rng.random() < 0.7:
                low, high = nps_range
                score = max(0, rng.randint(low, high) - (2 if plan.is_loss_maker else 0))
                feedback.append(
                    FeedbackPlan(day, FeedbackKind.SURVEY, contact(), survey_type=SurveyType.NPS, score=score)
                )
        for interaction in plan.interactions:
            if interaction.kind == InteractionKind.SUPPORT and rng.random() < 0.3:
                feedback.append(
                    FeedbackPlan(
                        interaction.day,
                        FeedbackKind.SURVEY,
                        interaction.contacts[0] if interaction.contacts else None,
                        survey_type=SurveyType.CSAT,
                        score=int(weighted(rng, ((1, 0.05), (2, 0.07), (3, 0.18), (4, 0.35), (5, 0.35)))),
                        status=FeedbackStatus.CLOSED,
                    )
                )
        return feedback
