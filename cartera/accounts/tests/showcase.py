"""A realistic account with everything the account page shows: used by the page's tests, its query
budget and the browser test that takes the screenshot in docs/."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from cartera.accounts.models import Account, Contact
from cartera.accounts.tests.factories import AccountFactory, ContactFactory
from cartera.commerce.models import Order, Product
from cartera.commerce.services import LineInput, order_create
from cartera.commerce.tests.factories import ProductFactory, ProductLineFactory
from cartera.core.testing import make_rut
from cartera.core.text import normalize
from cartera.coverage.tests.factories import (
    AccountTeamMemberFactory,
    PortfolioFactory,
    TerritoryFactory,
    TerritoryRegionFactory,
)
from cartera.relationship.tests.factories import CommitmentFactory, InteractionFactory
from cartera.users.models import Role, User
from cartera.users.tests.factories import UserFactory

SHOWCASE_TAX_ID = make_rut(76_086_428)  # written 76.086.428-5
# The account page's query budget: the same for an account with one order, contact or interaction as for
# one with hundreds (each section reads a bounded number of rows).
ACCOUNT_PAGE_QUERIES = 18


@dataclass
class Showcase:
    account: Account
    executive: User
    contacts: list[Contact]
    orders: list[Order]


def build_showcase(*, executive: User | None = None, today: dt.date | None = None) -> Showcase:
    """Ñuñoa Insumos: a client in the executive's portfolio with a team, five contacts, six orders,
    five interactions and three open commitments (one overdue)."""
    today = today or timezone.localdate()
    executive = executive or UserFactory.create(
        username="vsoto", first_name="Valentina", last_name="Soto", role=Role.ACCOUNT_EXECUTIVE
    )
    specialist = UserFactory.create(
        username="crojas", first_name="Camila", last_name="Rojas", role=Role.SPECIALIST
    )
    support = UserFactory.create(
        username="dfuentes", first_name="Diego", last_name="Fuentes", role=Role.SUPPORT_AGENT
    )
    manager = UserFactory.create(
        username="mparedes", first_name="Martín", last_name="Paredes", role=Role.SALES_MANAGER
    )
    territory = TerritoryFactory.create(name="Zona Centro", responsible=executive)
    TerritoryRegionFactory.create(territory=territory, region="CL-RM")
    portfolio = PortfolioFactory.create(name="Santiago Oriente", owner=executive)
    account = AccountFactory.create(
        legal_name="Comercializadora Ñuñoa Limitada",
        trade_name="Ñuñoa Insumos",
        tax_id=SHOWCASE_TAX_ID,
        region="CL-RM",
        city="Ñuñoa",
        industry="wholesale",
        size_band="medium",
        status="client",
        strategic_fit=4,
        strategic_fit_note="Distribuidor clave de la zona oriente; compra todas las líneas.",
        portfolio=portfolio,
        territory=territory,
    )
    hardware = ProductLineFactory.create(code="FER", name="Ferretería industrial")
    safety = ProductLineFactory.create(code="SEG", name="Seguridad laboral")
    AccountTeamMemberFactory.create(account=account, user=executive, role="responsible")
    AccountTeamMemberFactory.create(
        account=account, user=specialist, role="specialist", product_line=hardware
    )
    AccountTeamMemberFactory.create(account=account, user=support, role="support")
    AccountTeamMemberFactory.create(account=account, user=manager, role="sponsor")

    people = [
        ("Rodrigo", "Muñoz Ibáñez", "Gerente general", "decision_maker", "+56229876543"),
        ("Francisca", "Álvarez", "Gerenta de finanzas", "economic_buyer", "+56961234567"),
        ("Tomás", "Herrera", "Jefe de mantención", "technical_evaluator", "+56987654321"),
        ("Javiera", "Contreras", "Encargada de compras", "purchaser", "+56955551234"),
        ("Ignacio", "Vidal", "Asistente de gerencia", "gatekeeper", ""),
    ]
    contacts = [
        ContactFactory.create(
            account=account,
            first_name=first,
            last_name=last,
            job_title=title,
            buying_role=role,
            phone=phone,
            email=f"{normalize(first)}.{normalize(last.split()[0])}@nunoainsumos.cl",
        )
        for first, last, title, role, phone in people
    ]

    gloves = ProductFactory.create(
        name="Guantes de nitrilo (caja 100)", product_line=safety, list_price=Decimal(8900)
    )
    drill = ProductFactory.create(
        name="Taladro percutor 800 W", product_line=hardware, list_price=Decimal(74990)
    )
    orders_spec: list[tuple[int, str, str, list[tuple[Product, int, int, float]]]] = [
        (5, "sales_rep", "straight_rebuy", [(gloves, 40, 8900, 5), (drill, 3, 74990, 0)]),
        (19, "portal", "straight_rebuy", [(gloves, 25, 8900, 0)]),
        (41, "sales_rep", "modified_rebuy", [(drill, 10, 74990, 12.5), (gloves, 60, 8500, 0)]),
        (68, "import", "straight_rebuy", [(gloves, 30, 8900, 0)]),
        (97, "sales_rep", "new_buy", [(drill, 24, 71990, 10)]),
        (130, "portal", "straight_rebuy", [(gloves, 20, 8900, 0)]),
    ]
    orders = []
    # Oldest first, as they were placed: the page must order them by date, not by insertion.
    for number, (days_ago, channel, purchase_type, lines) in reversed(list(enumerate(orders_spec, start=1))):
        order = order_create(
            actor=None,
            account=account,
            number=f"OC-2026-{1200 - number:04d}",
            date=today - dt.timedelta(days=days_ago),
            channel=channel,
            purchase_type=purchase_type,
            lines=[
                LineInput(
                    product=product,
                    quantity=Decimal(quantity),
                    unit_price=Decimal(price),
                    discount_pct=Decimal(str(discount)),
                )
                for product, quantity, price, discount in lines
            ],
        )
        orders.append(order)

    def at(days_ago: int, hour: int, minute: int) -> dt.datetime:
        # On local calendar days before `today`, so the page looks the same all day long.
        day = today - dt.timedelta(days=days_ago)
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    interactions = [
        (
            at(2, 10, 30),
            "visit",
            executive,
            "Visita a bodega: revisamos stock y el plan de reposición.",
            [0, 3],
        ),
        (
            at(9, 16, 5),
            "call",
            specialist,
            "Llamada técnica por la falla de dos taladros; se coordinó el cambio.",
            [2],
        ),
        (
            at(16, 9, 15),
            "email",
            executive,
            "Envío de la lista de precios 2027 con descuento por volumen.",
            [1, 3],
        ),
        (at(30, 11, 0), "meeting", manager, "Reunión trimestral de cuenta con la gerencia.", [0, 1]),
        (at(45, 15, 40), "support", support, "Consulta por la facturación del pedido del portal.", [3]),
    ]
    for occurred_at, kind, user, summary, who in interactions:
        interaction = InteractionFactory.create(
            account=account, kind=kind, user=user, summary=summary, occurred_at=occurred_at
        )
        interaction.contacts.set([contacts[i] for i in who])

    CommitmentFactory.create(
        account=account,
        description="Enviar nota de crédito por los taladros defectuosos",
        due_date=today - dt.timedelta(days=4),
        promised_by=specialist,
        promised_to=contacts[2],
    )
    CommitmentFactory.create(
        account=account,
        description="Cotizar guantes anticorte para la planta de Quilicura",
        due_date=today + dt.timedelta(days=6),
        promised_by=executive,
        promised_to=contacts[3],
    )
    CommitmentFactory.create(
        account=account,
        description="Agendar capacitación en uso seguro de herramientas",
        due_date=today + dt.timedelta(days=20),
        promised_by=executive,
        promised_to=contacts[0],
    )
    CommitmentFactory.create(
        account=account,
        description="Despachar muestras de guantes",
        due_date=today - dt.timedelta(days=30),
        promised_by=executive,
        status="kept",
        resolved_on=today - dt.timedelta(days=28),
    )
    return Showcase(account=account, executive=executive, contacts=contacts, orders=orders)


@dataclass
class Showcase360(Showcase):
    """The showcase with its money, feedback and insights computed, and a second account of the same
    executive that has gone too long without contact and has no decision maker or economic buyer known."""

    quiet: Account
    manager: User
    other_executive: User
    elsewhere: Account  # another executive's account, in no team of the showcase's executive


def build_account_360(*, today: dt.date | None = None) -> Showcase360:
    """Everything the 360° page shows, with the insights computed as of `today` (30 days without contact
    allowed by the segment)."""
    from cartera.costs.tests.factories import MarketingSpendFactory, ServiceCostFactory
    from cartera.insights.segment_services import segment_create, service_model_create
    from cartera.insights.services import insights_recompute_all, tier_history_backfill
    from cartera.relationship.tests.factories import FeedbackFactory, ReferralFactory

    today = today or timezone.localdate()
    showcase = build_showcase(today=today)
    account = showcase.account
    ServiceCostFactory.create(account=account, date=today - dt.timedelta(days=40), amount=Decimal(180_000))
    ServiceCostFactory.create(account=account, date=today - dt.timedelta(days=100), amount=Decimal(95_000))
    MarketingSpendFactory.create(account=account, date=today - dt.timedelta(days=60), amount=Decimal(250_000))
    ReferralFactory.create(
        account=account,
        date=today - dt.timedelta(days=75),
        referred_company="Ferretería Macul Ltda.",
        note="Nos recomendó en la feria de proveedores.",
    )
    FeedbackFactory.create(
        account=account,
        date=today - dt.timedelta(days=12),
        kind="complaint",
        category="Calidad",
        description="Dos taladros llegaron con falla de fábrica.",
        root_cause="Lote defectuoso del proveedor",
        contact=showcase.contacts[2],
    )
    FeedbackFactory.create(
        account=account,
        date=today - dt.timedelta(days=50),
        kind="survey",
        survey_type="nps",
        score=9,
        category="",
        status="closed",
    )
    manager = User.objects.get(username="mparedes")
    other = UserFactory.create(
        username="jrojas", first_name="Joaquín", last_name="Rojas", role=Role.ACCOUNT_EXECUTIVE
    )
    quiet = AccountFactory.create(
        legal_name="Ferretería Los Aromos SpA",
        tax_id=make_rut(77_312_904),
        region="CL-RM",
        status="client",
        portfolio=account.portfolio,
    )
    AccountTeamMemberFactory.create(account=quiet, user=showcase.executive, role="responsible")
    ContactFactory.create(
        account=quiet,
        first_name="Marcela",
        last_name="Tapia",
        job_title="Compradora",
        buying_role="purchaser",
    )
    interaction = InteractionFactory.create(
        account=quiet,
        kind="call",
        user=showcase.executive,
        occurred_at=timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=50), dt.time(11))),
    )
    interaction.contacts.set([])
    elsewhere = AccountFactory.create(
        legal_name="Minera Tamarugal SpA",
        tax_id=make_rut(96_512_330),
        portfolio=PortfolioFactory.create(name="Norte Grande", owner=other),
    )
    AccountTeamMemberFactory.create(account=elsewhere, user=other, role="responsible")

    service_model = service_model_create(
        actor=None,
        name="Ejecutivo dedicado",
        coverage="dedicated",
        max_days_without_contact=30,
        first_response_hours=8,
        resolution_hours=48,
        review_cadence_days=90,
    )
    segment_create(
        actor=None, name="Distribuidores clave", priority=100, service_model=service_model, is_default=True
    )
    insights_recompute_all(as_of=today, full=True)
    tier_history_backfill(start=today - dt.timedelta(days=200), end=today)
    insights_recompute_all(as_of=today)
    return Showcase360(
        account=account,
        executive=showcase.executive,
        contacts=showcase.contacts,
        orders=showcase.orders,
        quiet=quiet,
        manager=manager,
        other_executive=other,
        elsewhere=elsewhere,
    )
